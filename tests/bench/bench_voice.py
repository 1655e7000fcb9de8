"""Voice benchmarks (run by hand: ``make bench`` or ``pytest tests/bench/bench_voice.py -s``).

1. Real-time factor of each model (tiny.en, base) on the fixture clips.
2. PTT key-up to final transcript, p50/p95, for 1, 4 and 8 concurrent real-time streams
   through the real websocket, and whether any audio was dropped.
3. WER on the clean and radio fixture clips (tune and held-out apart) and on LibriVox.
Results are printed and written to var/bench/voice.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets

from fixtures.librivox import librivox_clips
from lookup.db import make_engine
from lookup.migrate import upgrade
from lookup.seed import SeedOptions, seed_registry
from service.app import create_app
from service.settings import SttSettings
from tests.bench.wer import wer
from tests.voice.helpers import Clip, LiveServer, load_clips, recv_until, voice_settings
from voice.audiofile import read_audio
from voice.codecs import to_internal
from voice.loading import load_transcriber

OUT = Path("var/bench")
STREAM_SECONDS = float(os.environ.get("BENCH_STREAM_SECONDS", "60"))


def _audio(clip: Clip) -> np.ndarray:
    return to_internal(clip.samples(), clip.rate)


def _save(name: str, data: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged.update(data)
    path.write_text(json.dumps(merged, indent=2))


@pytest.mark.parametrize("model", ["tiny.en", "base"])
def test_rtf_and_wer(model: str) -> None:
    stt = load_transcriber(**SttSettings(model=model, spelling_pass=True).loader_options())
    clips = load_clips()
    rows: dict[str, list[tuple[str, str]]] = {}
    compute = audio_s = refine_s = 0.0
    for clip in clips:
        audio = _audio(clip)
        t0 = time.perf_counter()
        result = stt.transcribe(audio)
        compute += time.perf_counter() - t0
        t1 = time.perf_counter()
        stt.refine(audio, result)
        refine_s += time.perf_counter() - t1
        audio_s += len(audio) / 16000
        key = f"{clip.entry['channel']}/{clip.entry['split']}"
        rows.setdefault(key, []).append((clip.entry["text"], result.text))
    libri = [(c.text, stt.transcribe(read_audio(c.path)).text) for c in librivox_clips()]
    report = {
        "model": model,
        "rtf_first_pass": round(compute / audio_s, 3),
        "rtf_with_spelling_pass": round((compute + refine_s) / audio_s, 3),
        "wer": {k: round(wer(v), 3) for k, v in sorted(rows.items())},
        "wer_librivox": round(wer(libri), 3) if libri else None,
        "clips": len(clips),
    }
    print(json.dumps(report, indent=2))
    _save("voice", {f"model:{model}": report})


async def _stream_loop(url: str, clips: list[Clip], seed: int, deadline: float) -> dict[str, Any]:
    rng = random.Random(seed)
    to_transcript: list[float] = []
    to_result: list[float] = []
    sent = received = 0
    async with websockets.connect(url, max_size=None) as ws:
        start = {"type": "start", "rate": 8000, "encoding": "pcm_s16le", "unit": f"B-{seed}"}
        await ws.send(json.dumps(start))
        await recv_until(ws, lambda e: e["type"] == "ready", 10)
        await asyncio.sleep(rng.uniform(0, 3))  # streams key up at different moments
        while time.monotonic() < deadline:
            clip = rng.choice(clips)
            pcm = clip.pcm()
            await ws.send(json.dumps({"type": "ptt", "pressed": True}))
            t0 = time.monotonic()
            for i, off in enumerate(range(0, len(pcm), 320)):
                await ws.send(pcm[off:off + 320])
                delay = t0 + (i + 1) * 0.02 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            up = time.monotonic()
            await ws.send(json.dumps({"type": "ptt", "pressed": False}))
            sent += 1
            # Everything of this utterance arrives before the next key-down: transcript, then
            # intent and result (or nothing more for an empty transcript).
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if event["type"] == "transcript":
                    received += 1
                    to_transcript.append(time.monotonic() - up)
                    if not event["text"]:
                        break
                elif event["type"] in ("result", "error"):
                    to_result.append(time.monotonic() - up)
                    break
            await asyncio.sleep(rng.uniform(0.5, 2.0))  # the officer listens to the answer
    return {"to_transcript": to_transcript, "to_result": to_result, "sent": sent, "received": received}


def _pct(values: list[float], q: float) -> int:
    return round(float(np.percentile(values, q)) * 1000) if values else -1


@pytest.mark.parametrize("streams", [1, 4, 8])
def test_keyup_to_transcript_latency(streams: int, tmp_path: Path) -> None:
    settings = voice_settings(tmp_path)
    upgrade(settings.registry.url)
    seed_registry(make_engine(settings.registry.url), SeedOptions(persons=5000, vehicles=5000, seed=1))
    stt = load_transcriber(**settings.stt.loader_options())
    clips = [c for c in load_clips() if c.entry["channel"] == "radio20"]
    app = create_app(settings, transcriber=stt)
    with LiveServer(app) as server:
        async def main() -> list[dict[str, Any]]:
            deadline = time.monotonic() + STREAM_SECONDS
            return await asyncio.gather(*[_stream_loop(server.ws_url, clips, s, deadline)
                                          for s in range(streams)])
        results = asyncio.run(main())
    tr = [x for r in results for x in r["to_transcript"]]
    rs = [x for r in results for x in r["to_result"]]
    report = {
        "streams": streams,
        "utterances": int(sum(r["sent"] for r in results)),
        "transcripts": int(sum(r["received"] for r in results)),
        "transcript_p50_ms": _pct(tr, 50), "transcript_p95_ms": _pct(tr, 95),
        "transcript_max_ms": _pct(tr, 100),
        "result_p50_ms": _pct(rs, 50), "result_p95_ms": _pct(rs, 95),
        "workers": settings.stt.workers,
    }
    print(json.dumps(report))
    _save("voice", {f"latency:{streams}": report})
    assert report["utterances"] == report["transcripts"], "an utterance got no transcript"
