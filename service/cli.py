"""The ``patrol`` command line: ``serve``, ``transcribe``, and the subcommands other
concerns register (``db``/``seed`` from lookup, ``token``/``audit`` from service admin,
``aml`` from analytics).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.migrations import VERSIONS as MIGRATION_VERSIONS
from service.settings import Settings

# Modules that add subcommands with ``register(subparsers, **options)``; missing ones are skipped.
_REGISTRARS = ("lookup.cli", "service.admin", "analytics.cli", "training.cli")


def _registrar_options(settings: Settings) -> dict[str, dict[str, Any]]:
    """What each registrar is told from the settings (lower layers never read them)."""
    return {
        "lookup.cli": {"registry_url": settings.registry.url,
                       "migration_versions": (str(MIGRATION_VERSIONS),)},
        "service.admin": {
            "registry_url": settings.registry.url,
            "audit_text_days": settings.retention.audit_text_days,
            "face_probe_hours": settings.retention.face_probe_hours,
            "signing_key": str(settings.disclosure.signing_key_file
                               or Path(settings.data_dir) / "disclosure-ed25519.pem"),
        },
        "analytics.cli": {"data_dir": settings.data_dir},
    }


def serve_config(args: argparse.Namespace, settings: Settings) -> Any:
    """The uvicorn config ``patrol serve`` runs: the app, address, and TLS from the flags or
    the ``tls`` settings (flags win)."""
    from service.app import create_app
    from service.tls import server_config

    if args.tls_cert or args.tls_key:
        settings.tls.cert_file = Path(args.tls_cert) if args.tls_cert else None
        settings.tls.key_file = Path(args.tls_key) if args.tls_key else None
    config = server_config(create_app(settings), host=args.host or settings.host,
                           port=args.port or settings.port, log_level=settings.log_level.lower(),
                           ws_max_size=settings.audio.max_frame_bytes * 16,
                           cert_file=settings.tls.cert_file, key_file=settings.tls.key_file)
    return config


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.logging import setup_logging

    settings = Settings()
    config = serve_config(args, settings)
    # After uvicorn's own set-up (in its Config), so its loggers go through ours as well.
    setup_logging(settings.log_level)
    uvicorn.Server(config).run()
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from voice.audiofile import read_audio
    from voice.loading import load_transcriber

    settings = Settings()
    if args.model:
        settings.stt.model = args.model
    t0 = time.perf_counter()
    stt = load_transcriber(**settings.stt.loader_options())
    print(f"# model {settings.stt.model} loaded in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    for name in args.files:
        audio = read_audio(Path(name))
        t0 = time.perf_counter()
        result = stt.transcribe(audio)
        elapsed = time.perf_counter() - t0
        row = {
            "file": name,
            "text": result.text,
            "confidence": round(result.confidence, 3),
            "audio_s": round(len(audio) / 16000, 2),
            "elapsed_s": round(elapsed, 3),
            "rtf": round(elapsed / max(len(audio) / 16000, 1e-6), 3),
        }
        if result.alternatives:
            row["alternatives"] = list(result.alternatives)
        print(json.dumps(row, ensure_ascii=False))
    return 0


def _radio_bridge(args: argparse.Namespace) -> int:
    from service.radio_bridge import run_bridge

    run_bridge(args.url, host=args.host, port=args.port, sip_port=args.sip_port, token=args.token,
               idle_s=args.idle)
    return 0


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The full argument parser, with every registered subcommand.

    ``settings`` give the subcommands their defaults (registry URL, data directory).
    """
    options = _registrar_options(settings or Settings())
    parser = argparse.ArgumentParser(prog="patrol", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the service")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--tls-cert", help="PEM certificate chain: serve https:// and wss:// (TLS 1.2+)")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    p.set_defaults(func=_serve)
    p = sub.add_parser("transcribe", help="transcribe audio files (wav/any sox-readable)")
    p.add_argument("files", nargs="+")
    p.add_argument("--model", help="tiny.en, base, or a model directory")
    p.set_defaults(func=_transcribe)
    p = sub.add_parser("radio-bridge", help="bridge RTP G.711 streams (one per SSRC) to WS /v1/radio")
    p.add_argument("--url", default="ws://127.0.0.1:8000/v1/radio", help="the service's radio websocket")
    p.add_argument("--token", help="a gateway token (sent as ?token=)")
    p.add_argument("--host", default="127.0.0.1", help="address to receive RTP (and SIP) on")
    p.add_argument("--port", type=int, default=40000, help="UDP port for RTP")
    p.add_argument("--sip-port", type=int, help="also answer SIP INVITE/BYE on this UDP port")
    p.add_argument("--idle", type=float, default=30.0, help="seconds without packets that end a stream")
    p.set_defaults(func=_radio_bridge)
    for name in _REGISTRARS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub, **options.get(name, {}))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``patrol`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
