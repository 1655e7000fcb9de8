"""Person checks: the spoken name and date of birth in a transcript, to a ``person_lookup`` Query.

Used by :mod:`lookup.parser` once the intent is a person check, and by :mod:`lookup.rerank`
(``DOB_MARKER``, ``FIRST_DATE_WORD``, ``is_name_word``) to find the name in a transcript.
"""

from __future__ import annotations

import re

from common.intents import IntentName
from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS
from lookup.dates import MONTHS, ORDINALS, parse_date
from lookup.names import PARTICLES, display_name
from lookup.spoken import TEENS, TENS, tokenize
from lookup.types import Query

_NAME_STOP = (
    frozenset(
        (
            "check run query on or for a an the of person subject name names last first given family surname "
            "wants warrants and please over out i need can you do me this individual male female date birth "
            "dob born d o b is was spelled spelling his her called named comma with to by at in from it "
            "records record driver's drivers licence license plate status copy mr mrs ms miss mister dr sir "
            "warrant id identity background look up lookup search get requesting request unit go ahead"
        ).split()
    )
    | frozenset(MONTHS)
    | frozenset(ORDINALS)
    | frozenset(DIGIT_WORDS)
    | frozenset(TEENS)
    | frozenset(TENS)
    | {"hundred", "thousand", "st", "nd", "rd", "th"}
)
# "date of birth" and how recognisers mishear it ("date on birth", "data birth", "birthday").
# Right before a date, "OB", "D.O.P.", "COP", "COV", "ZOV" and "the OP" are "D O B" misheard.
DOB_MARKER = re.compile(
    r"\b(dat[ea](?: (?:of|on|a|o|and|in))? birth(?:day)?|day of birth|birthday|dob|d[-. ]?o[-. ]?b\.?|born"
    r"|birth ?date|(?:board|bored|borne)(?= on\b))\b"
    r"|\b(?:[dctz][-. ]?)?o[-. ]?[bpv]\b\.?(?=[\s,.-]*(?:\d|(?:" + "|".join(MONTHS) + r")\b))",
    re.IGNORECASE)
