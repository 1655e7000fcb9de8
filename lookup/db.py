"""Database plumbing shared by the registry, auth and audit tables.

One declarative ``Base`` (one metadata, one Alembic migration chain) and one engine
factory. SQLite is the embedded default; PostgreSQL is chosen by URL.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every table in the service."""


# A pooled PostgreSQL connection idle this long is pinged before it is handed out.
IDLE_PING_S = 5.0


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """Create an engine; for SQLite, create the file's folder and enable WAL and foreign keys.

    ``read_only``: the engine only reads (the registry's check chain). On PostgreSQL its
    connections then run in autocommit, so a check costs its SELECTs and nothing else (no
    BEGIN before them, no ROLLBACK when the connection goes back to the pool); each SELECT
    sees its own snapshot, which a check that reads a vehicle, then its owner, then alerts
    can afford. Nothing may write through such an engine.

    On PostgreSQL a connection that sat in the pool for :data:`IDLE_PING_S` or more is
    pinged when it is checked out, and a dead one replaced (after a restart or failover at
    a quiet hour, the first query finds a live connection). One in steady use is not: a
    ping on every checkout (``pool_pre_ping``) was a round trip on every check, 0.3 ms of
    server CPU a typed query. A connection that dies while in use still fails its query;
    the pool then replaces every connection older than the failure, and the check chain
    retries a check once on it (:class:`lookup.errors.StaleConnection`).
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=20)
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
            # PostgreSQL's fuzzystrmatch levenshtein(), so the near-miss search filters in SQL.
            dbapi_conn.create_function("levenshtein", 2, Levenshtein.distance, deterministic=True)

    else:
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)  # the dialect's own: autocommit, no transaction left
        except Exception as err:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError("pooled connection is gone") from err

