"""Name keys: normalisation, romanisation variants and phonetic codes for person search.

The same pure functions build the indexed key columns at seed time and the search keys at
query time, so "O'Brien"/"OBrien", "MacDonald"/"McDonald", "Satou"/"Satoh"/"Sato" and
"Ohno"/"Ono" meet on one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import JaroWinkler, Levenshtein

PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "del", "della", "le", "la", "du", "st", "bin"}
)
_ROMAJI = (
    (re.compile(r"ou"), "o"),
    (re.compile(r"oh(?=[^aeiou]|$)"), "o"),
    (re.compile(r"uu"), "u"),
    (re.compile(r"oo"), "o"),
    (re.compile(r"ei(?=$)"), "e"),
)


def fold(value: str) -> str:
    """Lower-case ASCII letters only: accents removed, apostrophes, spaces and hyphens dropped."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z]", "", text.lower())


@lru_cache(maxsize=65536)
def name_key(value: str) -> str:
    """The search key of a name: folded, with Japanese long vowels collapsed (Satou -> sato)."""
    key = fold(value)
    for pattern, repl in _ROMAJI:
        key = pattern.sub(repl, key)
    if key.startswith("mac") and len(key) > 5:
        key = "mc" + key[3:]
    return key


@lru_cache(maxsize=65536)
def phonetic_key(value: str) -> str:
    """A phonetic code of the name key (Metaphone), so Smith/Smyth and misheard names meet."""
    key = name_key(value)
    return jellyfish.metaphone(key)[:12] if key else ""


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names in 0..1: Jaro-Winkler on keys, lifted when the phonetic codes agree."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    sim = JaroWinkler.similarity(ka, kb)
    pa, pb = phonetic_key(a), phonetic_key(b)
    if pa == pb:
        sim = max(sim, 0.9)
    elif min(len(pa), len(pb)) >= 2 and Levenshtein.distance(pa, pb) == 1:
        sim = max(sim, 0.8)  # "Hine" for "Huynh" (HN, HNH): one sound apart
    if core_key(a) == core_key(b):
        sim = max(sim, 0.85)  # "Cruz" for "de la Cruz": the particles were lost
    return sim


def core_key(value: str) -> str:
    """The key of a name without its particles ("de la Cruz" -> "cruz")."""
    words = [w for w in value.replace("-", " ").split() if w.lower() not in PARTICLES]
    return name_key(" ".join(words)) if words else name_key(value)


def display_name(words: list[str]) -> str:
    """Capitalise spoken name words as a registry would spell them (O'Brien, MacDonald, van Dyke)."""
    out = []
    for w in words:
        lw = w.lower()
        if w[:1].isupper() and any(c.isupper() for c in w[1:]) and not w.isupper():
            out.append(w)  # the recogniser already cased it (MacDonald, DeShawn)
        elif lw in PARTICLES:
            out.append(lw)
        elif "'" in lw and len(lw.split("'", 1)[0]) == 1:
            head, tail = lw.split("'", 1)
            out.append(head.upper() + "'" + tail.capitalize())
        elif lw.startswith("mc") and len(lw) > 3:
            out.append("Mc" + lw[2:].capitalize())
        else:
            out.append("-".join(p.capitalize() for p in lw.split("-")))
    return " ".join(out)
