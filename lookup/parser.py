"""Utterance parser: a transcript (plus the recogniser's other readings) to a typed Query.

The text is cleaned first (:mod:`lookup.normalise`). Keyword spotting picks the intent
("plate", "licence", "date of birth", "affirmative", "say again"; :mod:`lookup.phrases`); the
span after a plate or licence keyword is decoded into an n-best list of readings
(:mod:`lookup.alnum_parse`); names and dates of birth are pulled out for person checks
(:mod:`lookup.person_parse`); this module decides which, also when the keyword was lost.
Confidence combines the recogniser's confidence, how cleanly the span decoded and how sure
the intent is. The parser never raises on bad text: it returns ``unknown`` with a ``reason``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS, REPEATERS
from lookup.alnum_parse import alnum_query, plate_or_licence
from lookup.dates import MONTHS, parse_date
from lookup.nbest import shape_ok
from lookup.normalise import MAX_CHARS, clean_text, normalise_codes
from lookup.person_parse import DOB_MARKER, is_name_word, person_query
from lookup.phrases import find_keyword, short_intent
from lookup.render import spelling_style
from lookup.types import Intent, Query

logger = logging.getLogger(__name__)

_MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_REPEATER_LAST = re.compile(r"(?i)\b(?:" + "|".join(REPEATERS) + r")\W*$")


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Parser tuning.

    Attributes:
        max_chars: longer texts are refused as ``unknown`` with reason ``too_long``.
        max_readings: n-best readings kept per query.
    """

    max_chars: int = MAX_CHARS
    max_readings: int = 32


def understand(
    text: str,
    *,
    alternatives: Sequence[str] = (),
    asr_confidence: float = 1.0,
    options: ParseOptions | None = None,
) -> Query:
    """Parse one utterance into a typed :class:`Query`; never raises on bad text."""
    try:
        asr = min(max(float(asr_confidence), 0.0), 1.0)
    except (TypeError, ValueError):
        asr = 0.0
    opts = options or ParseOptions()
    query = _understand(text, alternatives, asr, opts)
    if query.intent == Intent.UNKNOWN and query.reason == "no_intent":
        # The first pass lost the keyword; another reading of the same audio may have it.
        for n, alt in enumerate(alternatives):
            if not isinstance(alt, str) or len(alt) > opts.max_chars:
                continue
            others = [a for m, a in enumerate(alternatives) if m != n]
            retry = _understand(alt, others, asr * 0.9, opts)
            if retry.intent != Intent.UNKNOWN:
                query = retry
                break
    spelling = spelling_style(text) if query.intent in (Intent.PLATE, Intent.LICENCE) else "nato"
    return replace(query, asr_confidence=asr, spelling=spelling)


_RUN_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)?|\d+")


def _named_with_date(text: str, start: int) -> bool:
    """Whether two or more name words (no spelling words) come after ``start`` and before a
    run of digits that reads as a date of birth."""
    digit = re.search(r"\d", text[start:])
    if digit is None:
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'\-]*", text[start : start + digit.start()])
    names = [w for w in words if is_name_word(w) and len(w) > 1]
    # Not when spelling words run on into the digits ("just to finish and for me 6 Mike Juliet
    # Delta 2 1 4", "the target in J4 4 7 0": a plate whose keyword was misheard), nor when a
    # repeater says the digits are spelled ("it's about to double 8.3.0.5").
    return (len(names) >= 2 and not any(w.lower() in ALPHABET_WORDS for w in names)
            and _spelled_run_start(text[start:].lower()) is None
            and not _REPEATER_LAST.search(text[: start + digit.start()])
            and bool(parse_date(text[start + digit.start() :])))


def _named_before(text: str, start: int) -> bool:
    """Whether two or more name words (no spelling words) follow ``start`` before the first
    date-of-birth marker."""
    marker = DOB_MARKER.search(text, start)
    if marker is None:
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'\-]*", text[start : marker.start()])
    names = [w for w in words if is_name_word(w) and w.lower() not in ALPHABET_WORDS]
    return len(names) >= 2


