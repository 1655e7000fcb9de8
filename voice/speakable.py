"""The readback text as phrases to speak: alert first, then identity, then details.

The result's ``readback`` is written for the screen and the ear alike ("Seven X-ray
Yankee Zulu four five six, grey Toyota Camry, registered owner John Smith, STOLEN.").
Spoken over a radio, the most important fact goes first, so the alert words are lifted
to the front; the identity (a spelled plate or licence, or a name and date of birth)
follows; the details come last and are the first to be dropped when the answer would run
too long. Dates are read as words ("fourth of July nineteen eighty-five"), other digit
runs one digit at a time, and capitals as words (so "STOLEN" is not spelled out).
All functions here are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from common.vocabulary import spelling_words

# Alert words as the readback writes them (lookup.readback), and how they are spoken.
_ALERT_FRAGMENTS = {
    "wanted": "Wanted",
    "caution": "Caution",
    "use caution": "Use caution",
    "protection order": "Protection order",
    "stolen": "Stolen",
    "missing person": "Missing person",
}
# Spelling words and the digits in words: a fragment made mostly of these is spelled.
SPELLING_WORDS = frozenset(spelling_words())
_DIGITS = "zero one two three four five six seven eight nine".split()
_ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth", "twenty": "twentieth", "thirty": "thirtieth"}
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DIGIT_RUN = re.compile(r"\d+")
_GLUED = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_CAPS = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,})*\b")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One phrase of a spoken answer.

    Attributes:
        text: what to say.
        kind: ``"alert"`` (lifted to the front), ``"identity"`` (the record and its date of
            birth: kept whatever the length), ``"status"`` (words the readback writes in
            capitals, SUSPENDED: kept unless the answer would run too long) or ``"detail"``
            (dropped first).
        spelled: mostly spelling-alphabet words and digits: spoken slower, with gaps.
        fixed: holds nothing particular to one record (safe to cache).
    """

    text: str
    kind: str
    spelled: bool = False
    fixed: bool = False


def number_words(n: int) -> str:
    """0..9999 in words ("nineteen eighty-five" style for years handled by :func:`year_words`)."""
    if n < 20:
        return _ONES[n] or "zero"
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")


def year_words(year: int) -> str:
    """A year as said: 1985 "nineteen eighty-five", 2004 "two thousand four", 1900 "nineteen hundred"."""
    high, low = divmod(year, 100)
    if 2000 <= year < 2010:
        return "two thousand" + (f" {_ONES[low]}" if low else "")
    if low == 0:
        return f"{number_words(high)} hundred"
    return f"{number_words(high)} {'oh ' + _ONES[low] if low < 10 else number_words(low)}"


def ordinal_words(n: int) -> str:
    """1..31 as an ordinal: "first", "twenty-second"."""
    words = number_words(n)
    head, _, last = words.rpartition("-")
    if last in _ORDINAL:
        last = _ORDINAL[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}-{last}" if head else last


def date_words(iso: str) -> str:
    """``1985-07-04`` as "fourth of July nineteen eighty-five" (the text unchanged if not a date)."""
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{ordinal_words(d.day)} of {d.strftime('%B')} {year_words(d.year)}"


def speakable(text: str) -> str:
    """Text a speech engine reads as a radio operator would: dates and numbers in words."""
    text = _ISO_DATE.sub(lambda m: date_words(m.group(0)), text)
    text = _GLUED.sub(" ", text)  # "7XYZ456": letters and digits said apart
    text = _CAPS.sub(lambda m: m.group(0).capitalize() if len(m.group(0)) > 3 else m.group(0), text)

    def digits(m: re.Match[str]) -> str:
        run = m.group(0)
        if len(run) <= 2:
            return number_words(int(run))
        return " ".join(_DIGITS[int(c)] for c in run)

    return _DIGIT_RUN.sub(digits, text)


def _is_spelled(fragment: str) -> bool:
    words = [w.strip(":?.").lower() for w in fragment.split()]
    spelled = sum(w in SPELLING_WORDS for w in words)
    return spelled >= 3 and spelled >= 0.6 * len(words)


def _alert_key(fragment: str) -> str | None:
    key = " ".join(fragment.lower().split())
    return key if key in _ALERT_FRAGMENTS else None


def answer_phrases(status: str, readback: str, *, has_alerts: bool, has_candidates: bool) -> list[Phrase]:
    """Split a readback into phrases, alert words first, then identity, then details."""
    body = readback.strip()
    if not body:
        return []
    # A readback that names no record ("Say again ...", "Go ahead.") is said whole and cached.
    if not has_candidates and not any(c.isdigit() for c in body) and status in ("clarify", "no_match"):
        return [Phrase(speakable(body), "identity", spelled=_is_spelled(body), fixed=True)]
    fragments = [f.strip() for f in re.split(r",\s+", body.rstrip(".").strip()) if f.strip()]
    alerts: list[str] = []
    rest: list[str] = []
    for fragment in fragments:
        key = _alert_key(fragment) if has_alerts else None
        if key is not None:
            alerts.append(_ALERT_FRAGMENTS[key])
        else:
            rest.append(fragment)
    phrases: list[Phrase] = []
    if alerts:
        # Officer safety first ("Use caution, wanted, stolen."), as the alerts are ranked.
        alerts.sort(key=lambda a: not a.endswith("aution"))
        phrases.append(Phrase(", ".join(alerts) + ".", "alert", fixed=True))
    for i, fragment in enumerate(rest):
        # The first fragment names the record, with its date of birth; what the readback
        # writes in capitals (SUSPENDED, REVOKED) comes next, and details last.
        kind = ("identity" if i == 0 or fragment.startswith("born ")
                else "status" if _CAPS.search(fragment) is not None else "detail")
        phrases.append(Phrase(speakable(fragment) + ("." if i == len(rest) - 1 else ","), kind,
                              spelled=_is_spelled(fragment)))
    return phrases
