"""Combining the plate or licence readings of several transcripts of one utterance.

The recogniser's own transcript and the constrained spelling passes (tiny.en's, and base's
beside it) each decode to an n-best list of readings (:func:`lookup.spoken.decode_spelled`).
They fail in different places: one drops a symbol, one hears "Juliet" for "Zulu", one stops
short. Agreeing on whole strings only (:func:`merge_readings`) leaves a
reading two transcripts nearly share behind one that a single transcript made up, so the
readings are ranked by *support*: each transcript votes for a reading with its own closest
reading's score times their similarity (one minus the normalised edit distance), a
minimum-Bayes-risk choice over the transcripts. A reading in the shape of a common plate or
licence format gets a small prior on top, since a garbled transcript rarely lands on one by
chance while the officer almost always says one.

When each transcript got a different symbol wrong ("6JW902", "62LGW902", "6JGWI02" for
6JGW902), no whole reading is right, so symbol-wise votes make new ones
(:func:`consensus`, as ROVER does for words): each transcript's first reading in turn is
the pivot, the others are aligned to it, and every symbol (and every symbol one of them
inserts) goes the way most transcripts go. Those readings then compete on support with the
rest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from lookup.spoken import Reading

# Common formats: California 7ABC123, New York/Texas ABC1234, UK AB12CDE, older ABC123 and 123ABC.
PLATE_SHAPES = re.compile(r"\d[A-Z]{3}\d{3}|[A-Z]{3}\d{3,4}|[A-Z]{2}\d{2}[A-Z]{3}|\d{3}[A-Z]{3}")
# California A1234567, New York 9 digits, Texas 8 digits, two letters and six digits, UK DVLA.
LICENCE_SHAPES = re.compile(r"[A-Z]\d{7}|\d{8,9}|[A-Z]{2}\d{6}|[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}")
# A reading in no common shape keeps this share of its support.
OFF_SHAPE = 0.85


def merge_readings(groups: Iterable[Sequence[Reading]], *, limit: int = 32) -> list[Reading]:
    """Merge n-best lists from several transcripts; agreeing readings reinforce each other."""
    merged: dict[str, Reading] = {}
    for group in groups:
        for r in group:
            old = merged.get(r.text)
            if old is None:
                merged[r.text] = r
            else:
                # Independent evidence for the same string: noisy-or of the two scores.
                score = 1.0 - (1.0 - old.score) * (1.0 - r.score)
                merged[r.text] = Reading(r.text, round(score, 4), old.source)
    out = sorted(merged.values(), key=lambda r: -r.score)
    return out[:limit]


def shape_ok(intent: str, value: str) -> bool:
    """Whether ``value`` has the shape of a common plate (or licence) format."""
    shapes = PLATE_SHAPES if intent == "plate_lookup" else LICENCE_SHAPES
    return shapes.fullmatch(value) is not None


def truncations_demoted(groups: Sequence[Sequence[Reading]]) -> list[list[Reading]]:
    """A reading that another transcript's reading continues ("Y2200" beside "Y2200531") is
    most likely cut short (the recogniser stopped early): it keeps half its score, unless
    another transcript reads it too (then the longer one more likely ran on: "594934938"
    beside two readings of "59493493")."""
    if len(groups) < 2:
        return [list(g) for g in groups]
    tops = [g[0].text if g else "" for g in groups]
    out = []
    for i, group in enumerate(groups):
        longer = [r.text for j, g in enumerate(groups) if j != i for r in g]
        out.append([replace(r, score=round(r.score * 0.5, 4))
                    if any(len(t) > len(r.text) and t.startswith(r.text) for t in longer)
                    and sum(t == r.text for t in tops) < 2 else r
                    for r in group])
    return out


def support(value: str, groups: Sequence[Sequence[Reading]]) -> float:
    """Mean over the transcripts of their best vote for ``value``: a reading's score times its
    similarity to ``value``."""
    votes = [max((r.score * Levenshtein.normalized_similarity(value, r.text) for r in g), default=0.0)
             for g in groups]
    return sum(votes) / len(votes) if votes else 0.0


def _votes(pivot: str, other: str) -> tuple[list[str], list[str]]:
    """``other`` aligned to ``pivot``: what it has at each pivot position ("" for nothing) and
    what it inserts before each position (and at the end). A substitution costs 3 and an
    insertion or deletion 2, so a run of equal symbols stays aligned ("NN00XY" and "NNXYF5":
    "00" dropped and "F5" added, not four symbols changed)."""
    n, m = len(pivot), len(other)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                cost[i][j] = 2 * (i + j)
                continue
            same = 0 if pivot[i - 1] == other[j - 1] else 3
            cost[i][j] = min(cost[i - 1][j - 1] + same, cost[i - 1][j] + 2, cost[i][j - 1] + 2)
    at = [""] * n
    before = [""] * (n + 1)
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (0 if pivot[i - 1] == other[j - 1] else 3):
            at[i - 1] = other[j - 1]
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 2:
            i -= 1  # deleted: at[i] stays ""
        else:
            before[i] = other[j - 1] + before[i]
            j -= 1
    return at, before


def consensus(tops: Sequence[str]) -> list[str]:
    """Readings voted symbol by symbol from the transcripts' first readings ``tops`` (three or
    more): with each in turn as the pivot, a symbol the pivot has is kept, changed or dropped
    as most transcripts go (ties keep the pivot's), and a symbol is inserted where most
    transcripts insert it. Only readings none of ``tops`` is already."""
    if len(tops) < 3:
        return []
    need = len(tops) // 2 + 1
    out: dict[str, None] = {}
    for p, pivot in enumerate(tops):
        aligned = [_votes(pivot, other) for q, other in enumerate(tops) if q != p]
        symbols = []
        for i in range(len(pivot) + 1):
            inserted = [before[i] for _, before in aligned if before[i]]
            # The longest start most transcripts insert ("F" of "F" and "F5").
            for size in range(max(map(len, inserted), default=0), 0, -1):
                text, count = Counter(s[:size] for s in inserted if len(s) >= size).most_common(1)[0]
                if count >= need:
                    symbols.append(text)
                    break
            if i < len(pivot):
                votes = Counter(at[i] for at, _ in aligned)
                votes[pivot[i]] += 1
                best, count = votes.most_common(1)[0]
                symbols.append(best if count >= need and count > votes[pivot[i]] else pivot[i])
        voted = "".join(symbols)
        if voted and voted not in tops:
            out[voted] = None
    return list(out)


def combine(groups: Sequence[Sequence[Reading]], intent: str, *, limit: int = 32,
            partial: bool = False) -> list[Reading]:
    """The readings of every transcript, best supported first.

    With one transcript the order is its own, with the shape prior. Scores are rescaled so the
    first keeps the best merged score: a confidence read off them stays comparable.
    """
    groups = [g for g in truncations_demoted(groups) if g]
    merged = merge_readings(groups, limit=limit)
    if not merged:
        return []
    if not partial:
        # Voted readings start at the lowest first-reading score; support ranks them below.
        floor = min(g[0].score for g in groups)
        merged += [Reading(text, floor, "voted") for text in consensus([g[0].text for g in groups])
                   if all(r.text != text for r in merged)]
    prior = {r.text: 1.0 if partial or shape_ok(intent, r.text) else OFF_SHAPE for r in merged}
    if len(groups) < 2:
        ranked = sorted(merged, key=lambda r: -r.score * prior[r.text])
        return [replace(r, score=round(r.score * prior[r.text], 4)) for r in ranked]
    backing = {r.text: support(r.text, groups) * prior[r.text] for r in merged}
    best = max(backing.values()) or 1.0
    top_score = max(r.score for r in merged)
    ranked = sorted(merged, key=lambda r: -backing[r.text])
    return [replace(r, score=round(top_score * backing[r.text] / best, 4)) for r in ranked]
