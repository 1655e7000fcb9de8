"""The Alembic chain creates the service tables, matching the models the app uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from lookup.db import make_engine
from service.audit import AuditLog, AuditRecord
from service.auth import TokenStore


def test_upgrade_creates_service_tables(tmp_path: Path) -> None:
    migrate = pytest.importorskip("lookup.migrate")
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    assert {"api_token", "audit_entry"} <= names
    TokenStore(engine).create(role="admin", officer="a")
    log = AuditLog(engine)
    log.append(AuditRecord(action="check", status="clear"))
    assert log.verify().ok
    engine.dispose()
