"""Spoken forms of letters and digits: spelling alphabets, number words, Whisper digit styles.

The core is :func:`decode_spelled`, which turns the tokens of an alphanumeric span
("seven x-ray yankee zulu 4-5-6", "7F-ray Y Z 456", "niner double oh Sam") into an
n-best list of :class:`Reading` objects with scores. Each token maps to a few weighted
symbol alternatives; misheard spelling words are recovered with phonetic and
edit-distance matching against the alphabet vocabularies (rapidfuzz + jellyfish).
All functions here are pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS, REPEATERS

# Letter names as heard ("bee", "see") and single letters.
LETTER_NAMES: dict[str, str] = {
    "ay": "A",
    "bee": "B",
    "be": "B",
    "cee": "C",
    "see": "C",
    "sea": "C",
    "dee": "D",
    "ee": "E",
    "eff": "F",
    "ef": "F",
    "gee": "G",
    "aitch": "H",
    "haitch": "H",
    "eye": "I",
    "jay": "J",
    "kay": "K",
    "el": "L",
    "elle": "L",
    "em": "M",
    "en": "N",
    "pee": "P",
    "pea": "P",
    "cue": "Q",
    "queue": "Q",
    "are": "R",
    "ar": "R",
    "ess": "S",
    "tee": "T",
    "tea": "T",
    "you": "U",
    "vee": "V",
    "double-u": "W",
    "doubleu": "W",
    "ex": "X",
    "why": "Y",
    "wye": "Y",
}
# Homophones Whisper writes inside spelled spans; weaker than the real words.
HOMOPHONES: dict[str, list[tuple[str, float]]] = {
    "o": [("0", 0.55), ("O", 0.45)],
    "won": [("1", 0.8)],
    "to": [("2", 0.7)],
    "too": [("2", 0.7)],
    "for": [("4", 0.7)],
    "ate": [("8", 0.8)],
    "free": [("3", 0.6)],
    "sex": [("6", 0.5)],
    "tree": [("3", 1.0)],
    "fore": [("4", 0.8)],
    # "niner" as tiny.en writes it inside a spelled run ("double 0, either 3 1").
    "either": [("9", 0.6)],
    "neither": [("9", 0.6)],
}
TEENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
FILLERS = frozenset(
    "uh um er ah the a an is it its it's that's thats number of please me go ahead on with "
    "reading i i'm got have spelled spelling like as in".split()
)
# Groups of letter names that rhyme, so a bare letter may stand for its neighbours.
_RHYMES = ("BCDEGPTVZ", "AJK", "FSX", "MN", "IY", "QUW")
# Confusable classes in plate and licence strings (shape and sound), mapped to one key char.
CONFUSABLE_CLASSES = ("0OQD", "1IL", "5S", "2Z", "8B", "6G", "NM")
_SKELETON = {c: cls[0] for cls in CONFUSABLE_CLASSES for c in cls}
_SKELETON_TABLE = str.maketrans(_SKELETON)
_FUZZY_VOCAB: tuple[str, ...] = tuple(sorted({*ALPHABET_WORDS, *DIGIT_WORDS}))
_RAY_RE = re.compile(r"^[a-z]{0,2}-?ray$")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Reading:
    """One candidate reading of a spelled span, with a score in 0..1 and where it came from."""

    text: str
    score: float
    source: str = "primary"


def skeleton(value: str) -> str:
    """Map every confusable character to its class key, so confusable strings share one key."""
    return value.upper().translate(_SKELETON_TABLE)


def canonical_alnum(value: str) -> str:
    """Upper-case letters and digits only, as in the canonical ``plate``/``licence`` slots."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())


_CAPS_GROUP = re.compile(r"[A-Z0-9]+")  # "4-5-6", "4FD-D-5", "VRA-K2": spelled groups, not words
_SPELLING_PIECES = frozenset((*ALPHABET_WORDS, *DIGIT_WORDS, "double", "triple"))
_SIGN_OFF = frozenset(("over", "ovr", "ovah"))


