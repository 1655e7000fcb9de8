"""``patrol db init`` and ``patrol seed``: create/migrate the registry and fill it with synthetic data."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)


def _progress_bar(total: int) -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="row", unit_scale=True, desc="seeding")

    def update(table: str, n: int) -> None:
        bar.set_description(f"seeding {table}")
        bar.update(n)

    return bar, update


def _seed(url: str, persons: int, vehicles: int, seed: int, with_fixtures: bool) -> None:
    from lookup.db import make_engine
    from lookup.seed import SeedOptions, seed_registry

    engine = make_engine(url)
    try:
        # Persons, their licences (about 3/4) and vehicles are what the bar counts.
        bar, update = _progress_bar(int(persons * 1.75) + vehicles)
        t0 = time.perf_counter()
        report = seed_registry(
            engine,
            SeedOptions(persons=persons, vehicles=vehicles, seed=seed, with_fixtures=with_fixtures),
            progress=update,
        )
        bar.close()
        print(f"seeded {report.counts} in {time.perf_counter() - t0:.1f} s")
    finally:
        engine.dispose()


def _db_init(args: argparse.Namespace) -> int:
    from lookup.bulk import registry_counts
    from lookup.db import make_engine
    from lookup.migrate import upgrade

    url: str = args.url
    upgrade(url, versions=args.migration_versions)
    if args.seed_if_empty:
        engine = make_engine(url)
        try:
            counts = registry_counts(engine)
        finally:
            engine.dispose()
        if counts["person"] == 0 and counts["vehicle"] == 0:
            _seed(url, args.seed_if_empty, args.seed_if_empty, args.seed, True)
        else:
            print(f"registry already holds {counts['person']} persons and {counts['vehicle']} vehicles")
    return 0


def _seed_cmd(args: argparse.Namespace) -> int:
    from lookup.migrate import upgrade

    url: str = args.url
    upgrade(url, versions=args.migration_versions)
    _seed(url, args.persons, args.vehicles, args.seed, args.with_fixtures)
    return 0


def register(subparsers: Any, *, registry_url: str, migration_versions: Sequence[str] = ()) -> None:
    """Add ``db init`` and ``seed`` to the ``patrol`` command line.

    ``registry_url`` is the default for ``--url`` (the caller's configured registry);
    ``migration_versions`` are the caller's own Alembic version directories, migrated with
    the registry's (:func:`lookup.migrate.upgrade`).
    """
    db = subparsers.add_parser("db", help="registry database")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    p = dbsub.add_parser("init", help="migrate the registry to the latest schema (and seed it if empty)")
    p.add_argument("--url", default=registry_url, help="SQLAlchemy URL (default: the configured registry)")
    p.add_argument(
        "--seed-if-empty",
        type=int,
        default=0,
        metavar="N",
        help="seed N persons and N vehicles when the registry is empty",
    )
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=_db_init, migration_versions=tuple(migration_versions))
    p = subparsers.add_parser("seed", help="fill the registry with a deterministic synthetic population")
    p.add_argument("--persons", type=int, default=1000)
    p.add_argument("--vehicles", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--url", default=registry_url, help="SQLAlchemy URL (default: the configured registry)")
    p.add_argument(
        "--with-fixtures",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also insert the audio fixtures' subjects and the conformance plates",
    )
    p.set_defaults(func=_seed_cmd, migration_versions=tuple(migration_versions))
