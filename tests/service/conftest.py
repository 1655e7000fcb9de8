"""Fixtures of the service core tests: an app on a temporary SQLite file with fakes, tokens
for every role, and a unique PostgreSQL schema per test session."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.app import create_app
from service.auth import ALL_ROLES
from service.settings import Settings
from tests.service.fakes import FakeLookup, FakeTranscriber

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings on a private SQLite file, semantic routing off unless asked for."""
    values: dict[str, Any] = {
        "data_dir": tmp,
        "registry": {"url": f"sqlite:///{tmp}/svc.sqlite3"},
        "router": {"semantic": False},
    }
    values.update(overrides)
    return Settings(**values)


def build_app(settings: Settings, **kw: Any) -> FastAPI:
    """create_app with the fake transcriber and lookup engine unless replaced."""
    kw.setdefault("transcriber", FakeTranscriber())
    kw.setdefault("lookup", FakeLookup())
    return create_app(settings, **kw)


def issue_tokens(app: FastAPI) -> dict[str, str]:
    """One token per role, created through the real token store."""
    store = app.state.services.core.tokens
    return {role: store.create(role=role, officer=f"{role}-1", unit="PC-12") for role in sorted(ALL_ROLES)}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """One app per test module with tokens for every role."""
    app = build_app(make_settings(tmp_path_factory.mktemp("svc")))
    with TestClient(app) as client:
        yield client, issue_tokens(app)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped at the end."""
    schema = f"svc_{uuid.uuid4().hex[:10]}"
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
