"""Bulk writes to the registry tables: the driver's fastest path, and indexes off while loading.

SQLite gets ``executemany`` in batches, PostgreSQL ``COPY``; :func:`drop_indexes` and
:func:`create_indexes` bracket the load of an empty registry (:mod:`lookup.seed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text

from lookup.models import POSTGRES_TRGM_INDEXES, Alert, DriverLicence, Person, Vehicle
from lookup.store import ensure_trgm

# Called with (table, rows written since the last call).
Progress = Callable[[str, int], None]

# The column order of the row tuples written to each table.
COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        "id",
        "given",
        "family",
        "given_key",
        "family_key",
        "given_phon",
        "family_phon",
        "dob",
        "sex",
        "address",
        "region",
        "aliases",
    ),
    "driver_licence": ("id", "number", "number_skel", "number_rev", "holder_id", "region", "class", "status",
                       "expiry"),
    "vehicle": (
        "id",
        "plate",
        "plate_skel",
        "plate_rev",
        "region",
        "make",
        "model",
        "colour",
        "year",
        "vin",
        "owner_id",
        "status",
    ),
    "alert": ("id", "person_id", "vehicle_id", "kind", "officer_safety", "details", "issued", "expires"),
}


def bulk_insert(
    conn: Connection,
    table: str,
    rows: Iterable[tuple[Any, ...]],
    *,
    batch: int = 20000,
    progress: Progress | None = None,
) -> int:
    """Write tuples in the column order of ``COLUMNS[table]`` with the driver's fastest path."""
    cols = COLUMNS[table]
    n = 0
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
                if progress and n % batch == 0:
                    progress(table, batch)
        if progress:
            progress(table, n % batch)
        return n
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            conn.exec_driver_sql(sql, chunk)
            n += len(chunk)
            if progress:
                progress(table, len(chunk))
            chunk = []
    if chunk:
        conn.exec_driver_sql(sql, chunk)
        n += len(chunk)
        if progress:
            progress(table, len(chunk))
    return n


def registry_tables() -> list[Table]:
    return [m.__table__ for m in (Person, DriverLicence, Vehicle, Alert)]  # type: ignore[misc]


def drop_indexes(conn: Connection) -> None:
    """Drop the registry's secondary indexes (trigram ones too), to load an empty registry fast."""
    for table in registry_tables():
        for idx in table.indexes:
            conn.execute(text(f"DROP INDEX IF EXISTS {idx.name}"))
    if conn.dialect.name == "postgresql":
        for name in POSTGRES_TRGM_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def create_indexes(conn: Connection) -> None:
    """Build the registry's secondary indexes again and analyse its tables."""
    for table in registry_tables():
        for idx in table.indexes:
            idx.create(conn, checkfirst=True)
    if conn.dialect.name == "postgresql" and ensure_trgm(conn):
        for ddl in POSTGRES_TRGM_INDEXES.values():
            conn.execute(text(ddl))
    # Only the registry tables: a database-wide ANALYZE also locks catalogs and others' tables.
    for table in registry_tables():
        conn.execute(text(f"ANALYZE {table.name}"))


def registry_counts(engine: Engine) -> dict[str, int]:
    """Row counts of the registry tables."""
    with engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in registry_tables()}
