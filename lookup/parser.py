"""Utterance parser: a transcript (plus the recogniser's other readings) to a typed Query.

Keyword spotting picks the intent ("plate", "licence", "date of birth", "affirmative",
"say again"); the span after the keyword is decoded into an n-best list of readings with
:func:`lookup.spoken.decode_spelled`; names and dates of birth are pulled out for person
checks (:mod:`lookup.person_parse`). Confidence combines the recogniser's confidence, how
cleanly the span decoded and how sure the intent is. The parser never raises on bad text: it
returns ``unknown`` with a ``reason``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS, REPEATERS
from lookup.dates import MONTHS, parse_date
from lookup.nbest import combine, shape_ok
from lookup.person_parse import DOB_MARKER, is_name_word, person_query
from lookup.phrases import CANCEL, CONFIRM, KEYWORDS, REPEAT, SPAN_STOP
from lookup.render import spelling_style
from lookup.spoken import FILLERS, Reading, decode_spelled, tokenize
from lookup.types import Intent, Query
from lookup.vocab import COLOURS, MAKES_MODELS, REGIONS

logger = logging.getLogger(__name__)

MAX_CHARS = 1000
MAX_ALNUM = 10
# Radio ten-codes: 10-28 registration check, 10-29 wants check. Normalised before keyword search.
_TEN_CODE = re.compile(r"(?i)\b(?:ten|10)[- ,]*(?:(?:twenty|20)[- ]?(eight|nine|8|9)|2([89]))\b")
_GLUED = re.compile(r"(?i)\b(check|run)(person|plate|vehicle|licence|license)\b")
_MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_DOTTED_DOB = re.compile(r"(?i)\bd\.\s?o\.\s?b\.?(?!\w)\s*")
_REPEATER_LAST = re.compile(r"(?i)\b(?:" + "|".join(REPEATERS) + r")\W*$")
_SPLIT_FOXTROT = re.compile(r"(?i)\bfox[ -]trot\b")
_FOR_ME = re.compile(r"(?i)\bfor (?:me|us)\b")
CALLSIGN = re.compile(r"^\s*(?:control|dispatch|base|central|radio)\b[ ,.]*", re.IGNORECASE)
_TRAILERS = re.compile(r"\b(over|out|please|thanks|thank you|dispatch|control|base)\b")
_KW_RE = [(re.compile(r"(?<![a-z0-9'])" + re.escape(k) + r"(?![a-z0-9])"), i, w) for k, i, w in KEYWORDS]
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


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Parser tuning.

    Attributes:
        max_chars: longer texts are refused as ``unknown`` with reason ``too_long``.
        max_readings: n-best readings kept per query.
    """

    max_chars: int = MAX_CHARS
    max_readings: int = 32


