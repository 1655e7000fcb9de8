"""The parser's fixed phrases: confirm, cancel and repeat words, check keywords with their
intents and weights, and the words that end a spelled plate or licence; with the two
lookups over them (:func:`find_keyword`, :func:`short_intent`)."""

from __future__ import annotations

import re

from common.tencodes import PLATE_CHECK, WANTS_CHECK
from common.vocabulary import ALPHABET_WORDS
from lookup.types import Intent, Query
from lookup.vocab import COLOURS, MAKES_MODELS

CONFIRM = {
    "affirmative",
    "affirm",
    "confirm",
    "confirmed",
    "correct",
    "yes",
    "yeah",
    "yep",
    "roger",
    "copy",
    "copy that",
    "ten four",
    "10-4",
    "10 4",
    "that's correct",
    "that is correct",
    "go ahead",
    "confirm that",
}
CANCEL = {
    "cancel",
    "disregard",
    "negative",
    "never mind",
    "nevermind",
    "scratch that",
    "abort",
    "no",
    "cancel that",
    "cancel last",
    "cancel query",
    "stand down",
}
REPEAT = {
    "repeat",
    "say again",
    "come again",
    "repeat last",
    "repeat that",
    "again",
    "what was that",
    "say again last",
    "repeat your last",
    "repeat last transmission",
}
# Keyword -> (intent, weight). Longer phrases are tried first.
_PLATE, _PERSON, _LICENCE = Intent.PLATE, Intent.PERSON, Intent.LICENCE
KEYWORDS: tuple[tuple[str, Intent, float], ...] = (
    ("licence plate", _PLATE, 1.0),
    ("license plate", _PLATE, 1.0),
    ("partial plate", _PLATE, 1.0),
    ("registration", _PLATE, 1.0),
    (PLATE_CHECK, _PLATE, 0.9),
    (WANTS_CHECK, _PERSON, 0.8),
    # "Give me a twenty-eight on ...": the ten-code with its "ten" left off.
    ("a twenty-eight", _PLATE, 0.8),
    ("twenty-eight on", _PLATE, 0.8),
    ("a 28", _PLATE, 0.8),
    ("28 on", _PLATE, 0.8),
    ("a twenty-nine", _PERSON, 0.8),
    ("twenty-nine on", _PERSON, 0.8),
    ("a 29", _PERSON, 0.8),
    ("29 on", _PERSON, 0.7),
    ("plates", _PLATE, 1.0),
    ("plate", _PLATE, 1.0),
    ("tag", _PLATE, 0.9),
    ("rego", _PLATE, 0.9),
    ("reg", _PLATE, 0.9),
    ("vehicle", _PLATE, 0.8),
    ("driver's licence", _LICENCE, 1.0),
    ("driver's license", _LICENCE, 1.0),
    ("drivers licence", _LICENCE, 1.0),
    ("drivers license", _LICENCE, 1.0),
    ("licence number", _LICENCE, 1.0),
    ("license number", _LICENCE, 1.0),
    ("licence", _LICENCE, 1.0),
    ("license", _LICENCE, 1.0),
    ("dl", _LICENCE, 0.9),
    ("d l", _LICENCE, 0.9),
    ("permit", _LICENCE, 0.8),
    ("date of birth", _PERSON, 1.0),
    ("date on birth", _PERSON, 0.9),
    ("birthday", _PERSON, 0.8),
    ("dob", _PERSON, 1.0),
    ("d o b", _PERSON, 1.0),
    ("born", _PERSON, 0.9),
    ("person", _PERSON, 1.0),
    ("subject", _PERSON, 0.9),
    ("wants and warrants", _PERSON, 1.0),
    ("warrants", _PERSON, 0.9),
    ("last name", _PERSON, 1.0),
    ("surname", _PERSON, 1.0),
    ("first name", _PERSON, 1.0),
    ("name", _PERSON, 0.8),
    ("individual", _PERSON, 0.8),
)
SPAN_STOP = (
    frozenset(("over out thanks thank registered owner dob born date driver check and is can could would "
               "run it that this the copy plate tag registration vehicle").split())
    # Sign-offs officers use after the value ("..., cheers", "..., when you're ready").
    | frozenset("cheers please when you're youre ready standing received roger ta".split())
    | frozenset(COLOURS)
    | frozenset(m.lower() for m in MAKES_MODELS)
    # Model names ("Ford Focus"), but not those that are spelling words ("Golf").
    | frozenset(w for models in MAKES_MODELS.values() for m in models
                for w in re.findall(r"[a-z]{4,}", m.lower()) if w not in ALPHABET_WORDS and w != "model")
)
_KW_RE = [(re.compile(r"(?<![a-z0-9'])" + re.escape(k) + r"(?![a-z0-9])"), i, w) for k, i, w in KEYWORDS]
_KW_PRIORITY = {_PLATE: 0, _LICENCE: 1, _PERSON: 2}
_TRAILERS = re.compile(r"\b(over|out|please|thanks|thank you|dispatch|control|base)\b")


def find_keyword(lower: str) -> tuple[Intent, float, int, int] | None:
    """The best intent keyword in lower-cased text, as ``(intent, weight, start, end)``:
    plate/licence keywords win over person ones when both appear ("licence" with a name and
    a date of birth and no number is still a licence check, by holder)."""
    hits: list[tuple[int, float, int, int, Intent]] = []
    for rx, intent, weight in _KW_RE:
        m = rx.search(lower)
        if m:
            hits.append((_KW_PRIORITY[intent], -weight, m.start(), m.end(), intent))
    if not hits:
        return None
    # A "licence" right after "plate" belongs to "licence plate", handled by the longer phrase.
    hits.sort(key=lambda h: (h[0], h[1], h[2]))
    _, negw, start, end, intent = hits[0]
    return intent, -negw, start, end


def _phrase(lower: str) -> str:
    lower = _TRAILERS.sub(" ", lower)
    return re.sub(r"[^a-z0-9' -]+", " ", lower).strip(" -").replace("  ", " ").strip()


def short_intent(lower: str, confidence: float) -> Query | None:
    """A confirm, cancel or repeat when every chunk of the lower-cased text is one of its phrases
    ("Negative, cancel that"); None otherwise."""
    chunks = [re.sub(r"\s+", " ", _phrase(c)) for c in re.split(r"[,.;!?]", lower)]
    chunks = [c for c in chunks if c]
    if not chunks:
        return None
    for vocab, intent in ((CONFIRM, Intent.CONFIRM), (CANCEL, Intent.CANCEL), (REPEAT, Intent.REPEAT)):
        if all(c in vocab for c in chunks):
            return Query(intent, {}, 0.95 * confidence)
    return None
