"""Soak: 8 streams at 30 % talk time for 30 minutes; memory bounded, nothing lost, chain verified.

The same channels as :mod:`tests.bench.bench_radio_load` (real server, real model, seeded
SQLite registry, fixture clips keyed up in real time, silence suppressed between). RSS of
the process (server and clients; read from /proc) is sampled at the start, the middle and
the end (start: after the first tenth of the run, at most a minute, once the models have
warmed up); the audit chain is verified at the end and must hold one entry per answer.

Run by hand (30 minutes of two cores):
  .venv/bin/python -m pytest -q tests/bench/bench_radio_soak.py -s --override-ini addopts=
PATROL_SOAK_STREAMS (default 8) and PATROL_SOAK_SECONDS (default 1800) change the size;
PATROL_SOAK_RSS_GROWTH_MB (default 300) is the bound on growth from the start to the end.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_radio_load import _channel
from tests.voice.helpers import LiveServer, load_clips, pick, voice_settings

STREAMS = int(os.environ.get("PATROL_SOAK_STREAMS", "8"))
SECONDS = float(os.environ.get("PATROL_SOAK_SECONDS", "1800"))
GROWTH_MB = float(os.environ.get("PATROL_SOAK_RSS_GROWTH_MB", "300"))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_radio_soak(tmp_path: Path) -> None:
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
    rss: dict[str, float] = {}
    app = create_app(settings)
    with LiveServer(app) as server:
        until = time.monotonic() + SECONDS

        async def sample() -> None:
            rss["loaded"] = _rss_mb()
            warm = min(60.0, SECONDS / 10)  # the first answers load the spelling model's buffers
            await asyncio.sleep(warm)
            rss["start"] = _rss_mb()
            await asyncio.sleep(SECONDS / 2 - warm)
            rss["middle"] = _rss_mb()

        async def run() -> None:
            await asyncio.gather(sample(), *(_channel(server.ws_url, n, clips[n % 4].pcm(), clips[n % 4].rate,
                                                      until, out) for n in range(STREAMS)))

        asyncio.run(run())
        rss["end"] = _rss_mb()
        report = app.state.services.core.audit.verify()
    print(f"\nsoak {STREAMS} streams {SECONDS:.0f} s: RSS loaded {rss['loaded']:.0f} MB, start (warm) "
          f"{rss['start']:.0f} MB, middle "
          f"{rss['middle']:.0f} MB, end {rss['end']:.0f} MB; utterances {out['sent']} in, "
          f"{out['answered']} answered; busy {out['refused']}, degraded {out['degraded']}; chain "
          f"{'verified' if report.ok else 'BROKEN'} ({report.entries} entries)")
    assert out["sent"] == out["answered"]
    assert report.ok and report.entries >= out["answered"]
    assert rss["end"] - rss["start"] <= GROWTH_MB
