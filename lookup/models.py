"""Registry tables: Person, DriverLicence, Vehicle and Alert (SQLAlchemy 2.0, typed).

Search keys are precomputed into indexed columns at write time, so queries are index
lookups: ``plate_skel`` (confusables folded, see :func:`lookup.spoken.skeleton`),
``plate_rev`` (reversed skeleton, for "ending in" partial plates and near misses),
``number_skel`` / ``number_rev`` (the same for licence numbers), ``family_key`` /
``given_key`` (romanisation-folded names) and ``family_phon`` / ``given_phon``
(Metaphone). Use :func:`person_keys`, :func:`plate_keys` and :func:`licence_keys` to fill them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookup.db import Base
from lookup.names import name_key, phonetic_key
from lookup.spoken import canonical_alnum, skeleton

# Officer safety first, then the rest by urgency.
ALERT_PRIORITY = {"caution": 0, "wanted": 1, "protection_order": 2, "stolen": 3, "missing": 4}
LICENCE_STATUSES = ("valid", "suspended", "revoked", "expired")


class Person(Base):
    """A person in the registry, with precomputed name search keys."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    given: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(64))
    given_key: Mapped[str] = mapped_column(String(64))
    family_key: Mapped[str] = mapped_column(String(64))
    given_phon: Mapped[str] = mapped_column(String(16))
    family_phon: Mapped[str] = mapped_column(String(16))
    dob: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default="X")
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    aliases: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        Index("ix_person_dob", "dob"),
        Index("ix_person_phon", "family_phon", "given_phon"),
        Index("ix_person_key", "family_key", "given_key"),
    )


class DriverLicence(Base):
    """A driver licence: number (and its confusable skeleton), holder, class, status, expiry."""

    __tablename__ = "driver_licence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24))
    number_skel: Mapped[str] = mapped_column(String(24))
    # Reversed skeleton: near-miss search on the intact end of a misheard number.
    number_rev: Mapped[str | None] = mapped_column(String(24), nullable=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    licence_class: Mapped[str] = mapped_column("class", String(8), default="C")
    status: Mapped[str] = mapped_column(String(16), default="valid")
    expiry: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("ix_licence_number", "number"),
        Index("ix_licence_skel", "number_skel"),
        Index("ix_licence_rev", "number_rev"),
        Index("ix_licence_holder", "holder_id"),
    )


class Vehicle(Base):
    """A registered vehicle: plate keys, description, VIN, registered owner and status."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plate: Mapped[str] = mapped_column(String(16))
    plate_skel: Mapped[str] = mapped_column(String(16))
    plate_rev: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    make: Mapped[str | None] = mapped_column(String(32), nullable=True)
    model: Mapped[str | None] = mapped_column(String(32), nullable=True)
    colour: Mapped[str | None] = mapped_column(String(24), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vin: Mapped[str | None] = mapped_column(String(17), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="registered")

    __table_args__ = (
        Index("ix_vehicle_plate", "plate"),
        Index("ix_vehicle_skel", "plate_skel"),
        Index("ix_vehicle_rev", "plate_rev"),
        Index("ix_vehicle_owner", "owner_id"),
    )


class Alert(Base):
    """An alert on a person or a vehicle (exactly one of the two is set)."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    officer_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issued: Mapped[dt.date] = mapped_column(Date)
    expires: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("ix_alert_person", "person_id"),
        Index("ix_alert_vehicle", "vehicle_id"),
    )


# Trigram indexes for fuzzy fallback search; PostgreSQL only (pg_trgm).
POSTGRES_TRGM_INDEXES: dict[str, str] = {
    "ix_vehicle_plate_trgm": "CREATE INDEX IF NOT EXISTS ix_vehicle_plate_trgm ON vehicle "
    "USING gin (plate_skel gin_trgm_ops)",
    "ix_person_family_trgm": "CREATE INDEX IF NOT EXISTS ix_person_family_trgm ON person "
    "USING gin (family_key gin_trgm_ops)",
}


def person_keys(given: str, family: str) -> dict[str, Any]:
    """The indexed search-key columns of a person row."""
    return {
        "given_key": name_key(given),
        "family_key": name_key(family),
        "given_phon": phonetic_key(given),
        "family_phon": phonetic_key(family),
    }


def plate_keys(plate: str) -> dict[str, str]:
    """The canonical plate and its indexed keys (confusable skeleton and reversed skeleton)."""
    canon = canonical_alnum(plate)
    skel = skeleton(canon)
    return {"plate": canon, "plate_skel": skel, "plate_rev": skel[::-1]}


def licence_keys(number: str) -> dict[str, str]:
    """The canonical licence number and its indexed keys (confusable skeleton and reversed skeleton)."""
    canon = canonical_alnum(number)
    skel = skeleton(canon)
    return {"number": canon, "number_skel": skel, "number_rev": skel[::-1]}
