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

from sqlalchemy import Connection, Engine, Select, bindparam, or_, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from lookup import neighbours as nb
from lookup.errors import RegistryError, StaleConnection
from lookup.tables import ALERT_COLS, LICENCE_COLS, PERSON_COLS, VEHICLE_COLS, A, L, P, Row, V, plain

logger = logging.getLogger(__name__)


_EXTENSION_VISIBLE = text(
    "SELECT n.nspname = ANY (current_schemas(true)) FROM pg_extension e"
    " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = :name")


def ensure_extension(conn: Connection, name: str, *, schema: str | None = None) -> bool:
    """Make sure extension ``name`` is installed on a PostgreSQL connection (in ``schema``
    when given) and on its search path; False where it cannot be created, or lives in a
    schema this connection does not search (the search that needs it then does without it)."""
    if conn.dialect.name != "postgresql":
        return False
    visible = conn.execute(_EXTENSION_VISIBLE, {"name": name}).scalar()
    if visible is None:
        try:
            with conn.begin_nested():
                where = f' SCHEMA "{schema}"' if schema else ""
                conn.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{name}"{where}'))
        except SQLAlchemyError:
            logger.warning("PostgreSQL extension %s is not available", name)
            return False
        visible = conn.execute(_EXTENSION_VISIBLE, {"name": name}).scalar()
    if not visible:
        logger.warning("PostgreSQL extension %s is installed in a schema outside the search path", name)
    return bool(visible)


