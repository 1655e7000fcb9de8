"""Seeder determinism and formats, migrations, and the ``patrol db init`` / ``patrol seed`` commands."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from lookup.bulk import registry_counts
from lookup.cli import register
from lookup.db import make_engine
from lookup.migrate import downgrade, upgrade
from lookup.readback import alert_phrase, vehicle_readback
from lookup.seed import SeedOptions, make_licence, make_plate, seed_registry


def _plates(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT plate FROM vehicle ORDER BY id"))]
    engine.dispose()
    return rows


def test_same_seed_same_registry(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path}/a.sqlite3", f"sqlite:///{tmp_path}/b.sqlite3"]
    for url in urls:
        upgrade(url)
        seed_registry(make_engine(url), SeedOptions(persons=300, vehicles=300, seed=42))
    assert _plates(urls[0]) == _plates(urls[1])
    plates = _plates(urls[0])
    assert {"ABC123", "XYZ456", "7XYZ456"} <= set(plates)
    assert len(plates) == len(set(plates))


def test_reseeding_appends_without_duplicates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/r.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    seed_registry(engine, SeedOptions(persons=200, vehicles=200, seed=1))
    before = registry_counts(engine)
    seed_registry(engine, SeedOptions(persons=100, vehicles=100, seed=2))
    after = registry_counts(engine)
    engine.dispose()
    assert after["person"] == before["person"] + 100 and after["vehicle"] == before["vehicle"] + 100
    plates = _plates(url)
    assert len(plates) == len(set(plates))


@pytest.mark.parametrize(
    ("region", "pattern"),
    [
        ("CA", r"[1-9][A-Z]{3}\d{3}"),
        ("NY", r"[A-Z]{3}\d{4}"),
        ("TX", r"[A-Z]{3}\d{4}"),
        ("GB", r"[A-Z]{2}\d{2}[A-Z]{3}"),
    ],
)
def test_plate_formats(region: str, pattern: str) -> None:
    rng = random.Random(1)
    assert all(re.fullmatch(pattern, make_plate(rng, region)) for _ in range(50))


def test_licence_formats() -> None:
    import datetime as dt

    rng = random.Random(1)
    dob = dt.date(1985, 7, 4)
    assert re.fullmatch(r"[A-Z]\d{7}", make_licence(rng, "CA", "Smith", "John", dob))
    assert re.fullmatch(r"\d{9}", make_licence(rng, "NY", "Smith", "John", dob))
    uk = make_licence(rng, "GB", "Smith", "John", dob)
    assert len(uk) == 16 and uk.startswith("SMITH807045J9")


def test_migrations_up_and_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"person", "driver_licence", "vehicle", "alert", "alembic_version"} <= tables
    indexes = {i["name"] for i in inspect(engine).get_indexes("vehicle")}
    assert {"ix_vehicle_plate", "ix_vehicle_skel", "ix_vehicle_rev"} <= indexes
    engine.dispose()
    downgrade(url, "base")
    engine = make_engine(url)
    assert "person" not in inspect(engine).get_table_names()
    engine.dispose()


def test_the_licence_reversed_skeleton_is_filled_for_existing_rows(tmp_path: Path) -> None:
    # A registry made before 0003: its licences get number_rev on upgrade, and lose it on downgrade.
    url = f"sqlite:///{tmp_path}/m3.sqlite3"
    upgrade(url, "0001_registry")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, given, family, given_key, family_key, given_phon, "
                          "family_phon, dob, sex) "
                          "VALUES (1, 'A', 'B', 'a', 'b', 'A', 'B', '1980-01-01', 'F')"))
        conn.execute(text("INSERT INTO driver_licence (id, number, number_skel, holder_id, class, status) "
                          "VALUES (1, 'N8830251', 'N8830251', 1, 'C', 'valid')"))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT number_rev FROM driver_licence")).scalar_one() == "1520388N"
    assert "ix_licence_rev" in {i["name"] for i in inspect(engine).get_indexes("driver_licence")}
    engine.dispose()
    downgrade(url, "0001_registry")
    engine = make_engine(url)
    assert "number_rev" not in {c["name"] for c in inspect(engine).get_columns("driver_licence")}
    engine.dispose()


def test_cli_db_init_and_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True), registry_url=url)
    args = parser.parse_args(["db", "init", "--seed-if-empty", "150"])  # the URL given to register
    assert args.func(args) == 0
    engine = make_engine(url)
    first = registry_counts(engine)
    assert first["person"] >= 150 and first["vehicle"] >= 150
    args = parser.parse_args(["db", "init", "--url", url, "--seed-if-empty", "150"])
    assert args.func(args) == 0  # not empty: no second seeding
    assert registry_counts(engine) == first
    args = parser.parse_args(
        ["seed", "--persons", "50", "--vehicles", "60", "--seed", "3", "--url", url, "--no-with-fixtures"]
    )
    assert args.func(args) == 0
    counts = registry_counts(engine)
    engine.dispose()
    assert counts["person"] == first["person"] + 50 and counts["vehicle"] == first["vehicle"] + 60
    assert "seeded" in capsys.readouterr().out


def test_readback_is_short_and_alerts_worst_first() -> None:
    vehicle = {
        "plate": "7XYZ456",
        "colour": "silver",
        "make": "Toyota",
        "model": "Corolla",
        "status": "registered",
        "owner": {"given": "John", "family": "Smith", "licence": {"status": "valid"}},
    }
    alerts = [{"kind": "caution", "officer_safety": True}, {"kind": "stolen", "officer_safety": False}]
    text_ = vehicle_readback(vehicle, alerts)
    assert text_ == (
        "Seven X-ray Yankee Zulu four five six, silver Toyota Corolla, registered owner John Smith, "
        "STOLEN, use caution."
    )
    assert alert_phrase([]) == ""
    assert len(text_) < 140
