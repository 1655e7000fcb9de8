"""Benchmark: ``POST /v1/query`` at 32 clients with the audit on (group commit), then ``kill -9``.

The real service in its own processes (``patrol serve``, seeded registry, semantic routing
off): one replica, then two replicas on the same database (as a load balancer would spread
them; the clients split across the two ports). 32 keep-alive HTTP/1.1 clients in this
process post typed plate checks: a window where each text is unique and no plate is on file
(every check also runs the near-miss search: the worst case), then a window where
``PATROL_BENCH_ON_FILE`` (default 0.8) of the plates are registry plates. The clients are
raw asyncio streams, not httpx: httpx spent about as much CPU per request as the server
(6 ms), so on two cores it measured itself. Reported per backend, replica count and window:
requests answered per second, p50 / p95 latency; then SIGKILL of one replica under the
first window's load, and the check that every answered query has its audit entry and the
chain verifies. Backends: SQLite (file,
audit with synchronous=FULL) and PostgreSQL (a scratch schema).

Run by hand:  .venv/bin/python -m pytest -q tests/bench/bench_audit_load.py -s --override-ini addopts=
(PATROL_BENCH_SECONDS, default 20, sets the measured window.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from lookup.db import make_engine
from lookup.models import Vehicle
from service.audit import AuditLog
from service.records import AuditEntry
from tests.e2e.conftest import seed_and_token, service_process

CLIENTS = 32
SECONDS = float(os.environ.get("PATROL_BENCH_SECONDS", "20"))
# The registry `make run` seeds (SEED_PERSONS): a registry of 2,000 made PostgreSQL's planner
# scan the vehicle table for the trigram stage (6 ms a not-on-file plate) where at a
# realistic size it uses the trigram index (0.1-0.4 ms).
PERSONS = os.environ.get("PATROL_BENCH_PERSONS", "100000")
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The second window's share of plates on file (most checks at a roadside are of real plates).
ON_FILE = float(os.environ.get("PATROL_BENCH_ON_FILE", "0.8"))


@contextlib.contextmanager
def _serve(url: str, tmp: Path,
           replicas: int) -> Iterator[tuple[list[int], str, list[subprocess.Popen[bytes]]]]:
    env = {**os.environ, "PATROL_REGISTRY__URL": url, "PATROL_DATA_DIR": str(tmp),
           "PATROL_AUTH__RATE_PER_MINUTE": "100000000", "PATROL_ROUTER__SEMANTIC": "false",
           "PATROL_LOG_LEVEL": "WARNING"}
    token = seed_and_token(env, PERSONS, "B-1", "PC-1")
    with contextlib.ExitStack() as stack:
        served = [stack.enter_context(service_process(env, tmp / f"serve{k}.log")) for k in range(replicas)]
        yield [port for _proc, port in served], token, [proc for proc, _port in served]


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str, text: str) -> int:
    """One keep-alive ``POST /v1/query``; the status (the body is read and dropped)."""
    body = json.dumps({"text": text}).encode()
    writer.write(b"POST /v1/query HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def _load(ports: list[int], token: str, seconds: float, tag: str,
                kill: subprocess.Popen[bytes] | None = None,
                plates: list[str] | None = None) -> tuple[list[float], set[str], int]:
    latencies: list[float] = []
    answered: set[str] = set()
    failed = 0
    until = time.monotonic() + seconds

    async def client(n: int) -> None:
        nonlocal failed
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", ports[n % len(ports)])
        except OSError:
            return
        i = 0
        try:
            while time.monotonic() < until:
                # Unique texts (none on file), or the given plates in turn.
                plate = plates[(n * 7919 + i) % len(plates)] if plates else f"{tag}{n}X{i}"
                text = f"run plate {plate}"
                i += 1
                t0 = time.perf_counter()
                status = await _post(reader, writer, token, text)
                if status == 200:
                    latencies.append(time.perf_counter() - t0)
                    answered.add(text)
                else:
                    failed += 1
        except (OSError, asyncio.IncompleteReadError):
            return  # the replica was killed
        finally:
            writer.close()

    async def killer() -> None:
        if kill is not None:
            await asyncio.sleep(seconds / 2)
            kill.kill()

    await asyncio.gather(killer(), *(client(n) for n in range(CLIENTS)))
    return latencies, answered, failed


def _print(label: str, lat: list[float], wall: float, failed: int) -> None:
    lat.sort()
    print(f"{label}: {len(lat) / wall:.0f} req/s answered ({len(lat)} in {wall:.1f} s, {failed} not 200), "
          f"p50 {statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(0.95 * len(lat))] * 1000:.0f} ms")


def _mixed_plates(url: str, n: int = 2000) -> list[str]:
    """``n`` plates, ``ON_FILE`` of them on file (random registry plates), the rest not."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            on_file = list(conn.scalars(select(Vehicle.plate).order_by(func.random()).limit(n)))
    finally:
        engine.dispose()
    rng = random.Random(7)
    kept = int(n * ON_FILE)
    missing = [f"Q{rng.randrange(10**6):06d}Z" for _ in range(n - kept)]
    plates = on_file[:kept] + missing
    rng.shuffle(plates)
    return plates


def _report(label: str, url: str, tmp: Path, replicas: int) -> None:
    with _serve(url, tmp, replicas) as (ports, token, _procs):
        asyncio.run(_load(ports, token, 3, "W"))  # warm up
        t0 = time.perf_counter()
        lat, _answered, failed = asyncio.run(_load(ports, token, SECONDS, f"M{replicas}R"))
        wall = time.perf_counter() - t0
        _print(f"\n{label}, {replicas} replica(s), no plate on file", lat, wall, failed)
        mix = _mixed_plates(url)
        t0 = time.perf_counter()
        lat, _answered, failed = asyncio.run(_load(ports, token, SECONDS, "F", plates=mix))
        _print(f"{label}, {replicas} replica(s), {ON_FILE:.0%} of plates on file", lat,
               time.perf_counter() - t0, failed)
    tag = f"K{replicas}R"
    with _serve(url, tmp, replicas) as (ports, token, procs):
        _lat, answered, _failed = asyncio.run(_load(ports, token, 6, tag, kill=procs[0]))
        assert procs[0].wait(timeout=30) == -9
    engine = make_engine(url)
    try:
        report = AuditLog(engine).verify()
        with engine.connect() as conn:
            killed = AuditEntry.query_text.like(f"run plate {tag}%")
            stored = set(conn.scalars(select(AuditEntry.query_text).where(killed)))
    finally:
        engine.dispose()
    lost = len(answered - stored)
    print(f"{label} kill -9 of one of {replicas}: {len(answered)} answered, {lost} without an audit entry, "
          f"chain {'verified' if report.ok else 'BROKEN'} ({report.entries} entries)")
    assert report.ok and lost == 0


@pytest.mark.parametrize("replicas", [1, 2])
def test_audit_load_sqlite(tmp_path: Path, replicas: int) -> None:
    _report("SQLite", f"sqlite:///{tmp_path}/bench.sqlite3", tmp_path, replicas)


@pytest.mark.parametrize("replicas", [1, 2])
def test_audit_load_postgres(tmp_path: Path, replicas: int) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        _report("PostgreSQL", f"{PG_BASE}?options=-csearch_path%3D{schema}%2Cpublic", tmp_path, replicas)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
