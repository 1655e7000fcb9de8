"""Drug, app and sale words spelt by ear: "zanax", "perkset", "kokain", "mollie", "tellagram",
"cashap", "pryces", "sellin".

Kept apart from :mod:`analytics.drug.screen` (which calls :func:`by_ear` on every word the
lexicon did not match) so that neither module grows past a readable size. A word and a term
are compared by their sound keys (:func:`sound`): letters that spell one sound folded to one
("c" before e/i/y and "z" to "s", other "c", "ck" and "q" to "k", "ph" to "f", a leading "x"
to "s", "y" and a final "ie" to "i", a silent final "e" dropped, "ju" or "u" before "a" to "w",
a final "oin" to "ion", doubled letters folded). A
word matches a term when the keys are equal, or close (rapidfuzz ratio of the keys) for a
long term. Dropped final g's ("sellin", "movin") are restored first.

Only strong drug terms, messenger and payment apps, and a few sale words are targets, and a
word of fewer than five letters is never one: short words sound like too many ordinary ones.
Real words that sound like a target ("snakes", "cocoon", "mollusc") stay apart because the
keys must share their vowels too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from analytics.drug.lexicon import LEXICON, Kind

# Sale and contact words worth catching spelt by ear (the lexicon's own keys).
INTENT_TARGETS = ("telegram", "cashapp", "whatsapp", "snapchat", "threema", "prices", "price",
                  "pricing", "selling", "delivery", "delivering", "available", "cheap", "discreet",
                  "shipping")
_MIN_LEN = 5
# Equal keys suffice for any target; close keys only for long ones (the edit is a smaller share).
_CLOSE_MIN = 7
_CLOSE_CUTOFF = 86.0


def sound(word: str) -> str:
    """The sound key of a lower-case word: "percocet" and "perkset" -> "perkoset", "perkset"."""
    w = word.replace(" ", "").replace("ph", "f").replace("ck", "k").replace("q", "k")
    if w.startswith("x"):
        w = "s" + w[1:]
    w = w.replace("x", "ks")
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").replace("z", "s")
    w = re.sub(r"(?<=.)y", "i", w)
    w = re.sub(r"ie$", "i", w)
    w = re.sub(r"[ae]i(?=[^aeiou]|$)", "a", w)  # "kokain", "kokane", "cocaine" sound alike
    w = re.sub(r"(?<=[^aeiou])e$", "", w) if len(w) > 4 else w
    w = re.sub(r"(?<=[aeiou])j?u(?=a)", "w", w)  # "marijuana", "mariwana", "marywanna" alike
    w = re.sub(r"oin$", "ion", w)  # "heroin" and "herione" sound alike
    return re.sub(r"(.)\1+", r"\1", w)


class _Index:
    def __init__(self, keys: Iterable[str]) -> None:
        by: dict[str, set[str]] = {}
        for k in keys:
            by.setdefault(sound(k), set()).add(k)
        self.exact = {s: next(iter(ks)) for s, ks in by.items() if len(ks) == 1}
        self.close = sorted(s for s in self.exact if len(s) >= _CLOSE_MIN)

    def match(self, word: str) -> str | None:
        key = sound(word)
        if key in self.exact:
            return self.exact[key]
        if len(key) < _CLOSE_MIN - 1:
            return None
        hit = process.extractOne(key, self.close, scorer=fuzz.ratio, score_cutoff=_CLOSE_CUTOFF)
        if hit is None or sound(word[0]) != str(hit[0])[0]:
            return None
        return self.exact[str(hit[0])]


# Real words that sound like a target: "refer" (reefer), "skittles" (zkittlez), "perks" (percs),
# or are spelt like one: "India" (indica).
REAL_WORDS = frozenset({"refer", "refers", "skittles", "telegraph", "telegraphs", "heroine", "heroines",
                        "perks", "prise", "prised", "kokanee", "molle", "india", "indian"})


@lru_cache(maxsize=1)
def _indexes() -> dict[str, _Index]:
    drug = {e.key for e in LEXICON if e.kind is Kind.DRUG and e.lang == "en" and e.strong and e.fuzzy}
    return {"drug": _Index(k for k in drug if k.isalpha() and len(k) >= _MIN_LEN),
            "intent": _Index(INTENT_TARGETS)}


@lru_cache(maxsize=65536)
def by_ear(word: str) -> tuple[str, str] | None:
    """``("drug" | "intent", key)`` when ``word`` (lower case) is a target spelt by ear.

    The singular of a plural target ("football" for "footballs") is a word of its own, not it.
    """
    if len(word) < _MIN_LEN or word in REAL_WORDS:
        return None
    for form in (word + "g", word) if word.endswith("in") else (word,):
        for kind, index in _indexes().items():
            key = index.match(form)
            if key is not None and key != word and key != word + "s":
                return kind, key
    return None
