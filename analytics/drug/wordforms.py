"""Word-form helpers of the drug-post screen: emoji and symbols, stretched and phonetic spellings.

Small pure functions over normalised text, kept apart from :mod:`analytics.drug.screen`
(which imports them) so that the screen stays a readable size.
"""

from __future__ import annotations

import re

# Emoji and symbols (not letters, digits, spaces or punctuation): skipped in negative contexts.
SYMBOLS_RE = re.compile(r"[^\w\s,.;:!?'\"()\-]")
STRETCHED_RE = re.compile(r"(.)\1\1")


def is_kanji(ch: str) -> bool:
    """True for a CJK ideograph."""
    return "\u3400" <= ch <= "\u9fff"


def is_emoji(term: str) -> bool:
    """True for a term with no letter or digit (an emoji or a symbol)."""
    return not any(c.isalnum() for c in term)


def skip_symbols(text: str, at: int) -> tuple[str, str]:
    """The text from ``at`` with emoji and symbols dropped, as "ice cream" and "アイスクリーム" read."""
    rest = SYMBOLS_RE.sub("", text[at:at + 40]).lstrip()
    return rest, " " + rest


def phonetic(word: str) -> str:
    """A phonetic spelling undone: "kokaine" -> "cocaine", "pillz" -> "pills"."""
    word = word.replace("ph", "f").replace("k", "c").replace("cc", "c").replace("ayn", "ain")
    return re.sub(r"z$", "s", word)


def skeleton(word: str) -> str:
    """Consonants only, sounds folded ("kettymean", "ketamine" -> "ktmn"): spellings by ear."""
    return fold_runs(re.sub(r"[aeiouy]", "", word.replace("ph", "f").replace("c", "k")))


def singular(key: str) -> str:
    """A plural "s" dropped from a key longer than three letters."""
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


def fold_runs(word: str) -> str:
    """Runs of one letter folded to one: "cooookeee" -> "coke"."""
    return re.sub(r"(.)\1+", r"\1", word)
