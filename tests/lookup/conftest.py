"""Registries for the lookup tests: a SQLite file and a private PostgreSQL schema, both seeded small.

The PostgreSQL registry lives in a schema of its own (``lk_<random>``) so that concurrent
test runs and other suites cannot see each other; pg_trgm is created in ``public`` (which
stays on the search path) and the schema is dropped at the end of the session.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lookup.db import make_engine
from lookup.engine import LookupEngine
from lookup.migrate import upgrade
from lookup.models import licence_keys, person_keys, plate_keys
from lookup.seed import SeedOptions, seed_registry

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEED = SeedOptions(persons=2000, vehicles=2000, seed=7)

# Extra subjects with known alerts for chain and ordering tests (ids far above the seeded ones).
EXTRA_PERSONS = [
    (900001, "Marcus", "Quill", "1979-02-11"),
    (900002, "Kenta", "Satoh", "1988-08-08"),
]
EXTRA_VEHICLES = [(900001, "QQ70ZZZ", "GB", "Ford", "Focus", "green", 900001)]
EXTRA_LICENCES = [(900001, "Q1234567", 900001, "suspended")]
EXTRA_ALERTS = [
    # (id, person, vehicle, kind, officer_safety, issued)
    (900001, None, 900001, "stolen", False, "2025-06-01"),
    (900002, 900001, None, "wanted", False, "2025-05-01"),
    (900003, 900001, None, "caution", True, "2024-01-01"),
    (900004, 900001, None, "missing", False, "2020-01-01"),
]


def _add_extras(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for pid, given, family, dob in EXTRA_PERSONS:
            conn.execute(
                text(
                    "INSERT INTO person (id, given, family, given_key, family_key, given_phon, family_phon, "
                    "dob, sex) VALUES (:id, :given, :family, :given_key, :family_key, :given_phon, "
                    ":family_phon, :dob, 'X')"
                ),
                {
                    "id": pid,
                    "given": given,
                    "family": family,
                    "dob": dt.date.fromisoformat(dob),
                    **person_keys(given, family),
                },
            )
        for vid, plate, region, make, model, colour, owner in EXTRA_VEHICLES:
            conn.execute(
                text(
                    "INSERT INTO vehicle (id, plate, plate_skel, plate_rev, region, make, model, colour, "
                    "owner_id, status) VALUES (:id, :plate, :plate_skel, :plate_rev, :region, :make, :model, "
                    ":colour, :owner, 'registered')"
                ),
                {
                    "id": vid,
                    "region": region,
                    "make": make,
                    "model": model,
                    "colour": colour,
                    "owner": owner,
                    **plate_keys(plate),
                },
            )
        for lid, number, holder, status in EXTRA_LICENCES:
            conn.execute(
                text(
                    "INSERT INTO driver_licence (id, number, number_skel, number_rev, holder_id, region, "
                    "class, status) "
                    "VALUES (:id, :number, :number_skel, :number_rev, :holder, 'CA', 'C', :status)"
                ),
                {"id": lid, "holder": holder, "status": status, **licence_keys(number)},
            )
        for aid, pid, vid, kind, safety, issued in EXTRA_ALERTS:
            conn.execute(
                text(
                    "INSERT INTO alert (id, person_id, vehicle_id, kind, officer_safety, details, issued) "
                    "VALUES (:id, :pid, :vid, :kind, :safety, 'test', :issued)"
                ),
                {
                    "id": aid,
                    "pid": pid,
                    "vid": vid,
                    "kind": kind,
                    "safety": safety,
                    "issued": dt.date.fromisoformat(issued),
                },
            )
    engine.dispose()


def _prepare(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    seed_registry(engine, SEED)
    engine.dispose()
    _add_extras(url)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated and seeded SQLite registry file."""
    path = Path(tmp_path_factory.mktemp("registry")) / "registry.sqlite3"
    url = f"sqlite:///{path}"
    _prepare(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated and seeded registry in a private PostgreSQL schema (skipped if no server)."""
    schema = f"lk_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as err:  # noqa: BLE001 - any connection problem means no PostgreSQL here
        admin.dispose()
        pytest.skip(f"PostgreSQL not available: {type(err).__name__}")
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}%2Cpublic"
    try:
        _prepare(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry_url(request: pytest.FixtureRequest) -> str:
    """The registry URL of each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture(scope="session")
def engine(registry_url: str) -> Iterator[LookupEngine]:
    """A LookupEngine over each backend's registry."""
    lookup = LookupEngine.from_url(registry_url)
    yield lookup
    lookup.close()
