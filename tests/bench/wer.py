"""Word error rate with the normalisation the voice benchmarks share."""

from __future__ import annotations

import re

_NUMBERS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "niner": "9",
}


def normalise(text: str) -> list[str]:
    """Lower-case words; digits split one per token; number words as digits; hyphens dropped."""
    text = text.lower().replace("-", "").replace("'", "")
    tokens: list[str] = []
    for word in re.findall(r"[a-z]+|\d", text):
        tokens.append(_NUMBERS.get(word, word))
    return tokens


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance over words."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs."""
    errors = sum(edit_distance(normalise(r), normalise(h)) for r, h in pairs)
    words = sum(len(normalise(r)) for r, _ in pairs)
    return errors / max(words, 1)
