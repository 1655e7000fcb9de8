"""Load run: N radio streams for S seconds; the inference pool's own gauge says how many
decodes ever ran at once, which must not pass its workers.

The channels of :mod:`tests.bench.bench_radio_load` (real server, real model, seeded SQLite
registry, fixture clips keyed up in real time at 30 % talk time, silence suppressed between).
While they run, ``GET /metrics`` is scraped twice a second: ``patrol_pool_running`` and
``patrol_pool_waiting`` per pool, and at the end ``patrol_pool_peak_running``, the most calls
each pool's threads ever ran at once (counted inside the threads, so a cancelled speculative
decode still counts until its thread returns).

Run by hand:
  PATROL_GAUGE_STREAMS=16 PATROL_GAUGE_SECONDS=60 \\
  .venv/bin/python -m pytest -q tests/bench/bench_pool_gauge.py -s --override-ini addopts=
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.bench.bench_radio_load import _channel
from tests.voice.helpers import LiveServer, load_clips, pick, voice_settings

STREAMS = int(os.environ.get("PATROL_GAUGE_STREAMS", "16"))
SECONDS = float(os.environ.get("PATROL_GAUGE_SECONDS", "60"))
_SAMPLE = re.compile(r'^patrol_pool_(running|waiting|peak_running|workers)\{pool="(\w+)"\} ([0-9.e+-]+)$',
                     re.MULTILINE)


def pool_gauges(text: str) -> dict[tuple[str, str], float]:
    """``{(gauge, pool): value}`` from a Prometheus text page."""
    return {(m.group(1), m.group(2)): float(m.group(3)) for m in _SAMPLE.finditer(text)}


def test_peak_decodes_within_workers(tmp_path: Path) -> None:
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
    seen: dict[tuple[str, str], float] = {}
    final: dict[tuple[str, str], float] = {}
    with LiveServer(create_app(settings)) as server:
        until = time.monotonic() + SECONDS

        async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
            return pool_gauges((await client.get(f"{server.http_url}/metrics")).text)

        async def sampler(client: httpx.AsyncClient) -> None:
            while time.monotonic() < until:
                for key, value in (await scrape(client)).items():
                    seen[key] = max(seen.get(key, 0.0), value)
                await asyncio.sleep(0.5)

        async def run() -> None:
            async with httpx.AsyncClient(timeout=10) as client:
                await asyncio.gather(sampler(client), *(
                    _channel(server.ws_url, n, clips[n % 4].pcm(), clips[n % 4].rate, until, out)
                    for n in range(STREAMS)))
                final.update(await scrape(client))

        asyncio.run(run())
    workers = final[("workers", "inference")]
    peak = final[("peak_running", "inference")]
    pools = sorted({pool for _gauge, pool in final})
    print(f"\n{STREAMS} streams {SECONDS:.0f} s: admitted {out['admitted']}, busy {out['refused']}, "
          f"utterances {out['sent']} sent / {out['answered']} answered")
    for pool in pools:
        print(f"  pool {pool}: workers {final[('workers', pool)]:.0f}, peak running "
              f"{final[('peak_running', pool)]:.0f}, most running seen {seen.get(('running', pool), 0):.0f}, "
              f"most waiting seen {seen.get(('waiting', pool), 0):.0f}")
    assert peak <= workers, (peak, workers)
    assert peak >= 1  # the gauge did count decodes
