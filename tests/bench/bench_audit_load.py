"""Benchmark: ``POST /v1/query`` at 32 clients with the audit on (group commit), then ``kill -9``.

The real service in its own process (``patrol serve``, seeded registry, semantic routing
off), 32 async HTTP clients in this process posting typed plate checks, each text unique.
Reported per backend: requests answered per second, p50 / p95 latency; then SIGKILL under
the same load, and the check that every answered query has its audit entry and the chain
verifies. Backends: SQLite (file, audit with synchronous=FULL) and PostgreSQL (a scratch
schema).

Run by hand:  .venv/bin/python -m pytest -q tests/bench/bench_audit_load.py -s --override-ini addopts=
(PATROL_BENCH_SECONDS, default 20, sets the measured window.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text

from lookup.db import make_engine
from service.audit import AuditLog
from service.records import AuditEntry
from tests.e2e.conftest import PATROL, ROOT, _free_port

CLIENTS = 32
SECONDS = float(os.environ.get("PATROL_BENCH_SECONDS", "20"))
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def _serve(url: str, tmp: Path) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    env = {**os.environ, "PATROL_REGISTRY__URL": url, "PATROL_DATA_DIR": str(tmp),
           "PATROL_AUTH__RATE_PER_MINUTE": "100000000", "PATROL_ROUTER__SEMANTIC": "false",
           "PATROL_LOG_LEVEL": "WARNING"}
    subprocess.run([*PATROL, "db", "init", "--seed-if-empty", "2000"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    made = subprocess.run([*PATROL, "token", "create", "--role", "patrol", "--officer", "B-1", "--unit",
                           "PC-1"], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    token = made.stdout.strip().splitlines()[-1].split()[-1]
    port = _free_port()
    proc = subprocess.Popen([*PATROL, "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    break
            assert time.monotonic() < deadline and proc.poll() is None, "service did not start"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", token, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


async def _load(base: str, token: str, seconds: float, tag: str,
                kill: subprocess.Popen[bytes] | None = None) -> tuple[list[float], set[str], int]:
    latencies: list[float] = []
    answered: set[str] = set()
    failed = 0
    until = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal failed
        i = 0
        while time.monotonic() < until:
            body = {"text": f"run plate {tag}{n}X{i}"}
            i += 1
            t0 = time.perf_counter()
            try:
                r = await http.post("/v1/query", json=body, headers=headers)
            except httpx.HTTPError:
                return
            if r.status_code == 200:
                latencies.append(time.perf_counter() - t0)
                answered.add(body["text"])
            else:
                failed += 1

    async def killer() -> None:
        if kill is not None:
            await asyncio.sleep(seconds / 2)
            kill.kill()

    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(killer(), *(client(n, http) for n in range(CLIENTS)))
    return latencies, answered, failed


def _report(label: str, url: str, tmp: Path) -> None:
    with _serve(url, tmp) as (base, token, _proc):
        asyncio.run(_load(base, token, 3, "W"))  # warm up
        t0 = time.perf_counter()
        lat, _answered, failed = asyncio.run(_load(base, token, SECONDS, "M"))
        wall = time.perf_counter() - t0
    lat.sort()
    print(f"\n{label}: {len(lat) / wall:.0f} req/s answered ({len(lat)} in {wall:.1f} s, {failed} not 200), "
          f"p50 {statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(0.95 * len(lat))] * 1000:.0f} ms")
    with _serve(url, tmp) as (base, token, proc):
        _lat, answered, _failed = asyncio.run(_load(base, token, 6, "K", kill=proc))
        assert proc.wait(timeout=30) == -9
    engine = make_engine(url)
    try:
        report = AuditLog(engine).verify()
        with engine.connect() as conn:
            killed = AuditEntry.query_text.like("run plate K%")
            stored = set(conn.scalars(select(AuditEntry.query_text).where(killed)))
    finally:
        engine.dispose()
    lost = len(answered - stored)
    print(f"{label} kill -9: {len(answered)} answered before the kill, {lost} without an audit entry, "
          f"chain {'verified' if report.ok else 'BROKEN'} ({report.entries} entries)")
    assert report.ok and lost == 0


def test_audit_load_sqlite(tmp_path: Path) -> None:
    _report("SQLite", f"sqlite:///{tmp_path}/bench.sqlite3", tmp_path)


def test_audit_load_postgres(tmp_path: Path) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        _report("PostgreSQL", f"{PG_BASE}?options=-csearch_path%3D{schema}%2Cpublic", tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
