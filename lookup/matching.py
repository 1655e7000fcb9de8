"""Ranking registry rows against what was heard: plates, licences and names.

Pure functions over rows from :mod:`lookup.store`. A plate row found through its confusable
skeleton scores by how many confusable substitutions separate it from each reading,
weighted by the reading's own score; names score by Jaro-Winkler on romanisation-folded
keys with a phonetic lift, and dates of birth by agreement with the heard readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from lookup.names import name_similarity
from lookup.spoken import Reading, skeleton

CONFUSABLE_COST = 0.12
OTHER_EDIT_COST = 0.3


@dataclass(frozen=True, slots=True)
class Scored:
    """A registry row with its score in 0..1 and a short reason."""

    row: dict[str, Any]
    score: float
    why: str


def alnum_similarity(heard: str, value: str) -> tuple[float, str]:
    """Similarity of a heard alphanumeric string to a registry value, with why.

    Equal strings score 1; confusable substitutions (same skeleton) cost little; other
    edits (only reached through the trigram fallback) cost more.
    """
    if heard == value:
        return 1.0, "exact"
    if len(heard) == len(value) and skeleton(heard) == skeleton(value):
        n = sum(a != b for a, b in zip(heard, value, strict=True))
        return max(0.0, 1.0 - CONFUSABLE_COST * n), f"{n} confusable character{'s' if n > 1 else ''}"
    dist = Levenshtein.distance(skeleton(heard), skeleton(value))
    return max(0.0, 1.0 - OTHER_EDIT_COST * dist - 0.05), f"{dist} edit{'s' if dist != 1 else ''}"


def rank_alnum(
    rows: Sequence[dict[str, Any]], readings: Sequence[Reading], *, field: str, asr_confidence: float = 1.0
) -> list[Scored]:
    """Rank rows (vehicles or licences) by their best agreement with any reading."""
    out: list[Scored] = []
    factor = 0.6 + 0.4 * asr_confidence
    for row in rows:
        best, why = 0.0, ""
        for r in readings:
            sim, reason = alnum_similarity(r.text, row[field])
            s = sim * r.score
            if s > best:
                best = s
                why = reason if r.source == "primary" else f"{reason} ({r.source})"
        if best > 0:
            out.append(Scored(row, round(best * factor, 4), why))
    out.sort(key=lambda s: (-s.score, s.row[field]))
    return out


def rank_prefix(
    rows: Sequence[dict[str, Any]],
    pattern: str,
    *,
    field: str,
    suffix: bool = False,
    wanted: dict[str, str] | None = None,
) -> list[Scored]:
    """Rank partial-plate matches: exact prefix/suffix beats confusable, and a described
    make/colour that agrees lifts a row."""
    out = []
    for row in rows:
        value = row[field]
        part = value[-len(pattern) :] if suffix else value[: len(pattern)]
        sim, why = alnum_similarity(pattern, part)
        score = 0.7 * sim
        reasons = [("ends " if suffix else "starts ") + why]
        for key, val in (wanted or {}).items():
            if val and row.get(key) and str(row[key]).lower() == val.lower():
                score += 0.1
                reasons.append(f"{key} agrees")
        out.append(Scored(row, round(min(score, 1.0), 4), ", ".join(reasons)))
    out.sort(key=lambda s: (-s.score, s.row[field]))
    return out


def _name_credit(sim: float) -> float:
    """Name similarity to score credit: a different name (below ~0.6) earns nothing, so two
    people who share only a family name and a birthday stay clearly apart."""
    return max(0.0, (sim - 0.6) / 0.4)


def _dob_credit(heard: str, registry: str) -> float:
    """Partial credit when only the day was misheard (same year and month)."""
    return 0.3 if heard[:7] == registry[:7] else 0.0


def rank_persons(
    rows: Sequence[dict[str, Any]],
    *,
    given: str | None,
    family: str | None,
    dobs: Sequence[str],
    asr_confidence: float = 1.0,
) -> list[Scored]:
    """Rank persons by family name, given name and date of birth agreement."""
    seen: set[int] = set()
    out: list[Scored] = []
    factor = 0.7 + 0.3 * asr_confidence
    for row in rows:
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        parts: list[tuple[float, float]] = []
        why: list[str] = []
        if family:
            fs = name_similarity(family, row["family"])
            parts.append((0.45, _name_credit(fs)))
            why.append("family " + ("exact" if fs == 1.0 else f"~{fs:.2f}"))
        if given:
            gs = name_similarity(given, row["given"])
            if gs < 1.0 and row.get("aliases"):
                gs = max(
                    [gs, *(name_similarity(given, a.split()[0]) for a in row["aliases"].split(";") if a)]
                )
            parts.append((0.25, _name_credit(gs)))
            why.append("given " + ("exact" if gs == 1.0 else f"~{gs:.2f}"))
        if dobs:
            ds = (
                1.0
                if row["dob"] == dobs[0]
                else 0.75
                if row["dob"] in dobs
                else _dob_credit(dobs[0], row["dob"])
            )
            parts.append((0.3, ds))
            why.append("dob " + ("exact" if ds == 1.0 else "alternate reading" if ds else "differs"))
        total = sum(w for w, _ in parts)
        if not total:
            continue
        score = sum(w * s for w, s in parts) / total
        out.append(Scored(row, round(score * factor, 4), ", ".join(why)))
    out.sort(key=lambda s: (-s.score, s.row["family"], s.row["given"]))
    return out


def decide(ranked: Sequence[Scored], *, accept: float = 0.55, margin: float = 0.12) -> bool:
    """True when the top candidate is good enough and clearly ahead of the next distinct one."""
    if not ranked or ranked[0].score < accept:
        return False
    return len(ranked) == 1 or ranked[0].score - ranked[1].score >= margin
