"""Deterministic synthetic registry: persons, licences, vehicles and alerts, fast enough for 1M rows.

Speed comes from: name/address pools drawn from Faker once (en_US, en_GB, ja_JP romanized)
instead of per row, search keys computed per pool entry (cached), rows built as tuples and
written with the driver's bulk path (:mod:`lookup.bulk`: SQLite ``executemany``, PostgreSQL
``COPY``), and secondary indexes dropped before loading an empty registry and built after.
The fixture subjects (``fixtures.queries.subjects()``) and the conformance plates ABC123 and
XYZ456 are inserted first, with fixed ids, so voice end-to-end checks hit.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from sqlalchemy import Engine, func, select, text

from lookup.bulk import Progress, bulk_insert, create_indexes, drop_indexes, registry_tables
from lookup.models import LICENCE_STATUSES
from lookup.names import name_key, phonetic_key
from lookup.spoken import skeleton
from lookup.vocab import COLOURS, MAKES_MODELS

logger = logging.getLogger(__name__)

_LOCALES = (("en_US", 0.6), ("en_GB", 0.25), ("ja_JP", 0.15))
_US_REGIONS = ("CA", "CA", "NY", "TX")
_LETTERS = string.ascii_uppercase
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_PERSON_ALERTS = (("wanted", 0.35), ("caution", 0.25), ("protection_order", 0.25), ("missing", 0.15))
_VEHICLE_ALERTS = (("stolen", 0.7), ("wanted", 0.2), ("caution", 0.1))
_DETAILS = {
    "wanted": "warrant on file",
    "caution": "officer safety: known violent",
    "stolen": "reported stolen",
    "protection_order": "protection order in force",
    "missing": "reported missing",
}


@dataclass(frozen=True, slots=True)
class SeedOptions:
    """What to generate.

    Attributes:
        persons: synthetic persons (fixture subjects come on top).
        vehicles: synthetic vehicles.
        seed: random seed; the same seed gives the same registry.
        with_fixtures: insert the fixture subjects and conformance plates first.
        alert_rate: share of persons and of vehicles that carry an alert.
        licence_rate: share of persons holding a licence.
        batch: rows per bulk write.
    """

    persons: int = 1000
    vehicles: int = 1000
    seed: int = 1
    with_fixtures: bool = True
    alert_rate: float = 0.02
    licence_rate: float = 0.75
    batch: int = 20000


@dataclass(slots=True)
class SeedReport:
    """Rows written per table."""

    counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Pools:
    given: dict[str, list[tuple[str, str]]]
    family: dict[str, list[str]]
    streets: list[str]


def _pools(seed: int, size: int = 1500) -> _Pools:
    given: dict[str, list[tuple[str, str]]] = {}
    family: dict[str, list[str]] = {}
    for locale, _w in _LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        if locale == "ja_JP":
            given[locale] = [(fake.first_romanized_name_male(), "M") for _ in range(size // 2)] + [
                (fake.first_romanized_name_female(), "F") for _ in range(size // 2)
            ]
            family[locale] = [fake.last_romanized_name() for _ in range(size)]
        else:
            given[locale] = [(fake.first_name_male(), "M") for _ in range(size // 2)] + [
                (fake.first_name_female(), "F") for _ in range(size // 2)
            ]
            family[locale] = [fake.last_name() for _ in range(size)]
    fake = Faker("en_US")
    fake.seed_instance(seed)
    streets = [f"{fake.street_address()}, {fake.city()}" for _ in range(size)]
    return _Pools(given, family, streets)


def make_plate(rng: random.Random, region: str) -> str:
    """A plate in the region's format: CA 7ABC123, NY/TX ABC1234, GB AB12CDE."""
    letters = rng.choices(_LETTERS, k=5)
    digits = [str(d) for d in rng.choices(range(10), k=4)]
    if region == "CA":
        return str(rng.randint(1, 9)) + "".join(letters[:3]) + "".join(digits[:3])
    if region == "GB":
        return "".join(letters[:2]) + "".join(digits[:2]) + "".join(letters[2:5])
    return "".join(letters[:3]) + "".join(digits)


