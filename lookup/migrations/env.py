"""Alembic environment for the patrol registry (and the service tables on the same Base)."""

from __future__ import annotations

import importlib

from alembic import context

import lookup.models  # noqa: F401  (registers the registry tables on Base.metadata)
from lookup.db import Base, make_engine

try:  # The service's own tables (api tokens, audit) share the Base when that module exists.
    importlib.import_module("service.records")
except ModuleNotFoundError as err:
    if err.name not in ("service", "service.records"):
        raise

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (one passed in ``config.attributes`` or a new engine)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
