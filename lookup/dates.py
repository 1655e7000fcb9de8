"""Dates of birth in spoken and written forms, to canonical ``YYYY-MM-DD``.

Handles "1985-07-04", "07/04/1985", "4.7.85", "July 4th 1985", "the fourth of July
nineteen eighty-five", "oh seven oh four eighty-five". Ambiguous numeric dates give
several candidates (US month/day first, then day/month). All functions are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from common.vocabulary import DIGIT_WORDS
from lookup.spoken import TEENS, TENS

MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        "january jan",
        "february feb",
        "march mar",
        "april apr",
        "may",
        "june jun",
        "july jul",
        "august aug",
        "september sep sept",
        "october oct",
        "november nov",
        "december dec",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _n

ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_ISO_RE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NUM_RE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b")
_ORD_SUFFIX = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_WORD_RE = re.compile(r"[a-z]+|\d+(?:st|nd|rd|th)?")


@dataclass(frozen=True, slots=True)
class DateReading:
    """A candidate date of birth with a score in 0..1."""

    iso: str
    score: float


def _year(value: int, *, today: dt.date | None = None) -> int:
    if value >= 100:
        return value
    today = today or dt.date.today()
    return 2000 + value if 2000 + value <= today.year else 1900 + value


def _valid(y: int, m: int, d: int) -> str | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _numbers(words: Sequence[str]) -> list[int | str]:
    """Fold spoken number words into integers; month names stay as ``"m<N>"`` markers."""
    out: list[int | str] = []
    i = 0
    while i < len(words):
        w = words[i]
        m = _ORD_SUFFIX.match(w)
        if w in MONTHS:
            out.append(f"m{MONTHS[w]}")
        elif m:
            out.append(int(m.group(1)))
        elif w.isdigit():
            out.append(int(w) if len(w) <= 4 else w)
        elif w in ORDINALS:
            out.append(ORDINALS[w])
        elif w in TENS:
            value = TENS[w]
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in ORDINALS and ORDINALS[nxt] < 10:
                value += ORDINALS[nxt]
                i += 1
            elif nxt in DIGIT_WORDS and DIGIT_WORDS[nxt] != "0":
                value += int(DIGIT_WORDS[nxt])
                i += 1
            out.append(value)
        elif w in TEENS:
            out.append(TEENS[w])
        elif w in DIGIT_WORDS:
            out.append(int(DIGIT_WORDS[w]) if w not in ("oh", "nought") else "o")
        elif w == "thousand" and out and isinstance(out[-1], int):
            out[-1] = out[-1] * 1000
        elif w == "hundred" and out and isinstance(out[-1], int):
            out[-1] = out[-1] * 100
        i += 1
    return _fold_years(out)


def _fold_years(items: list[int | str]) -> list[int | str]:
    """Join spoken year pairs: 19 85 -> 1985, 2000 3 -> 2003, "o" 7 -> 7."""
    out: list[int | str] = []
    i = 0
    while i < len(items):
        a = items[i]
        b = items[i + 1] if i + 1 < len(items) else None
        if isinstance(a, int) and a in (19, 20) and isinstance(b, int) and 0 <= b <= 99:
            out.append(a * 100 + b)
            i += 2
            continue
        if isinstance(a, int) and a in (19, 20) and b == "o":
            c = items[i + 2] if i + 2 < len(items) else None
            if isinstance(c, int) and c < 10:
                out.append(a * 100 + c)
                i += 3
                continue
        if isinstance(a, int) and a in (2000, 1000) and isinstance(b, int) and b < 100:
            out.append(a + b)
            i += 2
            continue
        if a == "o" and isinstance(b, int) and b < 10:
            out.append(b)
            i += 2
            continue
        out.append(a)
        i += 1
    return [x for x in out if x != "o"]


def parse_date(text: str, *, today: dt.date | None = None, _teens_tried: bool = False) -> list[DateReading]:
    """Every plausible date of birth in ``text``, best first (empty if none)."""
    lower = text.lower()
    found: dict[str, float] = {}

    def add(iso: str | None, score: float) -> None:
        if iso and score > found.get(iso, 0.0):
            found[iso] = score

    for m in _ISO_RE.finditer(lower):
        add(_valid(int(m.group(1)), int(m.group(2)), int(m.group(3))), 1.0)
    for m in _NUM_RE.finditer(lower):
        a, b, y = int(m.group(1)), int(m.group(2)), _year(int(m.group(3)), today=today)
        add(_valid(y, a, b), 0.9)
        add(_valid(y, b, a), 0.6 if a != b else 0.9)
    if found:
        return _ranked(found)
    nums = _numbers(_WORD_RE.findall(lower))
    for i, item in enumerate(nums):
        if isinstance(item, str) and item.startswith("m"):
            month = int(item[1:])
            before = nums[i - 1] if i > 0 else None
            after = nums[i + 1] if i + 1 < len(nums) else None
            after2 = nums[i + 2] if i + 2 < len(nums) else None
            if isinstance(after, int) and after <= 31 and isinstance(after2, int):
                add(_valid(_year(after2, today=today), month, after), 0.95)
            if isinstance(before, int) and before <= 31 and isinstance(after, int):
                add(_valid(_year(after, today=today), month, before), 0.95)
    if not found:
        for iso, score in _digit_string_dates(_WORD_RE.findall(lower), today=today):
            add(iso, score)
    for iso, score in list(found.items()):
        # "third", "thirteenth" and "thirtieth" sound alike: each spoken one keeps the
        # others as weak alternative readings (after every reading of the words themselves).
        if int(iso[8:]) in _THIRDS:
            for day in _THIRDS - {int(iso[8:])}:
                add(_valid(int(iso[:4]), int(iso[5:7]), day), score * 0.4)
        # The year's "-teen" and "-ty" too ("nineteen sixty" heard as 1916), more weakly.
        year = int(iso[:4])
        if year % 100 in _TEEN_TY:
            add(_valid(year - year % 100 + _TEEN_TY[year % 100], int(iso[5:7]), int(iso[8:])), score * 0.3)
    if not found:
        ints = [x for x in nums if isinstance(x, int)]
        for j in range(len(ints) - 2):
            a, b, y = ints[j], ints[j + 1], ints[j + 2]
            if a <= 31 and b <= 31 and (y >= 1900 or y < 100):
                yy = _year(y, today=today)
                add(_valid(yy, a, b), 0.8)
                add(_valid(yy, b, a), 0.5 if a != b else 0.8)
    if not found and not _teens_tried:
        # "fifteen" and "fifty" sound alike and recognisers swap them: when nothing reads as
        # a date, try each -ty number as its -teen, one at a time, at a lower score.
        for m in _TY.finditer(lower):
            swapped = lower[: m.start()] + _as_teen(m.group(0)) + lower[m.end():]
            for reading in parse_date(swapped, today=today, _teens_tried=True):
                add(reading.iso, reading.score * 0.8)
    return _ranked(found)


_THIRDS = {3, 13, 30}
_TEEN_TY = {n: 10 * (n - 10) for n in range(13, 20)} | {10 * (n - 10): n for n in range(13, 20)}
_TY = re.compile(r"\b(?:[3-9]0(?:th)?|thirty|forty|fifty|sixty|seventy|eighty|ninety"
                 r"|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth)\b")


def _as_teen(ty: str) -> str:
    """The -teen of a -ty ("40" -> "14", "40th" -> "14th", "fortieth" -> "fourteenth")."""
    if ty[:2].isdigit():
        return "1" + ty[0] + ty[2:]
    if ty.endswith("tieth"):
        return _as_teen(ty[: -len("tieth")] + "ty") + "th"
    return {"thirty": "thirteen", "forty": "fourteen", "fifty": "fifteen", "sixty": "sixteen",
            "seventy": "seventeen", "eighty": "eighteen", "ninety": "nineteen"}[ty]


def _digit_string_dates(words: Sequence[str], *, today: dt.date | None) -> list[tuple[str, float]]:
    """Dates read as a run of digits and two-digit numbers: "two seven oh five ninety-six" -> 270596."""
    runs: list[str] = []
    digits = ""
    i = 0
    while i < len(words):
        w = words[i]
        if w.isdigit():
            digits += w
        elif w in DIGIT_WORDS:
            digits += DIGIT_WORDS[w]
        elif w == "or" and digits and i + 1 < len(words) and (words[i + 1].isdigit()
                                                              or words[i + 1] in DIGIT_WORDS):
            digits += "0"  # "three one or five fifty-two": "oh" heard as "or"
        elif w in TEENS:
            digits += str(TEENS[w])
        elif w in TENS:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in DIGIT_WORDS and DIGIT_WORDS[nxt] != "0":
                digits += str(TENS[w] + int(DIGIT_WORDS[nxt]))
                i += 1
            else:
                digits += str(TENS[w])
        else:  # a run ends; "D O B" before the digits must not spoil the run after it
            runs.append(digits)
            digits = ""
        i += 1
    out: list[tuple[str, float]] = []
    for run in [*runs, digits]:
        if len(run) in (6, 8):
            a, b, y = int(run[0:2]), int(run[2:4]), _year(int(run[4:]), today=today)
            for iso, score in ((_valid(y, a, b), 0.75), (_valid(y, b, a), 0.7)):
                if iso:
                    out.append((iso, score))
    return out


def _ranked(found: dict[str, float]) -> list[DateReading]:
    return [DateReading(iso, s) for iso, s in sorted(found.items(), key=lambda kv: -kv[1])]
