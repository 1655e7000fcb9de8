"""The registry's tables and the columns a check reads, and rows as plain dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lookup.models import Alert, DriverLicence, Person, Vehicle

Row = dict[str, Any]
P, V, L, A = Person.__table__, Vehicle.__table__, DriverLicence.__table__, Alert.__table__
PERSON_COLS = [P.c.id, P.c.given, P.c.family, P.c.dob, P.c.sex, P.c.address, P.c.region, P.c.aliases]
VEHICLE_COLS = [V.c.id, V.c.plate, V.c.region, V.c.make, V.c.model, V.c.colour, V.c.year, V.c.vin,
                V.c.owner_id, V.c.status]
LICENCE_COLS = [L.c.id, L.c.number, L.c.holder_id, L.c.region, L.c["class"], L.c.status, L.c.expiry]
ALERT_COLS = [A.c.id, A.c.person_id, A.c.vehicle_id, A.c.kind, A.c.officer_safety, A.c.details,
              A.c.issued, A.c.expires]


def plain(row: Any, *drop: str) -> Row:
    """A result row as a dict with ISO dates, without the ``drop`` columns."""
    out = dict(row._mapping)
    for k in drop:
        out.pop(k, None)
    for k, v in out.items():
        if isinstance(v, dt.date):
            out[k] = v.isoformat()
    return out