def tokenize(text: str) -> list[str]:
    """Split text into lower-case tokens; digits written "4-5-6" or "4.5 6" become single digits.

    A run of letters glued to digits ("7XYZ456", "7F-ray") is split at the boundary, and
    upper-case letter groups Whisper writes for spelled letters are kept as one token marked
    with a leading ``^`` so the decoder reads them letter by letter.
    """
    out: list[str] = []
    for raw in re.split(r"[\s,;:!?()\"]+", text):
        raw = raw.strip(".'")
        if not raw:
            continue
        # Hyphen or dot between digits/single chars: spelled, not a word ("4-5-6", "4.5").
        parts = re.split(r"[-.]", raw)
        if len(parts) > 1 and all(len(p) == 1 or (len(p) <= 4 and _CAPS_GROUP.fullmatch(p))
                                  for p in parts if p):
            pieces = [p for p in parts if p]
        elif len(parts) > 1 and raw.lower() not in ALPHABET_WORDS and all(
                p.lower() in _SPELLING_PIECES for p in parts if p):
            pieces = [p for p in parts if p]  # "oh-oh", "double-six", "Juliet-Whiskey"
        else:
            pieces = [raw.replace(".", "")]
        for piece in pieces:
            for run in re.findall(r"\d+|[^\d]+", piece):
                run = run.strip("-'")
                if not run:
                    continue
                if run.isdigit():
                    out.append(run)
                elif run.lower() in _SIGN_OFF:
                    out.append("over")  # "... 7 1 3 5, OVR": the sign-off, not letters
                elif run.isupper() and run.isalpha() and len(run) <= 4 and run.lower() not in ALPHABET_WORDS:
                    out.append("^" + run)
                else:
                    out.extend(_TOKEN_RE.findall(run.lower()))
    return out


@lru_cache(maxsize=4096)
def fuzzy_symbol(word: str, *, limit: int = 3, cutoff: float = 0.6) -> tuple[tuple[str, float], ...]:
    """Recover a misheard spelling word: the best alphabet/digit symbols with scores.

    Scores mix normalized edit similarity with a bonus when the Metaphone codes agree, and
    are capped below an exact match so a recovered word never outranks a clean one.
    """
    w = word.replace("-", "").replace("'", "")
    if not w:
        return ()
    code = jellyfish.metaphone(w)
    best: dict[str, float] = {}
    for vocab in _FUZZY_VOCAB:
        sim = fuzz.ratio(w, vocab) / 100.0
        if code and jellyfish.metaphone(vocab) == code:
            sim = max(sim, 0.85)
        elif sim < cutoff - 0.15:
            continue
        sym = ALPHABET_WORDS.get(vocab) or DIGIT_WORDS[vocab]
        if sim > best.get(sym, 0.0):
            best[sym] = sim
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    return tuple((s, round(min(p, 1.0) * 0.9, 4)) for s, p in ranked[:limit] if p >= cutoff)


def _letter_alternatives(letter: str, weight: float) -> list[tuple[str, float]]:
    alts = [(letter, weight)]
    for group in _RHYMES:
        if letter in group:
            alts.extend((other, weight * 0.08) for other in group if other != letter)
    return alts


def _number_word_value(tokens: Sequence[str], i: int) -> tuple[str, int] | None:
    """Read a spoken number ("fifty six", "four hundred") at ``i``: its digits and tokens used."""
    tok = tokens[i]
    if tok in TEENS:
        return str(TEENS[tok]), 1
    if tok in TENS:
        value = TENS[tok]
        if i + 1 < len(tokens) and tokens[i + 1] in DIGIT_WORDS and tokens[i + 1] not in ("oh", "nought"):
            nxt = DIGIT_WORDS[tokens[i + 1]]
            if nxt != "0":
                return str(value + int(nxt)), 2
        return str(value), 1
    if tok in DIGIT_WORDS and i + 1 < len(tokens) and tokens[i + 1] == "hundred":
        return DIGIT_WORDS[tok] + "00", 2
    return None


_DOUBLE_U = frozenset(("double-u", "doubleu", "double-you", "doubleyou"))
_YOU = frozenset(("u", "you", "your", "ya", "yu"))


def _near_repeater(tok: str) -> int | None:
    """"Bouble", "dubble", "tripple", "O-Bouble": a repeater a letter or two off (trusted before
    a digit only)."""
    tok = tok.rsplit("-", 1)[-1]
    if len(tok) < 5:
        return None
    for word, n in (("double", 2), ("triple", 3)):
        if Levenshtein.distance(tok, word) <= (2 if len(tok) >= 6 else 1):
            return n
    return None


