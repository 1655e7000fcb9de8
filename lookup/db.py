"""Database plumbing shared by the registry, auth and audit tables.

One declarative ``Base`` (one metadata, one Alembic migration chain) and one engine
factory. SQLite is the embedded default; PostgreSQL is chosen by URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every table in the service."""


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """Create an engine; for SQLite, create the file's folder and enable WAL and foreign keys.

    ``read_only``: the engine only reads (the registry's check chain). On PostgreSQL its
    connections then run in autocommit, so a check costs its SELECTs and nothing else (no
    BEGIN before them, no ROLLBACK when the connection goes back to the pool); each SELECT
    sees its own snapshot, which a check that reads a vehicle, then its owner, then alerts
    can afford. Nothing may write through such an engine.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        if read_only:
            kwargs["isolation_level"] = "AUTOCOMMIT"
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

    return engine