def make_licence(rng: random.Random, region: str, family: str, given: str, dob: dt.date) -> str:
    """A licence number in the region's format: CA A1234567, NY 9 digits, TX 8 digits, GB DVLA 16."""
    if region == "CA":
        return rng.choice(_LETTERS) + f"{rng.randrange(10**7):07d}"
    if region == "NY":
        return f"{rng.randrange(10**9):09d}"
    if region == "GB":
        surname = (name_key(family).upper() + "99999")[:5]
        initials = (name_key(given)[:1].upper() or "X") + "9"
        return (
            f"{surname}{str(dob.year)[2]}{dob.month:02d}{dob.day:02d}{str(dob.year)[3]}"
            f"{initials}{rng.randrange(10)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
        )
    return f"{rng.randrange(10**8):08d}"


def _person_row(
    pid: int,
    given: str,
    family: str,
    dob: dt.date,
    sex: str,
    address: str | None,
    region: str | None,
    aliases: str | None = None,
) -> tuple[Any, ...]:
    return (
        pid,
        given,
        family,
        name_key(given),
        name_key(family),
        phonetic_key(given),
        phonetic_key(family),
        dob.isoformat(),
        sex,
        address,
        region,
        aliases,
    )


def _licence_row(lid: int, number: str, holder_id: int, region: str, klass: str, status: str,
                 expiry: str) -> tuple[Any, ...]:
    skel = skeleton(number)
    return (lid, number, skel, skel[::-1], holder_id, region, klass, status, expiry)


def _vehicle_row(vid: int, plate: str, region: str, make: str, model: str, colour: str, year: int,
                 vin: str, owner_id: int | None, status: str) -> tuple[Any, ...]:
    skel = skeleton(plate)
    return (vid, plate, skel, skel[::-1], region, make, model, colour, year, vin, owner_id, status)


