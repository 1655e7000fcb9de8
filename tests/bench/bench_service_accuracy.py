"""Slot exact-match through the real service, as a radio client sees it (run by hand).

    python -m tests.bench.bench_service_accuracy [--mode ptt|vad] [--channels clean,radio20,radio10]
        [--split tune|heldout|dev] [--intent ...] [--audio DIR] [--limit N] [--off-file] [--realtime]

``bench_lookup_accuracy`` hands whole files to the recogniser. A client instead streams audio
over WS /v1/radio: the endpointer decides where the utterance starts and ends (pre-roll, tail,
noise-floor gating), the session decodes what it kept, and the router answers. This bench
streams every clip (its own session, at the clip's rate, 20 ms frames) to a real server on
loopback, either between PTT key events (``--mode ptt``) or with no key events at all
(``--mode vad``: the endpointer's hang-over ends the utterance), and reads the verdict off the
``intent`` events: exact when the last check intent (plate, licence or person) carries the
expected slots. Also counted: clips that came back as more than one utterance (split by a
pause) and clips with no check intent at all. Registry as in the other bench: the fixture
subjects among 20,000 synthetic persons and vehicles (``--off-file``: without them). Results
go to var/bench/service-accuracy.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import websockets

from lookup.db import make_engine
from lookup.migrate import upgrade
from lookup.seed import SeedOptions, seed_registry
from tests.voice.helpers import LiveServer, voice_settings

AUDIO = Path("fixtures/audio")
OUT = Path("var/bench")
CHECKS = ("plate_lookup", "licence_lookup", "person_lookup")


def _pcm16(path: Path) -> tuple[bytes, int]:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="int16", always_2d=False)
    return data.astype("<i2").tobytes(), int(rate)


async def _ask(url: str, path: Path, *, ptt: bool, realtime: bool) -> list[dict[str, Any]]:
    pcm, rate = _pcm16(path)
    step = rate * 2 // 50  # 20 ms
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": rate, "encoding": "pcm_s16le",
                                  "unit": "BENCH", "channel": "bench"}))
        if ptt:
            await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        t0 = time.monotonic()
        for i, off in enumerate(range(0, len(pcm), step)):
            await ws.send(pcm[off:off + step])
            if realtime and (delay := t0 + (i + 1) * 0.02 - time.monotonic()) > 0:
                await asyncio.sleep(delay)
        if ptt:
            await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        await ws.send(json.dumps({"type": "stop"}))
        events = []
        async for msg in ws:  # the server closes after the remaining events
            if isinstance(msg, str):
                events.append(json.loads(msg))
        return events


def run(*, mode: str = "ptt", channels: tuple[str, ...] = ("clean", "radio20", "radio10"),
        split: str | None = None, intent: str | None = None, audio_dir: Path = AUDIO,
        limit: int | None = None, off_file: bool = False, realtime: bool = False) -> dict[str, Any]:
    """Stream each selected clip through a real server and score the intent events."""
    from service.app import create_app

    manifest = [json.loads(line) for line in (audio_dir / "manifest.jsonl").read_text().splitlines()
                if line.strip()]
    manifest = [m for m in manifest if m["channel"] in channels and split in (None, m["split"])
                and intent in (None, m["intent"])][:limit]
    tmp = Path(tempfile.mkdtemp(prefix="svc-acc-"))
    settings = voice_settings(tmp)
    upgrade(settings.registry.url)
    seed_registry(make_engine(settings.registry.url), SeedOptions(
        persons=20000, vehicles=20000, seed=4 if off_file else 3, with_fixtures=not off_file))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, exact, split, no check
    rows = []
    t0 = time.perf_counter()
    with LiveServer(create_app(settings)) as server:
        for m in manifest:
            events = asyncio.run(_ask(server.ws_url, audio_dir / m["file"], ptt=mode == "ptt",
                                      realtime=realtime))
            intents = [e for e in events if e["type"] == "intent"]
            checks = [e for e in intents if e["name"] in CHECKS]
            last = checks[-1] if checks else None
            ok = bool(last and last["name"] == m["intent"]
                      and all(last["slots"].get(k) == v for k, v in m["slots"].items()))
            utterances = len({e["utterance"] for e in events if e["type"] == "transcript"})
            kind = "alnum" if m["intent"] != "person_lookup" else "person"
            for key in (f"{m['split']}/{m['channel']}/{kind}", f"{m['split']}/{m['channel']}/all"):
                t = tally[key]
                t[0] += 1
                t[1] += ok
                t[2] += utterances > 1
                t[3] += last is None
            rows.append({"file": m["file"], "ok": ok, "utterances": utterances,
                         "transcripts": [e["text"] for e in events if e["type"] == "transcript"],
                         "intent": last, "errors": [e for e in events if e["type"] == "error"]})
    report = {"mode": mode, "realtime": realtime, "off_file": off_file,
              "elapsed_s": time.perf_counter() - t0, "tally": dict(tally), "rows": rows}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "service-accuracy.json").write_text(json.dumps(report, indent=2))
    return report


def print_report(report: dict[str, Any]) -> None:
    """Exact-match per split, channel and kind, with the split and no-check counts."""
    print(f"\nmode {report['mode']}{' (real time)' if report['realtime'] else ''}")
    print(f"{'split/channel/kind':<28} {'n':>4} {'exact':>7} {'split':>6} {'no check':>9}")
    for key in sorted(report["tally"]):
        n, ok, parts, none = report["tally"][key]
        print(f"{key:<28} {n:>4} {ok / n:>7.0%} {parts:>6} {none:>9}")
    print(f"elapsed {report['elapsed_s']:.0f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("ptt", "vad"), default="ptt")
    ap.add_argument("--channels", default="clean,radio20,radio10")
    ap.add_argument("--split", choices=("tune", "heldout", "dev"))
    ap.add_argument("--intent", choices=CHECKS)
    ap.add_argument("--audio", type=Path, default=AUDIO)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--off-file", action="store_true")
    ap.add_argument("--realtime", action="store_true", help="send at real-time pace (slower)")
    args = ap.parse_args()
    print_report(run(mode=args.mode, channels=tuple(args.channels.split(",")), split=args.split,
                     intent=args.intent, audio_dir=args.audio, limit=args.limit, off_file=args.off_file,
                     realtime=args.realtime))