def clean_text(text: str) -> str:
    """NFKC-normalise, drop control characters, emoji and other symbols; collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    kept = [ch if (ch.isascii() and ch.isprintable()) or ch.isalpha() else " " for ch in text]
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def normalise_codes(text: str) -> str:
    """Rewrite spoken ten-codes to digits ("ten twenty-eight" -> "10-28"), drop a leading call sign
    ("Control, ...") and "for me", which would otherwise read as a digit in a plate span."""
    text = _TEN_CODE.sub(
        lambda m: "10-2" + ("8" if (m.group(1) or m.group(2)).lower() in ("eight", "8") else "9"), text
    )
    text = _GLUED.sub(r"\1 \2", text)
    text = _SPLIT_FOXTROT.sub("foxtrot", text)
    text = _DOTTED_DOB.sub("DOB ", text)
    text = CALLSIGN.sub("", text)
    return _FOR_ME.sub(" ", text)


def _phrase(lower: str) -> str:
    lower = _TRAILERS.sub(" ", lower)
    return re.sub(r"[^a-z0-9' -]+", " ", lower).strip(" -").replace("  ", " ").strip()


def _short_intent(lower: str, confidence: float) -> Query | None:
    chunks = [re.sub(r"\s+", " ", _phrase(c)) for c in re.split(r"[,.;!?]", lower)]
    chunks = [c for c in chunks if c]
    if not chunks:
        return None
    for vocab, intent in ((CONFIRM, "confirm"), (CANCEL, "cancel"), (REPEAT, "repeat")):
        # "Negative, cancel that": every chunk must belong to the same short intent.
        if all(c in vocab for c in chunks):
            return Query(intent, {}, 0.95 * confidence)  # type: ignore[arg-type]
    return None


def _find_keyword(lower: str) -> tuple[Intent, float, int, int] | None:
    """The best intent keyword: plate/licence keywords win over person ones when both appear."""
    hits: list[tuple[int, float, int, int, Intent]] = []
    priority = {"plate_lookup": 0, "licence_lookup": 1, "person_lookup": 2}
    for rx, intent, weight in _KW_RE:
        m = rx.search(lower)
        if m:
            hits.append((priority[intent], -weight, m.start(), m.end(), intent))
    if not hits:
        return None
    # A "licence" right after "plate" belongs to "licence plate", handled by the longer phrase.
    hits.sort(key=lambda h: (h[0], h[1], h[2]))
    pri, negw, start, end, intent = hits[0]
    if intent == "licence_lookup" and any(h[4] == "person_lookup" and h[1] <= -1.0 for h in hits):
        # "licence" with a name and date of birth and no number is still a licence check by holder.
        pass
    return intent, -negw, start, end


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
        kw = _find_keyword(lower)
        start = kw[3] if kw and kw[0] != "person_lookup" else 0
        start = max(start, _partial_cut(lower, start))
        groups.append(decode_spelled(_span_tokens(alt_clean[start:]), source=f"alt{n + 1}"))
    return combine(groups, intent, limit=limit, partial=partial)


def _partial_cut(lower: str, start: int) -> int:
    for rx in (_PARTIAL_PREFIX, _PARTIAL_SUFFIX):
        m = rx.search(lower, start)
        if m:
            return m.end()
    return start


def _alnum_query(
    intent: Intent,
    text: str,
    lower: str,
    kw_end: int,
    kw_weight: float,
    alternatives: Sequence[str],
    asr_confidence: float,
    opts: ParseOptions,
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
        for r in _readings_for(text[start:], alternatives, intent, limit=opts.max_readings, partial=partial)
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
    key = "plate" if intent == "plate_lookup" else "licence"
    slots[key] = top.text
    second = readings[1].score if len(readings) > 1 else 0.0
    ok = alnum_length_ok(intent, top.text, partial=bool(slots.get("partial")))
    confidence = nbest_confidence(asr_confidence * kw_weight, top.score, second, length_ok=ok)
    return Query(intent, slots, confidence, tuple(readings), reason=None if ok else "bad_length")


def _plate_or_licence(text: str, lower: str, start: int, weight: float, alternatives: Sequence[str],
                      asr_confidence: float, opts: ParseOptions) -> Query:
    """No keyword said which check ("Check light on Kilo 4 8 2 0 0 6 1": "licence" misheard): a
    plate, unless the reading has the shape of a licence number and of no plate (the common
    formats do not overlap: a licence is eight or more symbols, a plate six or seven)."""
    plate = _alnum_query("plate_lookup", text, lower, start, weight, alternatives, asr_confidence, opts)
    if shape_ok("plate_lookup", str(plate.slots.get("plate", ""))):
        return plate
    licence = _alnum_query("licence_lookup", text, lower, start, weight, alternatives, asr_confidence, opts)
    number = str(licence.slots.get("licence", ""))
    if shape_ok("licence_lookup", number) and not shape_ok("plate_lookup", number):
        return licence
    return plate


def alnum_length_ok(intent: str, value: str, *, partial: bool) -> bool:
    """Whether a plate/licence reading has a plausible length (any length for a partial plate)."""
    too_long = len(value) > MAX_ALNUM + (6 if intent == "licence_lookup" else 0)
    too_short = len(value) < (2 if intent == "plate_lookup" else 4) and not partial
    return not (too_long or too_short)


def nbest_confidence(base: float, top: float, second: float, *, length_ok: bool = True) -> float:
    """Confidence in the top of an n-best list: ``base`` times its score, discounted by its
    margin over the runner-up; at most 0.1 for an implausible length."""
    margin = (top - second) / top if top else 0.0
    confidence = base * top * (0.7 + 0.3 * margin)
    if not length_ok:
        confidence = min(confidence, 0.1)
    return round(min(confidence, 1.0), 4)


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
    if query.intent == "unknown" and query.reason == "no_intent":
        # The first pass lost the keyword; another reading of the same audio may have it.
        for n, alt in enumerate(alternatives):
            if not isinstance(alt, str) or len(alt) > opts.max_chars:
                continue
            others = [a for m, a in enumerate(alternatives) if m != n]
            retry = _understand(alt, others, asr * 0.9, opts)
            if retry.intent != "unknown":
                query = retry
                break
    spelling = spelling_style(text) if query.intent in ("plate_lookup", "licence_lookup") else "nato"
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
        return Query("unknown", {}, 0.0, reason="empty")
    if len(text) > opts.max_chars:
        return Query("unknown", {}, 0.0, reason="too_long")
    cleaned = normalise_codes(clean_text(text))
    lower = cleaned.lower()
    if not re.search(r"[a-z0-9]", lower):
        return Query("unknown", {}, 0.0, reason="no_words")
    short = _short_intent(lower, asr_confidence)
    if short is not None:
        return short
    kw = _find_keyword(lower)
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
            return _plate_or_licence(cleaned, lower, start, 0.7, alternatives, asr_confidence, opts)
        run = _spelled_run_start(lower)
        if _MONTH_RE.search(lower) and run is None and parse_date(cleaned):
            # "Oliver Bennett, or April 22nd 2003": "born" misheard, but a name and a date.
            return person_query(cleaned, lower, asr_confidence, 0.7)
        if run is not None:
            # "And Wednesday 8, Juliet Whiskey Bravo 8 0 6 4": the keyword ("10-28") was lost,
            # but a spelled run of letters and digits over the radio is most often a plate.
            return _plate_or_licence(cleaned, lower, run, 0.6, alternatives, asr_confidence, opts)
        number = re.search(r"\bnumber\b", lower)
        if number:
            # "Wipe from stat number 1 2 3 4 5 6 7 8 9": "driver's licence" lost, but a number
            # in a licence's shape (no plate has eight or more symbols) was said.
            licence = _alnum_query("licence_lookup", cleaned, lower, number.end(), 0.6, alternatives,
                                   asr_confidence, opts)
            if shape_ok("licence_lookup", str(licence.slots.get("licence", ""))):
                return licence
        logger.debug("no intent keyword in %r", lower)
        return Query("unknown", {}, 0.0, reason="no_intent")
    intent, weight, start, end = kw
    if intent == "person_lookup":
        return person_query(cleaned, lower, asr_confidence, weight)
    query = _alnum_query(intent, cleaned, lower, end, weight, alternatives, asr_confidence, opts)
    run = _spelled_run_start(lower[:start]) if query.reason == "no_reading" else None
    if run is not None:
        # "Seven X-ray Yankee Zulu four five six, run that plate for me": the keyword came last.
        query = _alnum_query(intent, cleaned, lower, run, weight * 0.9, alternatives, asr_confidence, opts)
    if intent == "licence_lookup" and re.search(r"\b(dob|date of birth|born)\b", lower) and (
            query.reason or _named_before(cleaned, end)):
        # "Driver's licence for Hiroshi Sato, DOB 1985-03-04": the licence of a named person.
        return person_query(cleaned, lower, asr_confidence, weight)
    return query

