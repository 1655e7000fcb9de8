"""Benchmark: radio load at 30 % talk time, admission on: key-up to result, busy, nothing lost.

A real server (real model, seeded SQLite registry) on a real socket. For each load, N
channels connect 0.1 s apart; each keys up a fixture clip in real time (PTT-wrapped), then
sends nothing (a gateway with silence suppression) for the rest of a 30 % talk-time cycle,
and repeats until the run ends. Reported per load: sessions admitted and refused with
``busy``, ``degraded`` events, utterances sent and answered (lost = sent - answered), and
p50 / p95 / max of key-up to ``result`` over admitted sessions.

Run by hand (small first):
  PATROL_BENCH_STREAMS=1,4 PATROL_BENCH_SECONDS=30 \\
  .venv/bin/python -m pytest -q tests/bench/bench_radio_load.py -s --override-ini addopts=
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.voice.helpers import LiveServer, load_clips, pick, voice_settings

STREAMS = [int(n) for n in os.environ.get("PATROL_BENCH_STREAMS", "1,4,8,16,32").split(",")]
SECONDS = float(os.environ.get("PATROL_BENCH_SECONDS", "60"))
TALK = 0.3


async def _channel(url: str, n: int, pcm: bytes, rate: int, until: float, out: dict[str, Any]) -> None:
    await asyncio.sleep(0.1 * n)
    async with websockets.connect(url, max_size=None) as ws:
        try:
            await ws.send(json.dumps({"type": "start", "rate": rate, "encoding": "pcm_s16le",
                                      "unit": f"B-{n}", "channel": f"ch-{n}"}))
            first = json.loads(await asyncio.wait_for(ws.recv(), 60))
        except websockets.ConnectionClosed as closed:
            # Refused at once (``busy``, 1013) before our ``start`` went out.
            out["refused"] += closed.rcvd is not None and closed.rcvd.code == 1013
            return
        if first["type"] != "ready":
            out["refused"] += first.get("code") == "busy"
            return
        out["admitted"] += 1
        keyup: dict[int, float] = {}
        sent = 0

        async def reader() -> None:
            async for msg in ws:
                if not isinstance(msg, str):
                    continue
                event = json.loads(msg)
                if event["type"] == "error" and event.get("code") == "degraded":
                    out["degraded"] += 1
                elif event["type"] == "result" and event["utterance"] in keyup:
                    out["latency"].append(time.monotonic() - keyup.pop(event["utterance"]))
                    out["answered"] += 1

        task = asyncio.create_task(reader())
        step, seconds = rate * 2 // 50, len(pcm) / (2 * rate)
        while time.monotonic() + seconds < until:
            await ws.send(json.dumps({"type": "ptt", "pressed": True}))
            t0 = time.monotonic()
            for i, offset in enumerate(range(0, len(pcm), step)):
                await ws.send(pcm[offset:offset + step])
                await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.monotonic()))
            await ws.send(json.dumps({"type": "ptt", "pressed": False}))
            sent += 1
            keyup[sent] = time.monotonic()
            out["sent"] += 1
            await asyncio.sleep(seconds * (1 / TALK - 1))
        deadline = time.monotonic() + 60
        while keyup and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(task, 30)


@pytest.mark.parametrize("streams", STREAMS)
def test_radio_load(streams: int, tmp_path: Path) -> None:
    from lookup.db import make_engine
    from lookup.migrate import upgrade
    from lookup.seed import SeedOptions, seed_registry
    from service.app import create_app

    settings = voice_settings(tmp_path)
    upgrade(settings.registry.url)
    engine = make_engine(settings.registry.url)
    seed_registry(engine, SeedOptions(persons=300, vehicles=300))
    engine.dispose()
    clips = pick(load_clips(), channel="radio20", intent="plate_lookup", n=4)
    out: dict[str, Any] = {"admitted": 0, "refused": 0, "degraded": 0, "sent": 0, "answered": 0,
                           "latency": []}
    with LiveServer(create_app(settings)) as server:
        until = time.monotonic() + SECONDS

        async def run() -> None:
            await asyncio.gather(*(_channel(server.ws_url, n, clips[n % 4].pcm(), clips[n % 4].rate, until,
                                            out) for n in range(streams)))

        asyncio.run(run())
    lat = sorted(out["latency"])
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
    print(f"\nstreams {streams}: admitted {out['admitted']}, busy {out['refused']}, degraded "
          f"{out['degraded']}, utterances {out['sent']} sent / {out['answered']} answered "
          f"(lost {out['sent'] - out['answered']}); key-up to result p50 {p50:.2f} s, p95 {p95:.2f} s, "
          f"max {max(lat, default=float('nan')):.2f} s")
    assert out["sent"] == out["answered"], "an admitted session's utterance was lost"
