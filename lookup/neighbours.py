"""Registry neighbours of a heard skeleton that is not on file: the SQL and the filters.

Three stages, each offered only when the one before found nothing: one edit (a symbol
changed, missed or extra), two edits, then PostgreSQL's trigram neighbours. The one- and
two-edit searches are index range scans on the part of the skeleton an edit leaves intact
(its prefix, or the reversed skeleton's prefix), so they work the same on SQLite and
PostgreSQL; the rows they read are filtered here by edit distance. :func:`near_statement`
puts all three in one statement, for a server where each statement is a round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein
from sqlalchemy import (
    Float,
    Select,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from lookup.tables import LICENCE_COLS, VEHICLE_COLS, L, Row, V, plain

Probe = tuple[bool, str, int, int]  # (reversed side, key prefix, shortest and longest length)
# Rows one range search reads at most; an edit-1 neighbourhood in a registry of millions
# holds a few dozen.
SCAN = 2000

# Per table: columns returned, skeleton column, reversed skeleton column.
TABLES: dict[str, tuple[Sequence[Any], Any, Any]] = {
    "vehicle": (VEHICLE_COLS, V.c.plate_skel, V.c.plate_rev),
    "licence": (LICENCE_COLS, L.c.number_skel, L.c.number_rev),
}


def one_off_probes(skel: str) -> list[Probe]:
    """The index ranges that hold every skeleton one edit from ``skel``. Empty under 4
    symbols (too many neighbours to offer)."""
    n = len(skel)
    if n < 4:
        return []
    probes: dict[Probe, None] = {}
    for i in range(n + 1):
        for head, tail, length in ((skel[:i], skel[i + 1 :], n), (skel[:i], skel[i:], n + 1),
                                   (skel[:i], skel[i + 1 :], n - 1)):
            if length == n + 1 or i < n:
                reverse = len(tail) > len(head)
                probes[(reverse, tail[::-1] if reverse else head, length, length)] = None
    # A range whose key extends a shorter key of the same side and length lies inside it.
    return [(rev, key, length, top) for rev, key, length, top in probes
            if not any(r == rev and m == length and len(k) < len(key) and key.startswith(k)
                       for r, k, m, _top in probes)]


def two_off_probes(skel: str) -> list[Probe]:
    """Two edits leave the first two symbols or the last two intact unless one falls in
    each end (about one pair in six for a 7-symbol plate): the skeleton's and the reversed
    skeleton's two-symbol prefix, each read once for every length two edits can reach.
    Empty under 5."""
    n = len(skel)
    if n < 5:
        return []
    return [(rev, (skel[::-1] if rev else skel)[:2], n - 2, n + 2) for rev in (False, True)]


def probe_params(probes: Sequence[Probe], prefix: str = "") -> dict[str, Any]:
    """The bound values of :func:`range_statement` for ``probes``."""
    params: dict[str, Any] = {}
    for i, (_rev, key, _shortest, _longest) in enumerate(probes):
        params.update({f"{prefix}lo{i}": key, f"{prefix}hi{i}": key + "\x7f"})
    return params


def shape(probes: Sequence[Probe]) -> tuple[tuple[bool, int, int], ...]:
    """What a probe list's statement depends on (not the keys, which are bound)."""
    return tuple((rev, shortest, longest) for rev, _key, shortest, longest in probes)


@lru_cache(maxsize=64)
def range_statement(table: str, probe_shape: tuple[tuple[bool, int, int], ...], prefix: str = "",
                    keys_only: bool = False, distance: int = 0) -> Select[Any]:
    """All probes of a shape in one statement, an OR of index ranges (SQLite's OR-by-union
    plan, PostgreSQL's BitmapOr), built once per shape (building costs more than running).
    The lengths are part of the shape, so they are written into the statement, not bound.
    ``keys_only`` selects the id and skeleton alone (for :func:`near_statement`); with a
    ``distance``, only the rows that many edits from the bound ``skel`` (``levenshtein()``:
    PostgreSQL's fuzzystrmatch, or the function :func:`lookup.db.make_engine` gives SQLite),
    so the database filters the ranges instead of returning every row they hold."""
    cols, skel_col, rev_col = TABLES[table]
    terms = []
    for i, (rev, shortest, longest) in enumerate(probe_shape):
        # Each term reads only its own index's column (the reversed skeleton has the same
        # length, and the same edit distance to the reversed heard skeleton), so rows are
        # filtered in the index and only the ones kept are read from the table.
        col = rev_col if rev else skel_col
        size = func.length(col)
        lengths = (size == literal_column(str(int(shortest))) if shortest == longest else
                   size.between(literal_column(str(int(shortest))), literal_column(str(int(longest)))))
        term = and_(col >= bindparam(f"{prefix}lo{i}"), col < bindparam(f"{prefix}hi{i}"), lengths)
        if distance:
            heard = bindparam("skel_rev" if rev else "skel", type_=skel_col.type)
            term = and_(term, func.levenshtein(col, heard) == literal_column(str(int(distance))))
        terms.append(term)
    picked = (skel_col.table.c.id,) if keys_only else cols
    return select(*picked, skel_col).where(or_(*terms)).limit(SCAN)


