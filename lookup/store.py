"""Registry store: the read queries the check chain needs, as index lookups on key columns.

:class:`RegistryStore` is the protocol; :class:`SqlRegistryStore` implements it for SQLite
and PostgreSQL with SQLAlchemy Core (rows come back as plain dicts with ISO dates). Every
database failure is converted to :class:`service.errors.RegistryError` at this boundary.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from typing import Any, Protocol

from rapidfuzz.distance import Levenshtein
from sqlalchemy import Connection, Engine, Select, and_, bindparam, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from lookup.errors import RegistryError
from lookup.models import Alert, DriverLicence, Person, Vehicle

logger = logging.getLogger(__name__)
# Rows one statement of the one-off search reads at most; an edit-1 neighbourhood in a
# registry of millions holds a few dozen.
_ONE_OFF_SCAN = 2000

Row = dict[str, Any]
_P, _V, _L, _A = Person.__table__, Vehicle.__table__, DriverLicence.__table__, Alert.__table__
_PERSON_COLS = [_P.c.id, _P.c.given, _P.c.family, _P.c.dob, _P.c.sex, _P.c.address, _P.c.region, _P.c.aliases]
_VEHICLE_COLS = [
    _V.c.id,
    _V.c.plate,
    _V.c.region,
    _V.c.make,
    _V.c.model,
    _V.c.colour,
    _V.c.year,
    _V.c.vin,
    _V.c.owner_id,
    _V.c.status,
]
_LICENCE_COLS = [_L.c.id, _L.c.number, _L.c.holder_id, _L.c.region, _L.c["class"], _L.c.status, _L.c.expiry]
_ALERT_COLS = [
    _A.c.id,
    _A.c.person_id,
    _A.c.vehicle_id,
    _A.c.kind,
    _A.c.officer_safety,
    _A.c.details,
    _A.c.issued,
    _A.c.expires,
]


def ensure_trgm(conn: Connection) -> bool:
    """Make sure pg_trgm is usable on a PostgreSQL connection; False where it cannot be created."""
    if conn.dialect.name != "postgresql":
        return False
    if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        return True
    except SQLAlchemyError:
        logger.warning("pg_trgm is not available; fuzzy fallback search is off")
        return False


def _plain(row: Any) -> Row:
    out = dict(row._mapping)
    for k, v in out.items():
        if isinstance(v, dt.date):
            out[k] = v.isoformat()
    return out


class RegistryStore(Protocol):
    """What the check chain reads from a registry (test fakes implement the same)."""

    def vehicles_by_skeleton(self, skels: Sequence[str]) -> list[Row]: ...
    def vehicles_by_prefix(
        self, skel_prefix: str, *, reverse: bool = False, limit: int = 50
    ) -> list[Row]: ...
    def vehicles_similar(self, skel: str, *, limit: int = 10) -> list[Row]: ...
    def vehicles_one_off(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def licences_one_off(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def vehicles_two_off(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def licences_two_off(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def licences_by_skeleton(self, skels: Sequence[str]) -> list[Row]: ...
    def licences_by_holder(self, person_ids: Sequence[int]) -> list[Row]: ...
    def persons_by_ids(self, ids: Sequence[int]) -> list[Row]: ...
    def persons_with_licences(self, ids: Sequence[int]) -> list[Row]: ...
    def persons_by_dob(self, dobs: Sequence[str], *, limit: int = 500) -> list[Row]: ...
    def persons_by_name(
        self, family_phon: str, family_key: str, given_phon: str | None, *, limit: int = 200
    ) -> list[Row]: ...
    def alerts_for(self, person_ids: Sequence[int], vehicle_ids: Sequence[int]) -> list[Row]: ...
    def unit(self) -> AbstractContextManager[None]: ...
    def close(self) -> None: ...


class SqlRegistryStore:
    """The registry over SQLAlchemy Core; one short connection per check."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._trgm: bool | None = None
        self._local = threading.local()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection whose database errors surface as :class:`RegistryError`.

        Inside :meth:`unit` the unit's connection is reused, so one check costs one checkout.
        """
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as err:
            logger.warning("registry query failed: %s", type(err).__name__)
            raise RegistryError("registry query failed") from err

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Run several reads (one check) on one connection of this thread."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self.connect() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _rows(self, stmt: Select[Any], params: dict[str, Any] | None = None) -> list[Row]:
        with self.connect() as conn:
            return [_plain(r) for r in conn.execute(stmt, params or {})]

    def vehicles_by_skeleton(self, skels: Sequence[str]) -> list[Row]:
        """Vehicles whose confusable skeleton equals one of ``skels``."""
        if not skels:
            return []
        return self._rows(_BY_PLATE_SKEL, {"skels": sorted(set(skels))})

    def vehicles_by_prefix(self, skel_prefix: str, *, reverse: bool = False, limit: int = 50) -> list[Row]:
        """Vehicles whose skeleton (or reversed skeleton) starts with ``skel_prefix``: a range scan."""
        col = _V.c.plate_rev if reverse else _V.c.plate_skel
        stmt = (
            select(*_VEHICLE_COLS)
            .where(col >= skel_prefix, col < skel_prefix + "\x7f")
            .order_by(col)
            .limit(limit)
        )
        return self._rows(stmt)

    def vehicles_similar(self, skel: str, *, limit: int = 10) -> list[Row]:
        """Trigram neighbours of a plate skeleton (PostgreSQL with pg_trgm; empty elsewhere)."""
        if self.dialect != "postgresql" or len(skel) < 3:
            return []
        with self.connect() as conn:
            if self._trgm is None:
                self._trgm = bool(
                    conn.execute(text("SELECT 1 FROM pg_extension WHERE extname='pg_trgm'")).first()
                )
            if not self._trgm:
                return []
            return [_plain(r) for r in conn.execute(_similar_statement(limit), {"skel": skel})]

    def vehicles_one_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Vehicles whose skeleton is one edit from ``skel``: a symbol changed, missed or extra
        (see :meth:`_one_off`)."""
        return self._one_off(skel, "vehicle", limit=limit)

    def licences_one_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Licences whose number skeleton is one edit from ``skel`` (see :meth:`_one_off`)."""
        return self._one_off(skel, "licence", limit=limit)

    def _one_off(self, skel: str, table: str, *, limit: int) -> list[Row]:
        """Rows whose skeleton is one edit from ``skel``: a symbol changed, missed or extra.

        Each probe is an index range scan on the part of the skeleton the edit leaves intact:
        its prefix, or the reversed skeleton's prefix (the suffix), whichever is longer, with
        the length the edit implies; so it works the same on SQLite and PostgreSQL without
        trigram indexes. All probes go in one statement, an OR of index ranges (SQLite's
        OR-by-union plan, PostgreSQL's BitmapOr), built once per probe shape.
        """
        probes = one_off_probes(skel)
        if not probes:
            return []
        shape = tuple((rev, length) for rev, _key, length in probes)
        stmt = _one_off_statement(table, shape)
        params: dict[str, Any] = {}
        for i, (_rev, key, length) in enumerate(probes):
            params.update({f"lo{i}": key, f"hi{i}": key + "\x7f", f"n{i}": length})
        key_name = _ONE_OFF_TABLES[table][1].name
        found: dict[int, Row] = {}
        with self.connect() as conn:
            for r in conn.execute(stmt, params):
                if Levenshtein.distance(getattr(r, key_name), skel) == 1:
                    row = _plain(r)
                    row.pop(key_name, None)
                    found[row["id"]] = row
        return list(found.values())[:limit]

    def vehicles_two_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Vehicles whose skeleton is two edits from ``skel`` (see :meth:`_two_off`)."""
        return self._two_off(skel, "vehicle", limit=limit)

    def licences_two_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Licences whose number skeleton is two edits from ``skel`` (see :meth:`_two_off`)."""
        return self._two_off(skel, "licence", limit=limit)

    def _two_off(self, skel: str, table: str, *, limit: int) -> list[Row]:
        """Rows whose skeleton is two edits from ``skel``, closest in position first.

        Two edits leave the first two symbols or the last two intact unless one falls in
        each end (about one pair in six for a 7-symbol plate): two index range scans, on the
        skeleton's and the reversed skeleton's two-symbol prefix, for every length two edits
        can reach, in one statement as for :meth:`_one_off`. Neighbours are offered by the
        check, never taken; the audio may choose one (the router's near-miss look).
        """
        n = len(skel)
        if n < 5:
            return []
        probes = [(rev, (skel[::-1] if rev else skel)[:2], length)
                  for rev in (False, True) for length in range(n - 2, n + 3)]
        stmt = _one_off_statement(table, tuple((rev, length) for rev, _key, length in probes))
        params: dict[str, Any] = {}
        for i, (_rev, key, length) in enumerate(probes):
            params.update({f"lo{i}": key, f"hi{i}": key + "\x7f", f"n{i}": length})
        key_name = _ONE_OFF_TABLES[table][1].name
        found: dict[int, tuple[float, Row]] = {}
        with self.connect() as conn:
            for r in conn.execute(stmt, params):
                other = getattr(r, key_name)
                if Levenshtein.distance(other, skel) == 2:
                    row = _plain(r)
                    row.pop(key_name, None)
                    # Same length and same symbols in more places first ("AB1234" before "1AB234").
                    found[row["id"]] = (-sum(a == b for a, b in zip(other, skel, strict=False)), row)
        return [row for _key, row in sorted(found.values(), key=lambda kr: kr[0])][:limit]

    def licences_by_skeleton(self, skels: Sequence[str]) -> list[Row]:
        """Licences whose number skeleton equals one of ``skels``."""
        if not skels:
            return []
        return self._rows(_BY_NUMBER_SKEL, {"skels": sorted(set(skels))})

    def licences_by_holder(self, person_ids: Sequence[int]) -> list[Row]:
        """Licences held by any of ``person_ids``."""
        if not person_ids:
            return []
        return self._rows(_BY_HOLDER, {"ids": list(person_ids)})

    def persons_by_ids(self, ids: Sequence[int]) -> list[Row]:
        """Persons by primary key."""
        if not ids:
            return []
        return self._rows(_PERSONS_BY_ID, {"ids": list(ids)})

    def persons_with_licences(self, ids: Sequence[int]) -> list[Row]:
        """Persons by primary key, each with ``licences`` (a list), in one round trip."""
        if not ids:
            return []
        out: dict[int, Row] = {}
        for row in self._rows(_PERSONS_WITH_LICENCES, {"ids": list(ids)}):
            person = out.setdefault(row["id"], {k: v for k, v in row.items() if not k.startswith("lic_")})
            person.setdefault("licences", [])
            if row["lic_id"] is not None:
                person["licences"].append({k[4:]: v for k, v in row.items() if k.startswith("lic_")})
        return list(out.values())

    def persons_by_dob(self, dobs: Sequence[str], *, limit: int = 500) -> list[Row]:
        """Everyone born on one of ``dobs`` (ISO dates), with name keys for ranking."""
        days = [dt.date.fromisoformat(d) for d in dobs]
        if not days:
            return []
        return self._rows(_persons_by_dob_statement(limit), {"days": days})

    def persons_by_name(
        self, family_phon: str, family_key: str, given_phon: str | None, *, limit: int = 200
    ) -> list[Row]:
        """People whose family name sounds like (or is keyed as) the given one."""
        params = {"family_phon": family_phon, "family_key": family_key, "given_phon": given_phon}
        return self._rows(_persons_by_name_statement(bool(given_phon), limit), params)

    def alerts_for(self, person_ids: Sequence[int], vehicle_ids: Sequence[int]) -> list[Row]:
        """Active alerts (not expired) on any of the given persons or vehicles."""
        if not person_ids and not vehicle_ids:
            return []
        return self._rows(_ALERTS_FOR, {"pids": list(person_ids), "vids": list(vehicle_ids),
                                        "today": dt.date.today()})

    def close(self) -> None:
        """Release the engine's pooled connections."""
        self.engine.dispose()


def one_off_probes(skel: str) -> list[tuple[bool, str, int]]:
    """The index ranges that hold every skeleton one edit from ``skel``: (reversed side,
    key prefix, length). Empty under 4 symbols (too many neighbours to offer)."""
    n = len(skel)
    if n < 4:
        return []
    probes: dict[tuple[bool, str, int], None] = {}
    for i in range(n + 1):
        for head, tail, length in ((skel[:i], skel[i + 1 :], n), (skel[:i], skel[i:], n + 1),
                                   (skel[:i], skel[i + 1 :], n - 1)):
            if length == n + 1 or i < n:
                reverse = len(tail) > len(head)
                probes[(reverse, tail[::-1] if reverse else head, length)] = None
    # A range whose key extends a shorter key of the same side and length lies inside it.
    return [(rev, key, length) for rev, key, length in probes
            if not any(r == rev and m == length and len(k) < len(key) and key.startswith(k)
                       for r, k, m in probes)]


# The exact-skeleton lookups of every check, built once (an expanding IN).
_SKELS: Any = bindparam("skels", expanding=True)
_BY_PLATE_SKEL = select(*_VEHICLE_COLS).where(_V.c.plate_skel.in_(_SKELS)).limit(200)
_BY_NUMBER_SKEL = select(*_LICENCE_COLS).where(_L.c.number_skel.in_(_SKELS)).limit(200)

# Per table of the one-off search: columns returned, skeleton column, reversed skeleton column.
_ONE_OFF_TABLES: dict[str, tuple[Sequence[Any], Any, Any]] = {
    "vehicle": (_VEHICLE_COLS, _V.c.plate_skel, _V.c.plate_rev),
    "licence": (_LICENCE_COLS, _L.c.number_skel, _L.c.number_rev),
}


# The other reads of a check, built once: building an expression costs more than running it.
_IDS: Any = bindparam("ids", expanding=True)
_BY_HOLDER = select(*_LICENCE_COLS).where(_L.c.holder_id.in_(_IDS))
_PERSONS_BY_ID = select(*_PERSON_COLS).where(_P.c.id.in_(_IDS))
_PERSONS_WITH_LICENCES = (
    select(*_PERSON_COLS, *(c.label(f"lic_{c.name}") for c in (_L.c.id, _L.c.number, _L.c.region,
                                                               _L.c["class"], _L.c.status, _L.c.expiry)))
    .select_from(_P.outerjoin(_L, _L.c.holder_id == _P.c.id))
    .where(_P.c.id.in_(_IDS))
)
_ALERTS_FOR = (
    select(*_ALERT_COLS)
    .where(or_(_A.c.person_id.in_(bindparam("pids", expanding=True)),
               _A.c.vehicle_id.in_(bindparam("vids", expanding=True))))
    .where(or_(_A.c.expires.is_(None), _A.c.expires >= bindparam("today")))
)
_NAME_KEY_COLS = [*_PERSON_COLS, _P.c.given_key, _P.c.family_key, _P.c.given_phon, _P.c.family_phon]


@lru_cache(maxsize=8)
def _persons_by_dob_statement(limit: int) -> Select[Any]:
    return select(*_NAME_KEY_COLS).where(_P.c.dob.in_(bindparam("days", expanding=True))).limit(limit)


@lru_cache(maxsize=16)
def _persons_by_name_statement(with_given: bool, limit: int) -> Select[Any]:
    family = _P.c.family_phon == bindparam("family_phon")
    if with_given:
        family = family & (_P.c.given_phon == bindparam("given_phon"))
    return select(*_NAME_KEY_COLS).where(or_(family, _P.c.family_key == bindparam("family_key"))).limit(limit)


@lru_cache(maxsize=8)
def _similar_statement(limit: int) -> Select[Any]:
    """The trigram search, built once per limit: building it anew each check cost half the
    plate check's CPU on PostgreSQL (the statement and its cache key)."""
    skel = bindparam("skel", type_=_V.c.plate_skel.type)
    return (select(*_VEHICLE_COLS).where(_V.c.plate_skel.op("%")(skel))
            .order_by(_V.c.plate_skel.op("<->")(skel)).limit(limit))


@lru_cache(maxsize=64)
def _one_off_statement(table: str, shape: tuple[tuple[bool, int], ...]) -> Select[Any]:
    """The one-off search's statement for a probe shape, with ``lo{i}``, ``hi{i}``, ``n{i}``
    bound per probe (building the expression costs more than running it)."""
    cols, skel_col, rev_col = _ONE_OFF_TABLES[table]
    terms = [
        and_((rev_col if rev else skel_col) >= bindparam(f"lo{i}"),
             (rev_col if rev else skel_col) < bindparam(f"hi{i}"),
             func.length(skel_col) == bindparam(f"n{i}"))
        for i, (rev, _length) in enumerate(shape)
    ]
    return select(*cols, skel_col).where(or_(*terms)).limit(_ONE_OFF_SCAN)