class _Gen:
    """Row generators sharing one RNG, id counters and uniqueness sets."""

    def __init__(self, opts: SeedOptions, start: dict[str, int]) -> None:
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.pools = _pools(opts.seed)
        self.next = dict(start)
        self.plates: set[str] = set()
        self.licences: set[str] = set()
        self.alerts: list[tuple[Any, ...]] = []
        self.first_person = start["person"]
        self.today = dt.date(2026, 1, 1)

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def _alert(
        self, person_id: int | None, vehicle_id: int | None, kinds: Sequence[tuple[str, float]]
    ) -> None:
        kind = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        safety = kind == "caution" or (kind == "wanted" and self.rng.random() < 0.5)
        issued = self.today - dt.timedelta(days=self.rng.randrange(1, 2000))
        expires = (
            None if self.rng.random() < 0.9 else (self.today - dt.timedelta(days=self.rng.randrange(1, 300)))
        )
        self.alerts.append(
            (
                self._id("alert"),
                person_id,
                vehicle_id,
                kind,
                safety,
                _DETAILS[kind],
                issued.isoformat(),
                expires.isoformat() if expires else None,
            )
        )

    def unique_plate(self, region: str) -> str:
        """A fresh plate in ``region``'s format."""
        while True:
            plate = make_plate(self.rng, region)
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def persons(self, n: int) -> Iterator[tuple[Any, ...]]:
        """Synthetic persons (alerts are collected on the side)."""
        rng, pools = self.rng, self.pools
        locales = [loc for loc, _ in _LOCALES]
        weights = [w for _, w in _LOCALES]
        for _ in range(n):
            loc = rng.choices(locales, weights)[0]
            given, sex = rng.choice(pools.given[loc])
            family = rng.choice(pools.family[loc])
            dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(24800))
            region = "GB" if loc == "en_GB" else rng.choice(_US_REGIONS)
            alias = f"{rng.choice(pools.given[loc])[0]} {family}" if rng.random() < 0.01 else None
            pid = self._id("person")
            if rng.random() < self.opts.alert_rate:
                self._alert(pid, None, _PERSON_ALERTS)
            yield _person_row(pid, given, family, dob, sex, rng.choice(pools.streets), region, alias)

    def licences_for(self, persons: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """A licence for about ``licence_rate`` of the given person rows."""
        rng = self.rng
        for p in persons:
            if rng.random() >= self.opts.licence_rate:
                continue
            region = p[10] or "CA"
            dob = dt.date.fromisoformat(p[7])
            number = make_licence(rng, region, p[2], p[1], dob)
            if number in self.licences:
                continue
            self.licences.add(number)
            status = rng.choices(LICENCE_STATUSES, (0.85, 0.07, 0.03, 0.05))[0]
            expiry = self.today + dt.timedelta(days=rng.randrange(-400, 2500) if status != "expired" else -30)
            lid = self._id("driver_licence")
            yield _licence_row(lid, number, p[0], region, rng.choice("CCCCBAM"), status, expiry.isoformat())

    def vehicles(self, n: int, owner_max: int) -> Iterator[tuple[Any, ...]]:
        """Synthetic vehicles owned by random synthetic persons."""
        rng = self.rng
        makes = list(MAKES_MODELS)
        for _ in range(n):
            region = rng.choice(("CA", "CA", "NY", "TX", "GB"))
            plate = self.unique_plate(region)
            make = rng.choice(makes)
            vid = self._id("vehicle")
            if rng.random() < self.opts.alert_rate:
                self._alert(None, vid, _VEHICLE_ALERTS)
            owner = rng.randint(self.first_person + 1, owner_max) if owner_max > self.first_person else None
            vin = "".join(rng.choices(_VIN_CHARS, k=17))
            yield _vehicle_row(vid, plate, region, make, rng.choice(MAKES_MODELS[make]), rng.choice(COLOURS),
                               rng.randint(1995, 2025), vin, owner,
                               "registered" if rng.random() < 0.96 else "expired")


def seed_registry(engine: Engine, opts: SeedOptions, *, progress: Progress | None = None) -> SeedReport:
    """Generate and write a registry; on an empty registry indexes are rebuilt after the load."""
    from lookup.fixture_subjects import fixture_rows

    report = SeedReport()
    with engine.begin() as conn:
        start = {
            t.name: int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one())
            for t in registry_tables()
        }
        empty = start["person"] == 0 and start["vehicle"] == 0
        if empty:
            drop_indexes(conn)
        gen = _Gen(opts, start)
        if not empty:
            gen.plates.update(conn.execute(text("SELECT plate FROM vehicle")).scalars())
            gen.licences.update(conn.execute(text("SELECT number FROM driver_licence")).scalars())
        if opts.with_fixtures and empty:
            fixed = fixture_rows(gen)
            for table in ("person", "driver_licence", "vehicle", "alert"):
                report.counts[table] = bulk_insert(conn, table, fixed[table])
            gen.first_person = gen.next["person"]
        persons: list[tuple[Any, ...]] = []

        def keep(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
            for r in rows:
                persons.append(r)
                yield r

        n = bulk_insert(conn, "person", keep(gen.persons(opts.persons)), batch=opts.batch, progress=progress)
        report.counts["person"] = report.counts.get("person", 0) + n
        n = bulk_insert(
            conn, "driver_licence", gen.licences_for(persons), batch=opts.batch, progress=progress
        )
        report.counts["driver_licence"] = report.counts.get("driver_licence", 0) + n
        persons.clear()
        n = bulk_insert(
            conn,
            "vehicle",
            gen.vehicles(opts.vehicles, gen.next["person"]),
            batch=opts.batch,
            progress=progress,
        )
        report.counts["vehicle"] = report.counts.get("vehicle", 0) + n
        n = bulk_insert(conn, "alert", gen.alerts, batch=opts.batch)
        report.counts["alert"] = report.counts.get("alert", 0) + n
        if empty:
            create_indexes(conn)
    logger.info("seeded registry: %s", report.counts)
    return report
