"""The recogniser through the real service, per voice family and channel (run by hand).

    python -m tests.bench.bench_radio_asr --audio var/eval/radio-v1 [--model radio-tiny-v5]
        [--spelling-model base] [--limit N] [--noise 30] [--out var/bench/radio-asr.json]

Streams every clip of an evaluation set (:mod:`training.evalset`) to a real server on
loopback over ``WS /v1/radio`` exactly as a radio client does (20 ms PCM frames at the clip's
rate between PTT key events, sent as fast as the server takes them) and reads the events:

* slot exact: the last check intent (plate, licence or person) carries the expected slots;
* on file: the spoken record is among the result's candidates, and first;
* latency: PTT key-up to the ``result`` event (p50, p95), over every query, unclear ones too;
* replies (a set made with ``training.evalset --replies``): "exact" is the reply's intent
  (confirm, cancel, repeat) and "among"/"first" both mean no check intent was raised;
* phantoms: ``--noise N`` noise-only clips (white, pink, babble-like, siren, engine; 3 s at
  8 kHz through the radio band) that must give no check intent at all.

``--model tiny.en --spelling-model base`` is today's (pre-training) pipeline, so both run on
the same clips in the same way. The registry is the bench registry (seed 3, 20,000 persons and
vehicles) that the evaluation set's queries name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import websockets

from lookup.db import make_engine
from lookup.migrate import upgrade
from lookup.seed import SeedOptions, seed_registry
from tests.voice.helpers import LiveServer, voice_settings

CHECKS = ("plate_lookup", "licence_lookup", "person_lookup")


def _pcm16(path: Path) -> tuple[bytes, int]:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="int16", always_2d=False)
    return data.astype("<i2").tobytes(), int(rate)


async def ask(url: str, pcm: bytes, rate: int) -> tuple[list[dict[str, Any]], float | None]:
    """Stream one clip between PTT events; return the events and key-up-to-result seconds."""
    step = rate * 2 // 50
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": rate, "encoding": "pcm_s16le",
                                  "unit": "BENCH", "channel": "bench"}))
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        for off in range(0, len(pcm), step):
            await ws.send(pcm[off:off + step])
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        key_up = time.perf_counter()
        await ws.send(json.dumps({"type": "stop"}))
        events, latency = [], None
        async for msg in ws:
            if isinstance(msg, str):
                event = json.loads(msg)
                events.append(event)
                if event["type"] == "result" and latency is None:
                    latency = time.perf_counter() - key_up
        return events, latency


def _on_file(result: dict[str, Any] | None, slots: dict[str, str]) -> tuple[bool, bool]:
    """Whether the expected record is among the candidates, and whether it is first."""
    if not result:
        return False, False
    hits = [all(v in json.dumps(c) for v in slots.values()) for c in result.get("candidates", [])]
    return any(hits), bool(hits and hits[0])


def _noise_clips(n: int) -> list[bytes]:
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(5)
    sos = butter(4, (300, 3400), btype="bandpass", fs=8000, output="sos")
    out = []
    t = np.arange(3 * 8000) / 8000
    for i in range(n):
        kind = i % 5
        if kind == 0:
            x = rng.standard_normal(len(t))
        elif kind == 1:
            x = np.cumsum(rng.standard_normal(len(t)))
            x -= np.convolve(x, np.ones(200) / 200, mode="same")
        elif kind == 2:  # babble-like: amplitude-modulated pink noise
            x = rng.standard_normal(len(t)) * (1 + np.sin(2 * np.pi * rng.uniform(3, 6) * t))
        elif kind == 3:
            x = np.sin(2 * np.pi * np.cumsum(1000 + 450 * np.sin(2 * np.pi * 0.5 * t)) / 8000)
        else:
            hum = sum(np.sin(2 * np.pi * 40 * k * t) / k for k in range(1, 8))
            x = hum + 0.3 * rng.standard_normal(len(t))
        x = sosfilt(sos, x)
        x = x / np.abs(x).max() * rng.uniform(0.05, 0.5)
        out.append((x * 32767).astype("<i2").tobytes())
    return out


def run(audio_dir: Path, *, model: str, spelling_model: str, limit: int | None, noise: int) -> dict[str, Any]:
    """Stream the set (and noise clips) through one server with ``model``; tally everything."""
    from service.app import create_app

    manifest = [json.loads(line) for line in (audio_dir / "manifest.jsonl").read_text().splitlines()]
    manifest = manifest[:limit]
    tmp = Path(tempfile.mkdtemp(prefix="radio-asr-"))
    settings = voice_settings(tmp)
    settings.stt.model = model
    settings.stt.spelling_model = spelling_model
    upgrade(settings.registry.url)
    seed_registry(make_engine(settings.registry.url), SeedOptions(persons=20000, vehicles=20000, seed=3))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, exact, among, first
    latencies: list[float] = []
    rows = []
    with LiveServer(create_app(settings)) as server:
        for m in manifest:
            pcm, rate = _pcm16(audio_dir / m["file"])
            events, latency = asyncio.run(ask(server.ws_url, pcm, rate))
            if latency is not None:
                latencies.append(latency)
            checks = [e for e in events if e["type"] == "intent" and e["name"] in CHECKS]
            last = checks[-1] if checks else None
            results = [e for e in events if e["type"] == "result"]
            if m["intent"] in CHECKS:
                ok = bool(last and last["name"] == m["intent"]
                          and all(last["slots"].get(k) == v for k, v in m["slots"].items()))
                among, first = _on_file(results[-1] if results else None, m["slots"])
            else:  # a short reply (training.evalset --replies): its intent, and no check run
                intents = [e for e in events if e["type"] == "intent"]
                ok = bool(intents and intents[-1]["name"] == m["intent"])
                among = first = last is None
            kind = m["intent"].removesuffix("_lookup")
            for key in (f"{m['family']}/{m['channel']}", f"{m['family']}/{m['channel']}/{kind}",
                        f"all/{m['channel']}", "all/all"):
                t = tally[key]
                t[0] += 1
                t[1] += ok
                t[2] += among
                t[3] += first
            rows.append({"file": m["file"], "ok": ok, "among": among, "first": first, "latency_s": latency,
                         "transcripts": [e["text"] for e in events if e["type"] == "transcript"],
                         "confidences": [e["confidence"] for e in events if e["type"] == "transcript"],
                         "intents": [e["name"] for e in events if e["type"] == "intent"],
                         "intent": last})
        phantoms = 0
        for pcm in _noise_clips(noise):
            events, _ = asyncio.run(ask(server.ws_url, pcm, 8000))
            phantoms += any(e["type"] == "intent" and e["name"] in CHECKS for e in events)
    lat = sorted(latencies)
    return {"model": model, "spelling_model": spelling_model, "tally": dict(tally), "rows": rows,
            "latency_p50_s": statistics.median(lat) if lat else None,
            "latency_p95_s": lat[int(0.95 * (len(lat) - 1))] if lat else None,
            "noise_clips": noise, "phantom_checks": phantoms}


def print_report(report: dict[str, Any]) -> None:
    """Per family and channel: slot exact, on file among the candidates and first."""
    print(f"\nmodel {report['model']} (speller {report['spelling_model'] or '-'})")
    print(f"{'family/channel[/kind]':<34} {'n':>4} {'exact':>7} {'among':>7} {'first':>7}")
    for key in sorted(report["tally"]):
        n, ok, among, first = report["tally"][key]
        print(f"{key:<34} {n:>4} {ok / n:>7.1%} {among / n:>7.1%} {first / n:>7.1%}")
    print(f"key-up to result: p50 {report['latency_p50_s']:.3f} s, p95 {report['latency_p95_s']:.3f} s")
    print(f"phantom checks on {report['noise_clips']} noise-only clips: {report['phantom_checks']}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio", type=Path, default=Path("var/eval/radio-v1"))
    ap.add_argument("--model", default="radio-tiny-v5")
    ap.add_argument("--spelling-model", default="")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--noise", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("var/bench/radio-asr.json"))
    args = ap.parse_args()
    result = run(args.audio, model=args.model, spelling_model=args.spelling_model, limit=args.limit,
                 noise=args.noise)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print_report(result)
