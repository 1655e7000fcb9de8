"""Two replicas of the service on one database keep one audit chain (issue 16, item 3).

Two ``patrol serve`` processes on the same registry (an SQLite file, or a PostgreSQL
schema), 16 clients on each posting typed queries at once. Every query must be answered
(no 503 from the audit), every answer must have its own entry, and the chain the two
replicas wrote together must verify. On SQLite the audit's ``BEGIN IMMEDIATE`` makes the
replicas take turns; on PostgreSQL the advisory lock does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from lookup.db import make_engine
from service.audit import AuditLog
from service.records import AuditEntry
from tests.e2e.conftest import seed_and_token, service_process

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLIENTS_PER_REPLICA = 16
QUERIES_PER_CLIENT = 12


async def _load(bases: list[str], token: str) -> tuple[set[str], list[int]]:
    answered: set[str] = set()
    refused: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def client(tag: str, http: httpx.AsyncClient) -> None:
        for i in range(QUERIES_PER_CLIENT):
            text = f"run plate R{tag}X{i}"
            r = await http.post("/v1/query", json={"text": text}, headers=headers)
            if r.status_code == 200:
                answered.add(text)
            else:
                refused.append(r.status_code)

    async with contextlib.AsyncExitStack() as stack:
        https = [await stack.enter_async_context(httpx.AsyncClient(base_url=b, timeout=60)) for b in bases]
        await asyncio.gather(*(client(f"{k}N{n}", http) for k, http in enumerate(https)
                               for n in range(CLIENTS_PER_REPLICA)))
    return answered, refused


def _two_replicas_one_chain(url: str, tmp: Path) -> None:
    env = {**os.environ, "PATROL_REGISTRY__URL": url, "PATROL_DATA_DIR": str(tmp),
           "PATROL_AUTH__RATE_PER_MINUTE": "1000000", "PATROL_ROUTER__SEMANTIC": "false"}
    token = seed_and_token(env, 200, "R-1", "PC-2")
    with (service_process(env, tmp / "a.log") as (_a, port_a),
          service_process(env, tmp / "b.log") as (_b, port_b)):
        bases = [f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"]
        answered, refused = asyncio.run(_load(bases, token))
    assert not refused, f"{len(refused)} queries not answered: {sorted(set(refused))}"
    assert len(answered) == 2 * CLIENTS_PER_REPLICA * QUERIES_PER_CLIENT
    engine = make_engine(url)
    try:
        audit = AuditLog(engine)
        report = audit.verify()
        assert report.ok, report.problems
        with engine.connect() as conn:
            stored = list(conn.scalars(select(AuditEntry.query_text).where(AuditEntry.source == "http")))
        assert sorted(str(t) for t in stored) == sorted(answered)  # each answer once, nothing else
        audit.close()
    finally:
        engine.dispose()


def test_two_replicas_on_one_sqlite_file_keep_one_chain(tmp_path: Path) -> None:
    _two_replicas_one_chain(f"sqlite:///{tmp_path}/registry.sqlite3", tmp_path)


@pytest.fixture()
def pg_schema_url() -> Iterator[str]:
    """A scratch schema, with ``public`` after it on the search path (pg_trgm lives there)."""
    schema = f"rep_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}%2Cpublic"
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_two_replicas_on_one_postgres_keep_one_chain(pg_schema_url: str, tmp_path: Path) -> None:
    _two_replicas_one_chain(pg_schema_url, tmp_path)
