"""Benchmark: ``POST /v1/query`` throughput and latency at 16 concurrent clients, audit on.

Runs a real uvicorn server in a background thread with the real lookup engine over a seeded
registry (2,000 persons and vehicles plus the fixture subjects), and 16 async HTTP clients
sending a mix of plate, person and licence queries. Every request writes a hash-chained audit
entry before it is answered. Backends: SQLite (file) and PostgreSQL (a scratch schema).

Run by hand:  .venv/bin/python -m pytest -q tests/bench/bench_query.py -s --override-ini addopts=
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from service.cli import main as patrol
from service.settings import Settings
from tests.service.fakes import FakeTranscriber
from tests.service.test_redis_events import Server

CLIENTS = 16
REQUESTS = 1200
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUERIES = (
    "run plate 7 X Y Z 4 5 6",
    "check plate alpha bravo charlie one two three",
    "person check Maria Garcia date of birth march third nineteen eighty five",
    "licence number D 1 2 3 4 5 6 7",
    "run plate 7XYZ456",
    "plate K I L 9 0 2",
)


def _run(url: str, label: str, tmp: Path) -> dict[str, float]:
    from service.app import create_app

    patrol(["db", "init", "--url", url])
    patrol(["seed", "--persons", "2000", "--vehicles", "2000", "--url", url])
    settings = Settings(
        data_dir=tmp, registry={"url": url}, router={"semantic": False}, auth={"rate_per_minute": 10**6}
    )
    app = create_app(settings, transcriber=FakeTranscriber())
    with Server(app) as server:
        token = app.state.services.core.tokens.create(role="patrol", officer="BENCH-1", unit="PC-1")
        latencies: list[float] = []
        statuses: dict[int, int] = {}

        async def client(n: int, http: httpx.AsyncClient) -> None:
            for i in range(n, REQUESTS, CLIENTS):
                t0 = time.perf_counter()
                r = await http.post("/v1/query", json={"text": QUERIES[i % len(QUERIES)]})
                latencies.append(time.perf_counter() - t0)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        async def main() -> float:
            limits = httpx.Limits(max_connections=CLIENTS)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{server.port}",
                limits=limits,
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as http:
                for q in QUERIES:  # warm-up
                    await http.post("/v1/query", json={"text": q})
                t0 = time.perf_counter()
                await asyncio.gather(*(client(n, http) for n in range(CLIENTS)))
                return time.perf_counter() - t0

        elapsed = asyncio.run(main())
        report = app.state.services.core.audit.verify()
    latencies.sort()
    result = {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * len(latencies)) - 1] * 1000,
        "p99_ms": latencies[int(0.99 * len(latencies)) - 1] * 1000,
    }
    print(
        f"\n[{label}] {CLIENTS} clients, {result['requests']} requests, statuses {statuses}: "
        f"{result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; audit chain ok={report.ok} entries={report.entries}"
    )
    assert statuses == {200: REQUESTS} and report.ok
    return result


def test_bench_sqlite(tmp_path: Path) -> None:
    _run(f"sqlite:///{tmp_path}/bench.sqlite3", "sqlite", tmp_path)


@pytest.mark.postgres
def test_bench_postgres(tmp_path: Path) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # public stays on the path for the pg_trgm operator classes the registry indexes use.
        _run(f"{PG_BASE}?options=-csearch_path%3D{schema},public", "postgresql", tmp_path)
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
