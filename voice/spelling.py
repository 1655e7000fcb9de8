"""The vocabulary of spelled alphanumerics: spelling alphabets, digits and number words.

Used by the recogniser's domain prompt and by the constrained second pass, which may
emit only these words (see :mod:`voice.stt`). Parsing the words back into characters
is the lookup package's job.
"""

from __future__ import annotations

import re

NATO = (
    "Alpha Alfa Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet Juliett Kilo Lima Mike "
    "November Oscar Papa Quebec Romeo Sierra Tango Uniform Victor Whiskey X-ray Xray Yankee Zulu"
).split()
APCO = (
    "Adam Boy Charles David Edward Frank George Henry Ida John King Lincoln Mary Nora Ocean Paul "
    "Queen Robert Sam Tom Union Victor William X-ray Young Zebra"
).split()
DIGIT_WORDS = "zero oh one two three four five six seven eight nine niner double triple".split()
SEPARATORS = (",", ".", "-", " ")

# Words after which the rest of the utterance is usually a spelled plate or licence.
KEYWORDS = re.compile(r"^(plates?|licen[cs]e|registration|reg|tag|number|numbers)$", re.IGNORECASE)

# Weaker: a vehicle check names its plate after "vehicle" when no keyword above is said.
LEAD_KEYWORDS = re.compile(r"^(vehicles?|car)$", re.IGNORECASE)
# Words said between the keyword and the spelled run ("plate for me", "licence check on").
PREFIX_FILLERS = frozenset(
    "a an the for me on of check please is its number numbers vehicle run to that uh um er".split())

_SPELLING_SET = {w.lower().replace("-", "") for w in NATO + APCO} | set(DIGIT_WORDS)


def spelling_words() -> list[str]:
    """Every word the constrained pass may produce, with digits, deduplicated, in a stable order."""
    words = dict.fromkeys(NATO + APCO + DIGIT_WORDS + [str(d) for d in range(10)])
    return list(words)


def is_spelling_token(word: str) -> bool:
    """True for a spelling-alphabet word, a digit word or a run of digits/letters like 7X."""
    w = re.sub(r"[^\w-]", "", word).lower().replace("-", "")
    if not w:
        return False
    return w in _SPELLING_SET or bool(re.fullmatch(r"[0-9]+[a-z]?|[a-z]?[0-9]+", w))


DOMAIN_PROMPT = (
    "Control, run plate 7 X-ray Yankee Zulu 4 5 6. Adam Boy Charles 1 2 3. "
    "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet Kilo Lima Mike November Oscar "
    "Papa Quebec Romeo Sierra Tango Uniform Victor Whiskey X-ray Yankee Zulu. "
    "Person check, date of birth 4th of March 1985. Driver's licence number."
)
SPELLING_PROMPT = " ".join(NATO[:8] + ["X-ray", "Yankee", "Zulu", "1", "2", "3", "4", "5"])
