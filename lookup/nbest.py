"""Combining the plate or licence readings of several transcripts of one utterance.

The recogniser's own transcript and the constrained spelling passes (tiny.en's, and base's
beside it) each decode to an n-best list of readings (:func:`lookup.spoken.decode_spelled`).
They fail in different places: one drops a symbol, one hears "Juliet" for "Zulu", one stops
short. Agreeing on whole strings only (:func:`lookup.spoken.merge_readings`) leaves a
reading two transcripts nearly share behind one that a single transcript made up, so the
readings are ranked by *support*: each transcript votes for a reading with its own closest
reading's score times their similarity (one minus the normalised edit distance), a
minimum-Bayes-risk choice over the transcripts. A reading in the shape of a common plate or
licence format gets a small prior on top, since a garbled transcript rarely lands on one by
chance while the officer almost always says one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from lookup.spoken import Reading, merge_readings

# Common formats: California 7ABC123, New York/Texas ABC1234, UK AB12CDE, older ABC123 and 123ABC.
PLATE_SHAPES = re.compile(r"\d[A-Z]{3}\d{3}|[A-Z]{3}\d{3,4}|[A-Z]{2}\d{2}[A-Z]{3}|\d{3}[A-Z]{3}")
# California A1234567, New York 9 digits, Texas 8 digits, two letters and six digits, UK DVLA.
LICENCE_SHAPES = re.compile(r"[A-Z]\d{7}|\d{8,9}|[A-Z]{2}\d{6}|[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}")
# A reading in no common shape keeps this share of its support.
OFF_SHAPE = 0.85


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
    prior = {r.text: 1.0 if partial or shape_ok(intent, r.text) else OFF_SHAPE for r in merged}
    if len(groups) < 2:
        ranked = sorted(merged, key=lambda r: -r.score * prior[r.text])
        return [replace(r, score=round(r.score * prior[r.text], 4)) for r in ranked]
    backing = {r.text: support(r.text, groups) * prior[r.text] for r in merged}
    best = max(backing.values()) or 1.0
    top_score = max(r.score for r in merged)
    ranked = sorted(merged, key=lambda r: -backing[r.text])
    return [replace(r, score=round(top_score * backing[r.text] / best, 4)) for r in ranked]
