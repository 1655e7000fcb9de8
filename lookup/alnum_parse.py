"""Plate and licence checks: the spelled span after the keyword read into an n-best list.

The span runs from the keyword (or where a spelled run starts) to the first word that ends
it (:data:`lookup.phrases.SPAN_STOP`); it and the same span in each other reading of the
audio are decoded with :func:`lookup.spoken.decode_spelled` and merged
(:func:`lookup.nbest.combine`). Partial plates ("starts with ..."), a region, colour and make
said beside the plate become slots. The confidence discounts a reading of implausible length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS
from lookup.nbest import combine, shape_ok
from lookup.normalise import MAX_CHARS, clean_text, normalise_codes
from lookup.phrases import SPAN_STOP, find_keyword
from lookup.spoken import FILLERS, Reading, decode_spelled, tokenize
from lookup.types import Intent, Query
from lookup.vocab import COLOURS, MAKES_MODELS, REGIONS

MAX_ALNUM = 10
_MAKES = {m.lower(): m for m in MAKES_MODELS}
_REGION_RE = re.compile(r"\b(" + "|".join(sorted(REGIONS, key=len, reverse=True)) + r")\b")
_PARTIAL_PREFIX = re.compile(
    r"\b(starts? with|starting with|beginning with|begins with|first (?:part|letters?)"
    r"(?: is| are)?)\b"
)
_PARTIAL_SUFFIX = re.compile(
    r"\b(ends? (?:with|in)|ending (?:with|in)|last (?:part|letters?|digits?)"
    r"(?: is| are)?)\b"
)


def _spelled_on(tokens: Sequence[str], i: int) -> bool:
    """Whether ``tokens[i]`` is a spelling word with another spelling word or digit after it
    ("Yellow one one oh ...": LAPD's Y, not the colour)."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    return tokens[i] in ALPHABET_WORDS and (nxt in ALPHABET_WORDS or nxt in DIGIT_WORDS or nxt.isdigit())


def _spelled(tok: str) -> bool:
    """A token that is itself a symbol: a digit, a letter, a spelled group, a spelling word."""
    return (tok.isdigit() or tok.startswith("^") or len(tok) == 1 or tok in ALPHABET_WORDS
            or tok in DIGIT_WORDS)


def _span_tokens(original: str) -> list[str]:
    tokens = tokenize(original)
    out: list[str] = []
    started = False  # a token other than a filler is in the span
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in ("a", "an") and not started and not _spelled(nxt):
            continue  # "plate check on a silver Toyota, 7 X-ray ...": the article, not A
        if tok == "and" and started and _spelled(nxt):
            out.append(tok)  # "N and U7 135": the letter N, or nothing (never the span's end)
            continue
        if tok in SPAN_STOP and not _spelled_on(tokens, i):
            if started:
                break
            continue
        out.append(tok)
        started = started or tok not in FILLERS
    return out


def _descriptors(lower: str) -> dict[str, str]:
    """Region, colour and make mentioned with a plate ("New York plate", "silver Toyota")."""
    out: dict[str, str] = {}
    m = _REGION_RE.search(lower)
    if m:
        out["region"] = REGIONS[m.group(1)]
    tokens = re.findall(r"[a-z]+|\d", lower)
    words = {w for i, w in enumerate(tokens) if not _spelled_on(tokens, i)}
    colour = next((c for c in COLOURS if c in words), None)
    if colour:
        out["colour"] = colour
    make = next((_MAKES[w] for w in words if w in _MAKES), None)
    if make:
        out["make"] = make
    return out


def _readings_for(text_after: str, alternatives: Sequence[str], intent: Intent, *, limit: int,
                  partial: bool) -> list[Reading]:
    groups = [decode_spelled(_span_tokens(text_after))]
    for n, alt in enumerate(alternatives):
        alt_clean = normalise_codes(clean_text(alt)[:MAX_CHARS])
        lower = alt_clean.lower()
        kw = find_keyword(lower)
        start = kw[3] if kw and kw[0] != Intent.PERSON else 0
        start = max(start, _partial_cut(lower, start))
        groups.append(decode_spelled(_span_tokens(alt_clean[start:]), source=f"alt{n + 1}"))
    return combine(groups, intent, limit=limit, partial=partial)


def _partial_cut(lower: str, start: int) -> int:
    for rx in (_PARTIAL_PREFIX, _PARTIAL_SUFFIX):
        m = rx.search(lower, start)
        if m:
            return m.end()
    return start


def alnum_query(
    intent: Intent,
    text: str,
    lower: str,
    kw_end: int,
    kw_weight: float,
    alternatives: Sequence[str],
    asr_confidence: float,
    *,
    max_readings: int,
) -> Query:
    slots: dict[str, object] = {}
    start = kw_end
    if "partial" in lower or _PARTIAL_PREFIX.search(lower, kw_end) or _PARTIAL_SUFFIX.search(lower, kw_end):
        slots["partial"] = True
        slots["match"] = "suffix" if _PARTIAL_SUFFIX.search(lower, kw_end) else "prefix"
        start = _partial_cut(lower, kw_end)
    slots.update(_descriptors(lower))
    partial = bool(slots.get("partial"))
    readings = [
        r
        for r in _readings_for(text[start:], alternatives, intent, limit=max_readings, partial=partial)
        if len(r.text) <= MAX_ALNUM * 4
    ]
    if not readings:
        return Query(intent, slots, 0.0, reason="no_reading")
    plausible = [r for r in readings if alnum_length_ok(intent, r.text, partial=partial)]
    if plausible and plausible[0] is not readings[0]:
        # "Run licence number 10" beside "... tango 3 0 9 0 7": a reading of a plausible length
        # goes first (one transcript stopped short or ran on).
        readings = [plausible[0], *(r for r in readings if r is not plausible[0])]
    top = readings[0]
    key = "plate" if intent == Intent.PLATE else "licence"
    slots[key] = top.text
    second = readings[1].score if len(readings) > 1 else 0.0
    ok = alnum_length_ok(intent, top.text, partial=bool(slots.get("partial")))
    confidence = nbest_confidence(asr_confidence * kw_weight, top.score, second, length_ok=ok)
    return Query(intent, slots, confidence, tuple(readings), reason=None if ok else "bad_length")


def plate_or_licence(text: str, lower: str, start: int, weight: float, alternatives: Sequence[str],
                     asr_confidence: float, *, max_readings: int) -> Query:
    """No keyword said which check ("Check light on Kilo 4 8 2 0 0 6 1": "licence" misheard): a
    plate, unless the reading has the shape of a licence number and of no plate (the common
    formats do not overlap: a licence is eight or more symbols, a plate six or seven)."""
    plate = alnum_query(Intent.PLATE, text, lower, start, weight, alternatives, asr_confidence,
                        max_readings=max_readings)
    if shape_ok(Intent.PLATE, str(plate.slots.get("plate", ""))):
        return plate
    licence = alnum_query(Intent.LICENCE, text, lower, start, weight, alternatives, asr_confidence,
                          max_readings=max_readings)
    number = str(licence.slots.get("licence", ""))
    if shape_ok(Intent.LICENCE, number) and not shape_ok(Intent.PLATE, number):
        return licence
    return plate


def alnum_length_ok(intent: str, value: str, *, partial: bool) -> bool:
    """Whether a plate/licence reading has a plausible length (any length for a partial plate)."""
    too_long = len(value) > MAX_ALNUM + (6 if intent == Intent.LICENCE else 0)
    too_short = len(value) < (2 if intent == Intent.PLATE else 4) and not partial
    return not (too_long or too_short)


def nbest_confidence(base: float, top: float, second: float, *, length_ok: bool = True) -> float:
    """Confidence in the top of an n-best list: ``base`` times its score, discounted by its
    margin over the runner-up; at most 0.1 for an implausible length."""
    margin = (top - second) / top if top else 0.0
    confidence = base * top * (0.7 + 0.3 * margin)
    if not length_ok:
        confidence = min(confidence, 0.1)
    return round(min(confidence, 1.0), 4)
