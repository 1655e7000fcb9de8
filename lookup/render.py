"""Canonical plates and licences said and written back in words, in the officer's alphabet.

The inverse of :mod:`lookup.spoken`: :func:`spell_out` is the readback ("Seven X-ray Yankee
..."), :func:`render_spelled` writes a value the way Whisper transcribes it spoken, for scoring
candidate readings against the audio, and :func:`spelling_style` tells which alphabet a
speaker used. All functions here are pure.
"""

from __future__ import annotations

import re

from common.vocabulary import APCO, NATO
from lookup.spoken import canonical_alnum, tokenize

_SPELL_OUT = {v: k for k, v in NATO.items() if k not in ("alfa", "juliett", "juliette", "whisky", "charley")}
_SPELL_OUT.update({"A": "Alpha", "J": "Juliet", "W": "Whiskey", "X": "X-ray"})
_APCO_OUT = {v: k.capitalize() for k, v in reversed(list(APCO.items()))}
_APCO_ONLY = frozenset(APCO) - frozenset(NATO)
_NATO_ONLY = frozenset(NATO) - frozenset(APCO)
_DIGIT_OUT = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "niner",
}


def _letter_word(ch: str, style: str) -> str:
    """The word for letter ``ch``: APCO's for the ``apco`` style where it has one, else ICAO's."""
    if style == "apco" and ch in _APCO_OUT:
        return _APCO_OUT[ch]
    return _SPELL_OUT[ch].capitalize()


def spell_out(value: str, spelling: str = "nato") -> str:
    """Read a canonical plate or licence back in the officer's alphabet: ICAO by default
    ("Seven X-ray Yankee ..."), APCO words for an officer who spelled in APCO
    ("Seven X-ray Young Zebra ..."; ``spelling`` as :func:`spelling_style` tells it)."""
    words = [_DIGIT_OUT[ch] if ch.isdigit() else _letter_word(ch, spelling) for ch in canonical_alnum(value)]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def spelling_style(text: str) -> str:
    """Which alphabet a speaker used in ``text``: ``"apco"``, ``"nato"`` or ``"letters"``."""
    tokens = [t.replace("-", "") for t in tokenize(text)]
    apco = sum(t in _APCO_ONLY for t in tokens)
    nato = sum(t in _NATO_ONLY for t in tokens)
    if apco > nato:
        return "apco"
    if nato or not any(t.startswith("^") or (len(t) == 1 and t.isalpha()) for t in tokens):
        return "nato"
    return "letters"


def render_spelled(value: str, style: str = "nato") -> str:
    """Write a canonical plate/licence the way Whisper transcribes it spoken in ``style``
    ("7 X-ray Yankee Zulu 4 5 6", "7 Adam Boy David 3 9 2", "7 X Y Z 4 5 6"), for scoring
    candidate readings against the audio."""
    words = [ch if ch.isdigit() or style == "letters" else _letter_word(ch, style)
             for ch in canonical_alnum(value)]
    return " ".join(words)


def with_doubles(spoken: str) -> str:
    """A rendering with repeated digits said as "double" ("8 8 7" -> "double 8 7")."""
    return re.sub(r"\b(\d) \1\b", r"double \1", spoken)