def _spelled_run_start(lower: str, *, length: int = 4) -> int | None:
    """Where the first run of ``length`` or more spelling words and digits starts, holding
    both a letter word and a digit ("juliet whiskey bravo 8 0 6 4"); None without one."""
    start, letters, digits, count = 0, 0, 0, 0
    for m in _RUN_TOKEN.finditer(lower):
        w = m.group().replace("-", "")
        is_digit = w in DIGIT_WORDS or (w.isdigit() and len(w) <= 4)
        if w in ("double", "triple") and count:
            continue
        if w in ALPHABET_WORDS or (len(w) == 1 and w.isalpha()) or is_digit:
            if count == 0:
                start, letters, digits = m.start(), 0, 0
            count += 1
            digits += is_digit
            letters += not is_digit
            if count >= length and letters and digits:
                return start
        else:
            count = 0
    return None


def _understand(text: str, alternatives: Sequence[str], asr_confidence: float, opts: ParseOptions) -> Query:
    if not isinstance(text, str) or not text.strip():
        return Query(Intent.UNKNOWN, {}, 0.0, reason="empty")
    if len(text) > opts.max_chars:
        return Query(Intent.UNKNOWN, {}, 0.0, reason="too_long")
    cleaned = normalise_codes(clean_text(text))
    lower = cleaned.lower()
    if not re.search(r"[a-z0-9]", lower):
        return Query(Intent.UNKNOWN, {}, 0.0, reason="no_words")
    short = short_intent(lower, asr_confidence)
    if short is not None:
        return short
    kw = find_keyword(lower)
    if kw is None:
        # "Run 7XYZ456": an alphanumeric token with digits and letters is probably a plate.
        m = re.search(r"\b(run|check|query|look up|lookup|search)\b", lower)
        if m and _named_with_date(cleaned, m.end()):
            # "Can you run Zoe Collins, 1-20-3-81": "born" lost; a name and a numeric date.
            return person_query(cleaned, lower, asr_confidence, 0.7)
        if m and not _MONTH_RE.search(lower) and re.search(r"\d", lower[m.end() :]):
            # "Can you run a check on 7 X-ray ...": the plate starts where the spelled run does.
            run = _spelled_run_start(lower[m.end() :])
            start = m.end() + (run or 0)
            return plate_or_licence(cleaned, lower, start, 0.7, alternatives, asr_confidence,
                                    max_readings=opts.max_readings)
        run = _spelled_run_start(lower)
        if _MONTH_RE.search(lower) and run is None and parse_date(cleaned):
            # "Oliver Bennett, or April 22nd 2003": "born" misheard, but a name and a date.
            return person_query(cleaned, lower, asr_confidence, 0.7)
        if run is not None:
            # "And Wednesday 8, Juliet Whiskey Bravo 8 0 6 4": the keyword ("10-28") was lost,
            # but a spelled run of letters and digits over the radio is most often a plate.
            return plate_or_licence(cleaned, lower, run, 0.6, alternatives, asr_confidence,
                                    max_readings=opts.max_readings)
        number = re.search(r"\bnumber\b", lower)
        if number:
            # "Wipe from stat number 1 2 3 4 5 6 7 8 9": "driver's licence" lost, but a number
            # in a licence's shape (no plate has eight or more symbols) was said.
            licence = alnum_query(Intent.LICENCE, cleaned, lower, number.end(), 0.6, alternatives,
                                  asr_confidence, max_readings=opts.max_readings)
            if shape_ok(Intent.LICENCE, str(licence.slots.get("licence", ""))):
                return licence
        logger.debug("no intent keyword in %r", lower)
        return Query(Intent.UNKNOWN, {}, 0.0, reason="no_intent")
    intent, weight, start, end = kw
    if intent == Intent.PERSON:
        return person_query(cleaned, lower, asr_confidence, weight)
    query = alnum_query(intent, cleaned, lower, end, weight, alternatives, asr_confidence,
                        max_readings=opts.max_readings)
    run = _spelled_run_start(lower[:start]) if query.reason == "no_reading" else None
    if run is not None:
        # "Seven X-ray Yankee Zulu four five six, run that plate for me": the keyword came last.
        query = alnum_query(intent, cleaned, lower, run, weight * 0.9, alternatives, asr_confidence,
                            max_readings=opts.max_readings)
    if intent == Intent.LICENCE and re.search(r"\b(dob|date of birth|born)\b", lower) and (
            query.reason or _named_before(cleaned, end)):
        # "Driver's licence for Hiroshi Sato, DOB 1985-03-04": the licence of a named person.
        return person_query(cleaned, lower, asr_confidence, weight)
    return query

