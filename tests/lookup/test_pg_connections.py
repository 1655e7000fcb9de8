"""Pooled PostgreSQL connections that die (a restart, a failover): checks still answer.

Without ``pool_pre_ping`` (a round trip on every checkout), a connection idle in the pool
for a while is pinged when checked out, and one that dies in steady use fails its query
once, after which the pool replaces it and the check chain retries the check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

import lookup.db
from lookup.engine import LookupEngine

pytestmark = pytest.mark.postgres

APP = "patrol-stale-test"


@pytest.fixture()
def lookup_pg(postgres_url: str) -> Iterator[LookupEngine]:
    engine = LookupEngine.from_url(f"{postgres_url}&application_name={APP}")
    yield engine
    engine.close()


def _kill_backends(url: str) -> int:
    """Terminate every backend the engine under test holds (by its application name)."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE application_name = :app"), {"app": APP}).all())
    finally:
        admin.dispose()


def _plate(engine: LookupEngine) -> str:
    with engine.store.engine.connect() as conn:
        return str(conn.execute(text("SELECT plate FROM vehicle ORDER BY id LIMIT 1")).scalar_one())


def test_a_connection_killed_in_steady_use_costs_one_retry(
        lookup_pg: LookupEngine, postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    plate = _plate(lookup_pg)
    before = lookup_pg.check(lookup_pg.understand(f"run plate {plate}"))
    assert before.record_ids  # on file
    assert _kill_backends(postgres_url) >= 1
    with caplog.at_level(logging.WARNING, logger="lookup.chain"):
        after = lookup_pg.check(lookup_pg.understand(f"run plate {plate}"))
    assert (after.status, after.record_ids) == (before.status, before.record_ids)
    assert any("retrying it once" in r.getMessage() for r in caplog.records)


def test_a_connection_killed_while_idle_is_replaced_before_use(
        lookup_pg: LookupEngine, postgres_url: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    plate = _plate(lookup_pg)
    before = lookup_pg.check(lookup_pg.understand(f"run plate {plate}"))
    assert before.record_ids
    monkeypatch.setattr(lookup.db, "IDLE_PING_S", 0.0)  # every pooled connection counts as idle
    assert _kill_backends(postgres_url) >= 1
    with caplog.at_level(logging.WARNING):
        result = lookup_pg.check(lookup_pg.understand(f"run plate {plate}"))
    assert (result.status, result.record_ids) == (before.status, before.record_ids)
    # The checkout ping found the dead connection: no query failed, nothing was retried.
    assert not [r for r in caplog.records if r.name.startswith("lookup")]


def test_an_extension_outside_the_search_path_is_not_used(postgres_url: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    """pg_trgm lives in ``public``; a connection that does not search ``public`` cannot use its
    operators, so it is reported unusable (the trigram stage is then off) instead of failing
    on ``gin_trgm_ops`` later."""
    from lookup.store import ensure_trgm

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert ensure_trgm(conn)
            where = conn.execute(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                      "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar()
            assert where == "public"
            conn.execute(text("SET search_path TO pg_catalog"))
            with caplog.at_level(logging.WARNING, logger="lookup.store"):
                assert not ensure_trgm(conn)
            assert "outside the search path" in caplog.text
            conn.rollback()
    finally:
        engine.dispose()