def ensure_trgm(conn: Connection) -> bool:
    """Make sure pg_trgm is usable on a PostgreSQL connection; False where it cannot be created
    (the trigram stage of the near-miss search is then off). It goes in ``public``, as
    fuzzystrmatch does: in a registry's own schema, dropping that schema would take the
    extension, and every other schema's trigram indexes, with it."""
    return ensure_extension(conn, "pg_trgm", schema="public")


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
    def vehicles_near(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def licences_near(self, skel: str, *, limit: int = 20) -> list[Row]: ...
    def vehicles_exact_or_near(self, skels: Sequence[str], *, limit: int = 20) -> list[Row]: ...
    def licences_exact_or_near(self, skels: Sequence[str], *, limit: int = 20) -> list[Row]: ...
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
        self._levenshtein: bool | None = None
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
            if isinstance(err, DBAPIError) and err.connection_invalidated:
                raise StaleConnection("registry connection lost") from err
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
            return [plain(r) for r in conn.execute(stmt, params or {})]

    def vehicles_by_skeleton(self, skels: Sequence[str]) -> list[Row]:
        """Vehicles whose confusable skeleton equals one of ``skels``."""
        if not skels:
            return []
        return self._rows(_BY_PLATE_SKEL, {"skels": sorted(set(skels))})

    def vehicles_by_prefix(self, skel_prefix: str, *, reverse: bool = False, limit: int = 50) -> list[Row]:
        """Vehicles whose skeleton (or reversed skeleton) starts with ``skel_prefix``: a range scan."""
        col = V.c.plate_rev if reverse else V.c.plate_skel
        stmt = (
            select(*VEHICLE_COLS)
            .where(col >= skel_prefix, col < skel_prefix + "\x7f")
            .order_by(col)
            .limit(limit)
        )
        return self._rows(stmt)

    def _has_trgm(self, conn: Connection) -> bool:
        if self._trgm is None:
            self._trgm = self.dialect == "postgresql" and bool(
                conn.execute(_EXTENSION_VISIBLE, {"name": "pg_trgm"}).scalar())
        return self._trgm

    def _has_levenshtein(self, conn: Connection) -> bool:
        """Whether the database filters by edit distance (fuzzystrmatch; SQLite's from make_engine)."""
        if self._levenshtein is None:
            if self.dialect == "postgresql":  # installed, and on this connection's search path
                self._levenshtein = bool(conn.execute(
                    text("SELECT to_regprocedure('levenshtein(text,text)') IS NOT NULL")).scalar())
            else:
                try:
                    self._levenshtein = conn.execute(text("SELECT levenshtein('ab', 'b')")).scalar() == 1
                except DBAPIError:
                    self._levenshtein = False
        return self._levenshtein

    def vehicles_similar(self, skel: str, *, limit: int = 10) -> list[Row]:
        """Trigram neighbours of a plate skeleton (PostgreSQL with pg_trgm; empty elsewhere)."""
        if self.dialect != "postgresql" or len(skel) < 3:
            return []
        with self.connect() as conn:
            if not self._has_trgm(conn):
                return []
            return [plain(r, "plate_skel") for r in conn.execute(nb.similar_statement(limit), {"skel": skel})]

    def vehicles_one_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Vehicles whose skeleton is one edit from ``skel``: a symbol changed, missed or extra."""
        return self._off(skel, "vehicle", nb.one_off_probes(skel), nb.keep_one_off, limit)

    def licences_one_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Licences whose number skeleton is one edit from ``skel``."""
        return self._off(skel, "licence", nb.one_off_probes(skel), nb.keep_one_off, limit)

    def vehicles_two_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Vehicles whose skeleton is two edits from ``skel``, closest in position first."""
        return self._off(skel, "vehicle", nb.two_off_probes(skel), nb.keep_two_off, limit)

    def licences_two_off(self, skel: str, *, limit: int = 20) -> list[Row]:
        """Licences whose number skeleton is two edits from ``skel``, closest in position first."""
        return self._off(skel, "licence", nb.two_off_probes(skel), nb.keep_two_off, limit)

    def _off(self, skel: str, table: str, probes: list[nb.Probe], keep: Any, limit: int) -> list[Row]:
        if not probes:
            return []
        with self.connect() as conn:
            # The edit distance in SQL where the database has it (keep() checks it again).
            distance = (1 if keep is nb.keep_one_off else 2) if self._has_levenshtein(conn) else 0
            stmt = nb.range_statement(table, nb.shape(probes), distance=distance)
            rows = conn.execute(stmt, {**nb.probe_params(probes), "skel": skel, "skel_rev": skel[::-1]})
            return list(keep(rows, skel, nb.TABLES[table][1].name, limit=limit))

    def vehicles_near(self, skel: str, *, limit: int = 20) -> list[Row]:
        """The first of: vehicles one edit from ``skel``, two edits (at most ``limit``), trigram
        neighbours (see :mod:`lookup.neighbours`)."""
        return self._near(skel, "vehicle", limit)

    def licences_near(self, skel: str, *, limit: int = 20) -> list[Row]:
        """The first of: licences one edit from ``skel``, two edits (at most ``limit``)."""
        return self._near(skel, "licence", limit)

    def vehicles_exact_or_near(self, skels: Sequence[str], *, limit: int = 20) -> list[Row]:
        """:meth:`vehicles_by_skeleton` of ``skels``, else :meth:`vehicles_near` of the first."""
        return self._exact_or_near(skels, "vehicle", limit)

    def licences_exact_or_near(self, skels: Sequence[str], *, limit: int = 20) -> list[Row]:
        """:meth:`licences_by_skeleton` of ``skels``, else :meth:`licences_near` of the first."""
        return self._exact_or_near(skels, "licence", limit)

    def _exact_or_near(self, skels: Sequence[str], table: str, limit: int) -> list[Row]:
        # Two statements on a miss, not one: the exact lookup is most checks, and folded into
        # the neighbour statement (as its stage 0) it cost a hit 2.4 ms of wall time instead
        # of 0.6 on PostgreSQL (planning and binding the larger statement) to save a miss 0.3.
        if not skels:
            return []
        exact = _BY_PLATE_SKEL if table == "vehicle" else _BY_NUMBER_SKEL
        return self._rows(exact, {"skels": sorted(set(skels))}) or self._near(skels[0], table, limit)

    def _near(self, skel: str, table: str, limit: int) -> list[Row]:
        one, two = nb.one_off_probes(skel), nb.two_off_probes(skel)
        vehicle = table == "vehicle"
        if self.dialect != "postgresql":  # in-process: a statement costs no round trip
            found = self._off(skel, table, one, nb.keep_one_off, 20) or self._off(
                skel, table, two, nb.keep_two_off, limit)
            return found or (self.vehicles_similar(skel) if vehicle else [])
        key_name = nb.TABLES[table][1].name
        with self.connect() as conn:
            trigram = 10 if vehicle and len(skel) >= 3 and self._has_trgm(conn) else 0
            if not (one or two or trigram):
                return []
            stmt = nb.near_statement(table, nb.shape(one), nb.shape(two), trigram,
                                     self._has_levenshtein(conn))
            params = {**nb.probe_params(one, "a"), **nb.probe_params(two, "b"), "skel": skel,
                      "skel_rev": skel[::-1]}
            by_stage: dict[int, list[Any]] = {1: [], 2: [], 3: []}
            for r in conn.execute(stmt, params):
                by_stage[r.stage].append(r)
        return (nb.keep_one_off(by_stage[1], skel, key_name, limit=20)
                or nb.keep_two_off(by_stage[2], skel, key_name, limit=limit)
                or [plain(r, key_name, "stage", "dist") for r in by_stage[3]])

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


# The exact-skeleton lookups of every check, built once (an expanding IN).
_SKELS: Any = bindparam("skels", expanding=True)
_BY_PLATE_SKEL = select(*VEHICLE_COLS).where(V.c.plate_skel.in_(_SKELS)).limit(200)
_BY_NUMBER_SKEL = select(*LICENCE_COLS).where(L.c.number_skel.in_(_SKELS)).limit(200)

# The other reads of a check, built once: building an expression costs more than running it.
_IDS: Any = bindparam("ids", expanding=True)
_BY_HOLDER = select(*LICENCE_COLS).where(L.c.holder_id.in_(_IDS))
_PERSONS_BY_ID = select(*PERSON_COLS).where(P.c.id.in_(_IDS))
_PERSONS_WITH_LICENCES = (
    select(*PERSON_COLS, *(c.label(f"lic_{c.name}") for c in (L.c.id, L.c.number, L.c.region,
                                                               L.c["class"], L.c.status, L.c.expiry)))
    .select_from(P.outerjoin(L, L.c.holder_id == P.c.id))
    .where(P.c.id.in_(_IDS))
)
_ALERTS_FOR = (
    select(*ALERT_COLS)
    .where(or_(A.c.person_id.in_(bindparam("pids", expanding=True)),
               A.c.vehicle_id.in_(bindparam("vids", expanding=True))))
    .where(or_(A.c.expires.is_(None), A.c.expires >= bindparam("today")))
)
_NAME_KEY_COLS = [*PERSON_COLS, P.c.given_key, P.c.family_key, P.c.given_phon, P.c.family_phon]


@lru_cache(maxsize=8)
def _persons_by_dob_statement(limit: int) -> Select[Any]:
    return select(*_NAME_KEY_COLS).where(P.c.dob.in_(bindparam("days", expanding=True))).limit(limit)


@lru_cache(maxsize=16)
def _persons_by_name_statement(with_given: bool, limit: int) -> Select[Any]:
    family = P.c.family_phon == bindparam("family_phon")
    if with_given:
        family = family & (P.c.given_phon == bindparam("given_phon"))
    return select(*_NAME_KEY_COLS).where(or_(family, P.c.family_key == bindparam("family_key"))).limit(limit)
