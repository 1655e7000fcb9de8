"""The Alembic chain creates the service tables, matching the models the app uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from lookup.db import make_engine
from service.audit import AuditLog, AuditRecord
from service.auth import TokenStore
from service.migrations import upgrade


def test_upgrade_creates_service_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    assert {"api_token", "audit_entry"} <= names
    TokenStore(engine).create(role="admin", officer="a")
    log = AuditLog(engine)
    log.append(AuditRecord(action="check", status="clear"))
    assert log.verify().ok
    engine.dispose()


def _legacy_hash(row: dict[str, object]) -> str:
    """The audit row hash of releases before 0004: SHA-256 over every column but id and hash."""
    import hashlib

    from service.audit_chain import canonical_json

    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def _write_legacy_chain(url: str, n: int) -> None:
    """An audit chain as the release before 0004_security wrote it (schema at 0002_service)."""
    from datetime import datetime, timedelta

    from sqlalchemy import text

    engine = make_engine(url)
    prev = "0" * 64
    start = datetime(2025, 3, 1, 8, 0, 0, 123456)
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            at = start + timedelta(minutes=seq)
            row: dict[str, object] = {
                "seq": seq, "at": at.isoformat(timespec="microseconds"), "officer": f"o{seq % 2}",
                "role": "patrol", "unit": "PC-1", "channel": "north-1", "session": "s", "source": "voice",
                "action": "check", "intent": "plate_lookup", "query_text": f"run plate ABC{seq}",
                "slots": f'{{"plate":"ABC{seq}"}}', "record_ids": f'["vehicle:{seq}"]',
                "subjects": f"|ABC{seq}|VEHICLE:{seq}|", "status": "clear", "reason": None, "prev_hash": prev,
            }
            digest = _legacy_hash(row)
            names = [*row, "hash"]
            sql = (f"INSERT INTO audit_entry ({', '.join(names)}) "
                   f"VALUES ({', '.join(':' + n for n in names)})")
            conn.execute(text(sql), {**row, "at": at, "hash": digest})
            prev = digest
    engine.dispose()


def _check_converted(url: str, n: int) -> None:
    from datetime import UTC, datetime, timedelta

    from service.retention import RetentionPolicy, run_retention

    engine = make_engine(url)
    log = AuditLog(engine)
    report = log.verify()
    assert report.ok, report.problems
    assert report.entries == n
    assert [r.seq for r in log.search(subject="ABC3")] == [3]
    log.append(AuditRecord(action="check", status="clear"))  # the converted chain takes new entries
    # the 2025 entries are past 365 days
    run_retention(log, RetentionPolicy(), now=datetime.now(UTC) + timedelta(days=1))
    after = log.verify()
    assert after.ok and after.redacted == n, after.problems
    TokenStore(engine).create(role="gateway", officer="g", channels=["north-1"])
    engine.dispose()


def test_migration_converts_an_existing_chain_and_keeps_it_valid(tmp_path: Path) -> None:
    migrate = pytest.importorskip("service.migrations")
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0002_service")
    _write_legacy_chain(url, 25)
    migrate.upgrade(url)
    _check_converted(url, 25)


def test_migration_refuses_to_convert_a_tampered_chain(tmp_path: Path) -> None:
    from sqlalchemy import text

    migrate = pytest.importorskip("service.migrations")
    url = f"sqlite:///{tmp_path}/bad.sqlite3"
    migrate.upgrade(url, "0002_service")
    _write_legacy_chain(url, 5)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET status = 'hit' WHERE seq = 3"))
    engine.dispose()
    with pytest.raises(RuntimeError, match="broken in 1 place"):
        migrate.upgrade(url)


def test_app_refuses_an_unmigrated_audit_table(tmp_path: Path) -> None:
    from service.core import ensure_tables

    migrate = pytest.importorskip("service.migrations")
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0002_service")
    engine = make_engine(url)
    with pytest.raises(RuntimeError, match="patrol db init"):
        ensure_tables(engine)
    engine.dispose()


@pytest.mark.postgres
def test_migration_converts_a_chain_on_postgres() -> None:
    import contextlib
    import uuid

    from sqlalchemy import create_engine, text

    from tests.service.conftest import PG_BASE

    migrate = pytest.importorskip("service.migrations")
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as err:  # pragma: no cover - environment without PostgreSQL
        pytest.skip(f"PostgreSQL not available: {type(err).__name__}")
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}%2Cpublic"  # pg_trgm lives in public
    try:
        migrate.upgrade(url, "0002_service")
        _write_legacy_chain(url, 12)
        migrate.upgrade(url)
        _check_converted(url, 12)
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_downgrade_restores_whole_row_hashes_unless_redacted(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from service.retention import RetentionPolicy, run_retention

    migrate = pytest.importorskip("service.migrations")
    url = f"sqlite:///{tmp_path}/down.sqlite3"
    migrate.upgrade(url, "0002_service")
    _write_legacy_chain(url, 6)
    migrate.upgrade(url)
    migrate.downgrade(url, "0002_service")
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_entry ORDER BY seq"))]
    prev = "0" * 64
    for row in rows:
        digest = row.pop("hash")
        row.pop("id")
        row["at"] = datetime.fromisoformat(str(row["at"])).isoformat(timespec="microseconds")
        assert row["prev_hash"] == prev and _legacy_hash(row) == digest
        prev = digest
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    run_retention(AuditLog(engine), RetentionPolicy(), now=datetime.now(UTC) + timedelta(days=1))
    engine.dispose()
    with pytest.raises(RuntimeError, match="redacted"):
        migrate.downgrade(url, "0002_service")


def test_the_registry_chain_alone_knows_no_service_tables(tmp_path: Path) -> None:
    from lookup.migrate import upgrade as registry_upgrade

    url = f"sqlite:///{tmp_path}/r.sqlite3"
    registry_upgrade(url)
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"person", "vehicle"} <= names and not {"api_token", "audit_entry"} & names
    upgrade(url)  # the service's revisions join the same chain later
    engine = make_engine(url)
    assert {"api_token", "audit_entry"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_patrol_db_init_migrates_the_service_tables_too(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from service.cli import main

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("PATROL_REGISTRY__URL", url)
    assert main(["db", "init"]) == 0
    engine = make_engine(url)
    assert {"person", "api_token", "audit_entry"} <= set(inspect(engine).get_table_names())
    engine.dispose()
