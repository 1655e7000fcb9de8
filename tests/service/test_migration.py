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
