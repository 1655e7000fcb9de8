"""Benchmark: audit entries per second alone, group commit against one transaction per entry.

32 concurrent async writers on one :class:`~service.audit.AuditLog` (SQLite with its
synchronous=FULL audit connections, and PostgreSQL on a scratch schema). "per entry" is
the path before group commit (``asyncio.to_thread(append)``: one transaction each);
"group" is :meth:`AuditLog.write`. Each entry is durable before its writer goes on, and
the chain is verified after each run.

Run by hand:  .venv/bin/python -m pytest -q tests/bench/bench_audit_write.py -s --override-ini addopts=
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lookup.db import make_engine
from service.audit import AuditLog
from service.core import ensure_tables
from tests.service.test_audit import _record

WRITERS = 32
ENTRIES = int(os.environ.get("PATROL_BENCH_ENTRIES", "2000"))
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


async def _run(log: AuditLog, grouped: bool) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def writer(n: int) -> None:
        for i in range(n, ENTRIES, WRITERS):
            t0 = time.perf_counter()
            if grouped:
                await log.write(_record(i))
            else:
                await asyncio.to_thread(log.append, _record(i))
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    return time.perf_counter() - t0, sorted(latencies)


def _bench(label: str, url: str) -> None:
    engine = make_engine(url)
    ensure_tables(engine)
    log = AuditLog(engine)
    try:
        for grouped in (False, True):
            wall, lat = asyncio.run(_run(log, grouped))
            kind = "group commit" if grouped else "per entry"
            p95 = lat[int(0.95 * len(lat))]
            print(f"\n{label} {kind}: {ENTRIES / wall:.0f} entries/s, "
                  f"p50 {statistics.median(lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        report = log.verify()
        assert report.ok and report.entries == 2 * ENTRIES, report.problems
    finally:
        log.close()
        engine.dispose()


def test_audit_write_sqlite(tmp_path: Path) -> None:
    _bench("SQLite", f"sqlite:///{tmp_path}/audit.sqlite3")


def test_audit_write_postgres() -> None:
    schema = f"aw_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as err:  # pragma: no cover - environment without PostgreSQL
        pytest.skip(f"PostgreSQL not available: {type(err).__name__}")
    try:
        _bench("PostgreSQL", f"{PG_BASE}?options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