def token_symbols(tokens: Sequence[str], i: int) -> tuple[list[tuple[str, float]], int]:
    """The weighted symbol alternatives for the token(s) at ``i`` and how many tokens they use.

    An empty list means the token is noise (a filler, or no good match).
    """
    tok = tokens[i]
    if "-" in tok and tok.replace("-", "") in ALPHABET_WORDS:
        tok = tok.replace("-", "")
    if tok.startswith("^"):
        return [(tok[1:], 0.97)], 1
    if tok.isdigit():
        return [(tok, 1.0)], 1
    if tok == "and":
        # Only inside a spelled run (the parser's span): most often the letter N ("N and U7").
        return [("N", 0.5), ("", 0.45)], 1
    if tok in _DOUBLE_U or (tok == "double" and i + 1 < len(tokens) and tokens[i + 1] in _YOU):
        # The letter W said by name ("double you", written "double your", "double-u").
        used = 1 if tok in _DOUBLE_U else 2
        return ([("W", 0.9), ("UU", 0.3)] if tokens[i + used - 1] == "u" else [("W", 0.9)]), used
    n = REPEATERS.get(tok) or _near_repeater(tok)
    if n and i + 1 < len(tokens):
        alts, used = token_symbols(tokens, i + 1)
        if tok in REPEATERS or (alts and all(sym[:1].isdigit() for sym, _ in alts)):
            # Whisper writes "double one eight five" as "double 185": only the first digit repeats.
            return [(s[0] * n + s[1:], p) for s, p in alts], used + 1
    if tok == "x" and i + 1 < len(tokens) and tokens[i + 1] == "ray":
        return [("X", 1.0)], 2
    number = _number_word_value(tokens, i)
    if number is not None:
        return [(number[0], 0.95)], number[1]
    if tok in HOMOPHONES:
        return list(HOMOPHONES[tok]), 1
    if tok in DIGIT_WORDS:
        return [(DIGIT_WORDS[tok], 1.0)], 1
    if tok in ALPHABET_WORDS:
        return [(ALPHABET_WORDS[tok], 1.0)], 1
    if tok in LETTER_NAMES:
        return _letter_alternatives(LETTER_NAMES[tok], 0.9), 1
    if len(tok) == 1 and tok.isalpha():
        return _letter_alternatives(tok.upper(), 0.95), 1
    if tok in FILLERS:
        return [], 1
    if len(tok) <= 2:
        return [], 1
    if _RAY_RE.match(tok):
        # Whisper splits "X-ray" into odd pieces ("F-ray", "ex-ray", "x ray").
        return [("X", 0.85)], 1
    return list(fuzzy_symbol(tok)), 1


def decode_spelled(
    tokens: Sequence[str], *, beam: int = 24, max_len: int = 16, source: str = "primary"
) -> list[Reading]:
    """Decode a spelled span into an n-best list of readings, best first.

    Each token contributes its symbol alternatives; a beam keeps the ``beam`` best partial
    strings. Noise tokens that match nothing cost a small penalty so their presence lowers
    confidence rather than silently vanishing. Readings longer than ``max_len`` are dropped.
    """
    hyps: dict[str, float] = {"": 1.0}
    i = 0
    noise = 0
    while i < len(tokens):
        alts, used = token_symbols(tokens, i)
        if not alts:
            if tokens[i] not in FILLERS:
                noise += 1
            i += used
            continue
        nxt: dict[str, float] = {}
        for prefix, p in hyps.items():
            for sym, q in alts:
                text = prefix + sym
                if len(text) > max_len:
                    continue
                score = p * q
                if score > nxt.get(text, 0.0):
                    nxt[text] = score
        if not nxt:
            break
        hyps = dict(sorted(nxt.items(), key=lambda kv: -kv[1])[:beam])
        i += used
    penalty = 0.85**noise
    readings = [Reading(t, round(p * penalty, 4), source) for t, p in hyps.items() if t]
    readings.sort(key=lambda r: -r.score)
    return readings