@lru_cache(maxsize=8)
def similar_statement(limit: int) -> Select[Any]:
    """The trigram search, built once per limit (built anew each check, the statement and
    its cache key cost half of a not-on-file plate check's CPU on PostgreSQL)."""
    skel = bindparam("skel", type_=V.c.plate_skel.type)
    return (select(*VEHICLE_COLS, V.c.plate_skel).where(V.c.plate_skel.op("%")(skel))
            .order_by(V.c.plate_skel.op("<->")(skel)).limit(limit))


@lru_cache(maxsize=64)
def near_statement(table: str, one_shape: tuple[tuple[bool, int, int], ...],
                   two_shape: tuple[tuple[bool, int, int], ...], trigram_limit: int,
                   in_sql: bool = False) -> Select[Any]:
    """The three stages in one statement (PostgreSQL), each row tagged with its ``stage``
    (1, 2 or 3; the trigram stage only when ``trigram_limit``) and ordered by stage, then
    trigram distance; the caller keeps the first stage that holds a neighbour.

    With ``in_sql`` (the server has ``levenshtein()``), stages 1 and 2 hold only rows one
    and two edits from ``skel``, and a stage runs only when the stages before it hold
    nothing: each is a CTE whose uncorrelated NOT EXISTS PostgreSQL evaluates once, as a
    one-time filter. Without it every stage runs and the caller filters the rows.

    The stages select ids alone and the record's columns are joined once, outside: a
    shorter statement with fewer parameters, which psycopg then converts once and caches
    (it parses anew each time a statement over 4,096 characters or 50 parameters)."""
    cols, skel_col, _rev = TABLES[table]
    t = skel_col.table
    zero = cast(literal_column("0"), Float).label("dist")
    stages: list[tuple[int, Select[Any]]] = []
    for stage, (probe_shape, prefix) in enumerate(((one_shape, "a"), (two_shape, "b")), start=1):
        if probe_shape:
            inner = range_statement(table, probe_shape, prefix, keys_only=True,
                                    distance=stage if in_sql else 0).subquery()
            stages.append((stage, select(inner.c.id, zero)))
    if trigram_limit:
        skel = bindparam("skel", type_=V.c.plate_skel.type)
        dist = cast(V.c.plate_skel.op("<->")(skel), Float)
        inner = (select(V.c.id, dist.label("dist"))
                 .where(V.c.plate_skel.op("%")(skel)).order_by(dist).limit(trigram_limit).subquery())
        stages.append((3, select(inner.c.id, inner.c.dist)))
    gates: list[Any] = []
    parts: list[Select[Any]] = []
    for stage, found in stages:
        for gate in gates:
            found = found.where(~exists(select(literal_column("1")).select_from(gate)))
        cte = found.cte(f"stage{stage}_{table}")
        parts.append(select(literal_column(str(stage)).label("stage"), cte.c.id, cte.c.dist))
        if in_sql:
            gates.append(cte)
    hits = union_all(*parts).subquery("hits")
    return (select(hits.c.stage, *cols, skel_col, hits.c.dist).join_from(hits, t, t.c.id == hits.c.id)
            .order_by(hits.c.stage, hits.c.dist))


def keep_one_off(rows: Iterable[Any], skel: str, key_name: str, *, limit: int) -> list[Row]:
    """The rows one edit from ``skel``, without their skeleton column."""
    found: dict[int, Row] = {}
    for r in rows:
        if Levenshtein.distance(getattr(r, key_name), skel) == 1:
            row = plain(r, key_name, "stage", "dist")
            found[row["id"]] = row
    return list(found.values())[:limit]


def keep_two_off(rows: Iterable[Any], skel: str, key_name: str, *, limit: int) -> list[Row]:
    """The rows two edits from ``skel``, same length and same symbols in more places first
    ("AB1234" before "1AB234"). Offered by the check, never taken."""
    found: dict[int, tuple[int, Row]] = {}
    for r in rows:
        other = getattr(r, key_name)
        if Levenshtein.distance(other, skel) == 2:
            same = sum(a == b for a, b in zip(other, skel, strict=False))
            found[r.id] = (-same, plain(r, key_name, "stage", "dist"))
    return [row for _key, row in sorted(found.values(), key=lambda kr: kr[0])][:limit]

