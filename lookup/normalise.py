"""Transcript clean-up before parsing: Unicode and symbols, ten-codes, call signs, glued words.

Pure string functions the parser (:mod:`lookup.parser`), the turn logic (:mod:`lookup.turns`)
and the rescoring (:mod:`lookup.rerank`) apply to a transcript before reading it.
"""

from __future__ import annotations

import re
import unicodedata

from common.tencodes import normalise_ten_codes

MAX_CHARS = 1000  # a longer transcript is refused, not read
CALLSIGN = re.compile(r"^\s*(?:control|dispatch|base|central|radio)\b[ ,.]*", re.IGNORECASE)
_GLUED = re.compile(r"(?i)\b(check|run)(person|plate|vehicle|licence|license)\b")
_DOTTED_DOB = re.compile(r"(?i)\bd\.\s?o\.\s?b\.?(?!\w)\s*")
_SPLIT_FOXTROT = re.compile(r"(?i)\bfox[ -]trot\b")
_FOR_ME = re.compile(r"(?i)\bfor (?:me|us)\b")


def clean_text(text: str) -> str:
    """NFKC-normalise, drop control characters, emoji and other symbols; collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    kept = [ch if (ch.isascii() and ch.isprintable()) or ch.isalpha() else " " for ch in text]
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def normalise_codes(text: str) -> str:
    """Rewrite spoken ten-codes to digits ("ten twenty-eight" -> "10-28"), drop a leading call sign
    ("Control, ...") and "for me", which would otherwise read as a digit in a plate span."""
    text = normalise_ten_codes(text)
    text = _GLUED.sub(r"\1 \2", text)
    text = _SPLIT_FOXTROT.sub("foxtrot", text)
    text = _DOTTED_DOB.sub("DOB ", text)
    text = CALLSIGN.sub("", text)
    return _FOR_ME.sub(" ", text)
