"""Drug words disguised by their spelling: letters masked by symbols ("h*roin", "co**aine",
"m#th") and words written backwards ("enicoc", "deew").

Kept apart from :mod:`analytics.drug.patterns` (whose
:func:`~analytics.drug.patterns.shape_evidence` calls :func:`disguised_words`) so that neither
module grows past a readable size. Patterns run on normalised post text (lower case, leetspeak
digits already read as letters: "h3r*in" is "her*in").

* A word with one or more ``*`` or ``#`` inside, each standing for one letter, whose letters
  match exactly one strong drug term of four or more letters at every unmasked place, with no
  more than a third of its letters masked: that term.
* A word of four or more letters that is a strong drug term written backwards, where the
  reversal is no lexicon term itself, no palindrome and no word of its own ("snax", "crep"):
  that term; of five or more letters, also when it is a close misspelling of one ("enicoc"),
  unless it is a real word ("refer") or closer to the term read forwards. Words inside
  @handles are account names, not disguises.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from analytics.drug.lexicon import LEXICON, Entry, Kind
from analytics.drug.spelling import REAL_WORDS

_MASKED_RE = re.compile(r"(?<![a-z0-9@_.])[a-z][a-z*#]*[*#][a-z*#]*(?![a-z0-9_])")
_WORD_RE = re.compile(r"(?<![a-z0-9@_.*#])[a-z]{4,}(?![a-z0-9_*#])")
# Reversed drug terms that are words (or slang) of their own.
_REVERSED_WORDS = frozenset({"snax", "crep"})
_MIN_LEN = 4
# A reversed word of five or more letters may be misspelt too ("enicoc"): rapidfuzz ratio, as for
# forward misspellings in :mod:`analytics.drug.screen`.
_FUZZY_MIN, _FUZZY_CUTOFF = 5, 86.0


@lru_cache(maxsize=1)
def _targets() -> tuple[dict[str, Entry], dict[str, Entry]]:
    """Strong English drug terms by key, and by their reversal (where that is no word)."""
    keys = {e.key: e for e in LEXICON if e.kind is Kind.DRUG and e.strong and e.lang in ("en", "any")
            and e.key.isascii() and e.key.isalpha() and len(e.key) >= _MIN_LEN}
    every = {e.key for e in LEXICON}
    reversed_ = {k[::-1]: e for k, e in keys.items()
                 if k[::-1] != k and k[::-1] not in every and k[::-1] not in _REVERSED_WORDS}
    return keys, reversed_


@lru_cache(maxsize=1)
def _long_keys() -> list[str]:
    """Targets long enough to be matched closely when reversed."""
    keys, backwards = _targets()
    return sorted(k for k in keys if len(k) >= _FUZZY_MIN and k[::-1] in backwards)


def _unmask(word: str) -> Entry | None:
    """The one strong drug term that ``word`` spells with its ``*`` and ``#`` read as letters."""
    masks = sum(c in "*#" for c in word)
    if len(word) < _MIN_LEN or masks * 3 > len(word):
        return None
    rx = re.compile(re.sub(r"[*#]", "[a-z]", word))
    found = [e for k, e in _targets()[0].items() if len(k) == len(word) and rx.fullmatch(k)]
    return found[0] if len(found) == 1 else None


def disguised_words(text: str) -> list[tuple[int, int, Entry]]:
    """``(start, end, entry)`` spans of masked or reversed drug terms in ``text`` (normalised)."""
    found: list[tuple[int, int, Entry]] = []
    for hit in _MASKED_RE.finditer(text):
        entry = _unmask(hit.group(0))
        if entry is not None:
            found.append((hit.start(), hit.end(), entry))
    for hit in _WORD_RE.finditer(text):
        entry = _reversed(hit.group(0))
        if entry is not None:
            found.append((hit.start(), hit.end(), entry))
    return found


@lru_cache(maxsize=65536)
def _reversed(word: str) -> Entry | None:
    """The strong drug term that ``word`` spells backwards, exactly or closely."""
    keys, backwards = _targets()
    if word in backwards:
        return backwards[word]
    if len(word) < _FUZZY_MIN or word == word[::-1] or word in keys or word in _REVERSED_WORDS | REAL_WORDS:
        return None
    hit = process.extractOne(word[::-1], _long_keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    if hit is None or fuzz.ratio(word, str(hit[0])) >= hit[1]:
        return None  # no reversal, or a forward misspelling (the screen's own fuzzy match reads those)
    return keys[str(hit[0])]
