"""Group commit of the audit log: concurrent entries share a transaction, the chain holds.

SQLite (its own full-sync connections) and PostgreSQL; on PostgreSQL two app instances
against the same database, answering typed queries at once, keep one valid chain.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.audit import AuditLog, AuditRecord
from service.errors import AuditError
from service.records import AuditEntry
from tests.service.conftest import PG_BASE, bearer, build_app, issue_tokens, make_settings
from tests.service.test_audit import _engine, _record


class CountingLog(AuditLog):
    """Counts transactions (one append_many call is one)."""

    transactions = 0

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        self.transactions += 1
        return super().append_many(records)


async def _write_all(log: AuditLog, n: int) -> list[AuditEntry]:
    return list(await asyncio.gather(*(log.write(_record(i)) for i in range(n))))


def test_concurrent_writes_share_transactions_and_chain(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path}/g.sqlite3")
    log = CountingLog(engine)
    rows = asyncio.run(_write_all(log, 200))
    # Every caller got its own committed entry, in submission order.
    assert [r.seq for r in rows] == list(range(1, 201))
    assert [r.query_text for r in rows] == [f"run plate ABC{i}" for i in range(200)]
    assert log.transactions < 50, log.transactions  # 200 entries, far fewer commits
    report = log.verify()
    assert report.ok and report.entries == 200, report.problems
    log.close()
    engine.dispose()


def test_sqlite_audit_connections_fsync_every_commit(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path}/s.sqlite3")
    log = AuditLog(engine)
    with log._writer.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    with engine.connect() as conn:  # the registry's own connections are untouched
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    log.close()
    engine.dispose()


def test_a_failed_batch_answers_none_of_its_callers(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path}/f.sqlite3")
    log = AuditLog(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_entry"))

    async def attempt() -> list[BaseException | AuditEntry]:
        return list(await asyncio.gather(*(log.write(_record(i)) for i in range(5)),
                                         return_exceptions=True))

    outcomes = asyncio.run(attempt())
    assert all(isinstance(o, AuditError) for o in outcomes), outcomes
    log.close()
    engine.dispose()


@pytest.fixture()
def fresh_pg() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own (the session's schema holds a tampered chain)."""
    schema = f"grp_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as err:  # pragma: no cover - environment without PostgreSQL
        pytest.skip(f"PostgreSQL not available: {type(err).__name__}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_two_app_instances_on_one_postgres_keep_one_chain(fresh_pg: str, tmp_path: Path) -> None:
    pg_url = fresh_pg
    for i in range(2):
        (tmp_path / f"r{i}").mkdir()
    apps = [build_app(make_settings(tmp_path / f"r{i}", registry={"url": pg_url},
                                    auth={"rate_per_minute": 10**6})) for i in range(2)]
    per_thread, errors = 25, []
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        token = issue_tokens(apps[0])["patrol"]
        base = apps[0].state.services.core.audit.verify().entries

        def hammer(client: TestClient, n: int) -> None:
            for i in range(per_thread):
                r = client.post("/v1/query", json={"text": f"run plate R{n}X{i}"}, headers=bearer(token))
                if r.status_code != 200:
                    errors.append(r.status_code)

        threads = [threading.Thread(target=hammer, args=(c, n)) for n, c in enumerate((a, b, a, b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        report = apps[1].state.services.core.audit.verify()
        assert report.ok, report.problems
        assert report.entries == base + 4 * per_thread
