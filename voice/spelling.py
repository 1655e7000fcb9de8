"""What the recogniser needs to hear spelled alphanumerics: prompts, keywords, the pass's words.

The words themselves (NATO, APCO and LAPD alphabets, digit words, repeaters) live in
:mod:`common.vocabulary`, which the lookup parser reads too, so the constrained second pass
(see :mod:`voice.stt`) may emit exactly the spelling words the parser understands. Parsing
the words back into characters is the lookup package's job.
"""

from __future__ import annotations

import re

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS, REPEATERS
from common.vocabulary import spelling_words as _vocabulary_words

# Words after which the rest of the utterance is usually a spelled plate or licence.
KEYWORDS = re.compile(r"^(plates?|licen[cs]e|registration|reg|tag|number|numbers)$", re.IGNORECASE)

# Weaker: a vehicle check names its plate after "vehicle" when no keyword above is said.
LEAD_KEYWORDS = re.compile(r"^(vehicles?|car)$", re.IGNORECASE)
# Words said between the keyword and the spelled run ("plate for me", "licence check on").
PREFIX_FILLERS = frozenset(
    "a an the for me on of check please is its number numbers vehicle run to that uh um er".split())

# Single letters ("x", LAPD's X) are left to the letter-and-digit pattern below.
_SPELLING_SET = {w for w in (*ALPHABET_WORDS, *DIGIT_WORDS, *REPEATERS) if len(w) > 1}


def spelling_words() -> list[str]:
    """Every word the constrained pass may produce: each spelling word the lookup parser reads
    (NATO, APCO and LAPD alphabets, digit words, repeaters) and the digits, in a stable order."""
    return [*_vocabulary_words(), *(str(d) for d in range(10))]


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
SPELLING_PROMPT = "Alpha Alfa Bravo Charlie Delta Echo Foxtrot Golf X-ray Yankee Zulu 1 2 3 4 5"