FIRST_DATE_WORD = re.compile(r"\d|\b(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


def is_name_word(word: str) -> bool:
    """True for a word that can be part of a spoken name (not a keyword, number or month)."""
    parts = [p for p in word.lower().split("-") if p]
    return bool(parts) and not all(p in _NAME_STOP for p in parts) and word.lower() not in _NAME_STOP


def _name_words(segment: str) -> list[str]:
    words = [w.strip("'-") for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", segment)]
    return [w for w in words if w and is_name_word(w)]


# "spelled", "spelt", "spelling", and the word run together with the first letter's
# ("Speltzier Uniform Zulu ..." for "spelled Sierra Uniform Zulu ...").
_SPELLED = re.compile(r"\b(spel[lt][a-z]*)\b(.*)", re.IGNORECASE)
_SPELL_WORDS = frozenset({"spell", "spells", "spelled", "spelt", "spelling"})


def _spelled_name(segment: str) -> str | None:
    """A name spelled out after "spelled": "spelled Sierra Alpha Tango Oscar" -> "Sato"."""
    m = _SPELLED.search(segment)
    if not m:
        return None
    tokens = tokenize(m.group(2))
    if m.group(1).lower() not in _SPELL_WORDS and not all(
            t.lstrip("^") in ALPHABET_WORDS for t in tokens[:2]):
        return None  # a name such as "Spelman", not a misheard "spelled Sierra ..."
    letters = []
    for tok in tokens:
        t = tok.lstrip("^")
        if t in ALPHABET_WORDS:
            letters.append(ALPHABET_WORDS[t])
        elif tok.startswith("^") or (len(t) == 1 and t.isalpha()):
            letters.append(t.upper())
        elif t in ("over",):
            break
    return "".join(letters).capitalize() if len(letters) >= 2 else None


def _spelling_of(spelled: str, spoken: str | None) -> str:
    """The family name a spelling gives. The spelling wins over the spoken name ("Satou,
    spelled Sierra Alpha Tango Oscar" is Sato), except when it is the spoken name with its
    first letter or two lost: the spelling word run into "spelled" ("Kiro Suzuki, Speltzier
    Uniform Zulu Uniform Kilo India" spells only "Uzuki")."""
    if spoken:
        key = re.sub(r"[^a-z]", "", spoken.lower())
        tail = spelled.lower()
        if key != tail and key.endswith(tail) and len(key) - len(tail) <= 2:
            return spoken
    return spelled


# Clause breaks in a transcript: commas, and sentence ends after a word (not an initial's or a
# title's dot: "J. Smith", "Dr. Smith" stay one chunk). "Run at birth on the track. Hannah
# Fitzgerald": the name is in the last clause, not "Track Fitzgerald".
_CLAUSE = re.compile(r",|[?!;]|(?<=[A-Za-z]{3})\.\s+")


def _split_names(segment: str) -> tuple[str | None, str | None]:
    lower = segment.lower()
    given = family = None
    m_last = re.search(
        r"\b(?:last name|surname|family name)\s+(?:is\s+)?([a-z][a-z'\- ]*?)(?=,|\bfirst\b|\bgiven\b|$)",
        lower,
    )
    m_first = re.search(r"\b(?:first name|given name)\s+(?:is\s+)?([a-z][a-z'\-]*)", lower)
    if m_last or m_first:
        if m_last:
            fw = _name_words(segment[m_last.start(1) : m_last.end(1)])
            family = display_name(fw) if fw else None
        if m_first:
            gw = _name_words(segment[m_first.start(1) : m_first.end(1)])
            given = display_name(gw) if gw else None
        return given, family
    chunks = [w for w in (_name_words(c) for c in _CLAUSE.split(segment)) if w]
    if (len(chunks) == 2 and len(chunks[1]) == 1
            and (len(chunks[0]) == 1 or chunks[0][0].lower() in PARTICLES)):
        # "Smith, John": family first, as officers often read it off a document.
        return display_name(chunks[1]), display_name(chunks[0])
    words = chunks[-1] if chunks else []
    if len(chunks) >= 2 and len(words) == 1 and len(chunks[-2]) in (2, 3):
        # "Robert Crawford, fee 1-8-0740": one stray word after a whole name is most likely the
        # date-of-birth marker misheard ("fee" for "D O B", "Horn" for "born").
        words = chunks[-2]
    if not words:
        return None, None
    if len(words) >= 3 and not words[0][:1].isupper() and words[-1][:1].isupper() and words[-2][:1].isupper():
        # "1 support from Joe Anderson": the recogniser capitalises the name it heard, not the
        # request it misheard before it.
        while not words[0][:1].isupper():
            words = words[1:]
    if len(words) == 1:
        return None, display_name(words)
    # Particles belong to the family name: "Ludwig van Beethoven", "Maria de la Cruz".
    cut = 1
    for i, w in enumerate(words[1:], start=1):
        if w.lower() in PARTICLES:
            cut = i
            break
    else:
        # Four words or more with no particle: the request misheard into name words ("Sun
        # Warren Sun Matthew Avery" for "wants and warrants on Matthew Avery"); the last two.
        if len(words) >= 4:
            words = words[-2:]
        cut = len(words) - 1
    return display_name(words[:cut][:1]), display_name(words[cut:])


def person_query(text: str, lower: str, asr_confidence: float, kw_weight: float) -> Query:
    """The person check in ``text``: name and date-of-birth slots, the alternative dates, and a
    confidence from the recogniser's, the keyword's weight and how complete the query is."""
    text = re.sub(r"\b10-2[89]\b", " ", text)
    lower = text.lower()
    marker = DOB_MARKER.search(lower)
    dates = parse_date(text[marker.end() :] if marker else text)
    name_part = text[: marker.start()] if marker else text
    if not marker and dates:
        first_num = FIRST_DATE_WORD.search(lower)
        if first_num:
            name_part = text[: first_num.start()]
    spelled = _spelled_name(name_part)
    if spelled:
        name_part = re.split(r"\bspel[lt]", name_part, flags=re.IGNORECASE)[0]
    given, family = _split_names(name_part)
    if not (given or family) and marker and dates:
        # "Date of birth 4th of March 1985, Hiroshi Sato": the name after the date.
        given, family = _split_names(text[marker.end() :])
    if spelled:
        family = _spelling_of(spelled, family)
    slots: dict[str, object] = {}
    if given:
        slots["given"] = given
    if family:
        slots["family"] = family
    if dates:
        slots["dob"] = dates[0].iso
    if not family and not given:
        return Query(
            IntentName.PERSON,
            slots,
            0.05 * asr_confidence,
            reason="no_name",
            dob_readings=tuple(d.iso for d in dates),
        )
    completeness = 0.5 + 0.2 * bool(given) + 0.2 * bool(family) + 0.1 * bool(dates)
    date_sure = dates[0].score if dates else 1.0
    confidence = asr_confidence * kw_weight * completeness * (0.8 + 0.2 * date_sure)
    return Query(
        IntentName.PERSON, slots, round(min(confidence, 1.0), 4), dob_readings=tuple(d.iso for d in dates)
    )
