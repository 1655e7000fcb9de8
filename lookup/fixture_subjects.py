"""Fixed registry subjects seeded before the synthetic ones.

* the subjects spoken in the audio fixtures (``fixtures.queries.subjects()``, when that
  module is importable), so end-to-end voice lookups hit;
* the protocol conformance plates ``ABC123`` (clear) and ``XYZ456`` (stolen);
* a few demo alerts on fixture subjects (7XYZ456 stolen, its owner flagged caution), so a
  voice check can show the alert path.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lookup.seed import _Gen

logger = logging.getLogger(__name__)

# (plate, region, make, model, colour, year, owner (given, family, dob) or None)
CONFORMANCE_VEHICLES: tuple[tuple[str, str, str, str, str, int, tuple[str, str, str] | None], ...] = (
    ("ABC123", "CA", "Honda", "Civic", "blue", 2016, ("John", "Doe", "1980-01-15")),
    ("XYZ456", "CA", "Toyota", "Corolla", "silver", 2014, ("Jane", "Roe", "1975-06-30")),
)
# Demo alerts: (plate or None, person (given, family) or None, kind, officer_safety)
DEMO_ALERTS: tuple[tuple[str | None, tuple[str, str] | None, str, bool], ...] = (
    ("XYZ456", None, "stolen", False),
    ("7XYZ456", None, "stolen", False),
    (None, ("Hiroshi", "Sato"), "caution", True),
)


def _fixture_subjects() -> Any:
    try:
        module = importlib.import_module("fixtures.queries")
    except ModuleNotFoundError as err:
        if err.name not in ("fixtures", "fixtures.queries"):
            raise
        logger.info("fixtures.queries not importable; seeding without fixture subjects")
        return None
    return module.subjects()


def fixture_rows(gen: _Gen) -> dict[str, list[tuple[Any, ...]]]:
    """Rows for the fixed subjects, using ``gen``'s id counters and uniqueness sets."""
    from lookup.seed import _licence_row, _person_row, _vehicle_row

    rows: dict[str, list[tuple[Any, ...]]] = {"person": [], "driver_licence": [], "vehicle": [], "alert": []}
    person_ids: dict[tuple[str, str, str], int] = {}
    region_of: dict[int, str] = {}

    def person(given: str, family: str, dob: str, region: str) -> int:
        key = (given, family, dob)
        if key not in person_ids:
            pid = gen._id("person")
            person_ids[key] = pid
            region_of[pid] = region
            rows["person"].append(
                _person_row(
                    pid, given, family, dt.date.fromisoformat(dob), "X", "1 Fixture Way, Testville", region
                )
            )
        return person_ids[key]

    vehicles: list[tuple[str, str, str, str, str, int, tuple[str, str, str] | None]] = list(
        CONFORMANCE_VEHICLES
    )
    subjects = _fixture_subjects()
    if subjects is not None:
        for p in subjects.persons:
            person(p.given, p.family, p.dob, "CA")
        for v in subjects.plates:
            owner = (v.owner_given, v.owner_family, v.owner_dob) if v.owner_given else None
            vehicles.append((v.plate, v.region, v.make, v.model, v.colour, v.year, owner))
        for lic in subjects.licences:
            pid = person(lic.given, lic.family, lic.dob, "CA")
            gen.licences.add(lic.licence)
            expiry = (gen.today + dt.timedelta(days=900)).isoformat()
            rows["driver_licence"].append(_licence_row(gen._id("driver_licence"), lic.licence, pid,
                                                       region_of[pid], lic.licence_class, "valid", expiry))
    vehicle_ids: dict[str, int] = {}
    for plate, region, make, model, colour, year, owner in vehicles:
        if plate in gen.plates:
            continue
        gen.plates.add(plate)
        owner_id = person(*owner, region) if owner else None
        vid = gen._id("vehicle")
        vehicle_ids[plate] = vid
        rows["vehicle"].append(_vehicle_row(vid, plate, region, make, model, colour, year,
                                            f"FIXTURE{vid:010d}"[:17], owner_id, "registered"))
    by_name = {(g, f): pid for (g, f, _d), pid in person_ids.items()}
    issued = (gen.today - dt.timedelta(days=30)).isoformat()
    for plate_key, who, kind, safety in DEMO_ALERTS:
        alert_vid = vehicle_ids.get(plate_key) if plate_key else None
        alert_pid = by_name.get(who) if who else None
        if alert_vid is None and alert_pid is None:
            continue
        rows["alert"].append(
            (gen._id("alert"), alert_pid, alert_vid, kind, safety, f"demo {kind}", issued, None)
        )
    return rows
