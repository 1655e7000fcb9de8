"""The constrained spelling pass: the spelled run of a plate or licence read a second time.

The utterance is decoded again with the first pass's words up to the keyword ("plate",
"licence", "number") forced as a decoder prefix, after which only tokens of spelling words,
digits and separators may be produced. Its readings go to the parser's n-best list as
alternatives, never in place of the first pass.
"""

from __future__ import annotations

import re
import threading

import numpy as np
from faster_whisper import WhisperModel

from common.tencodes import PLATE_CHECK, TEN_CODE, ten_code
from voice.decoding import SttOptions, cut_loop, decode, joined
from voice.spelling import (
    KEYWORDS,
    LEAD_KEYWORDS,
    PREFIX_FILLERS,
    SPELLING_PROMPT,
    is_spelling_token,
    spelling_words,
)


def spelled_prefix(text: str) -> str | None:
    """The words before the spelled run, ``""`` when the text starts with one, or ``None``
    when nothing in it looks spelled.

    The prefix runs to the last plate/licence keyword (or, without one, the last "vehicle"
    or an opening "10-28") and on over the filler words after it ("plate for me", "licence
    check on"), which the constrained pass could not write. When nothing follows, the
    recogniser most likely dropped the spelled run, so the whole text is the prefix and the
    constrained pass reads on from there.
    """
    words = text.split()
    bare = [re.sub(r"[^\w]", "", w).lower() for w in words]
    last = next((i for i in reversed(range(len(words))) if KEYWORDS.match(bare[i])), None)
    if last is None:
        last = next((i for i in reversed(range(len(words))) if LEAD_KEYWORDS.match(bare[i])), None)
    if last is None:
        head = " ".join(b or "_" for b in bare[:4])  # one token a word, so spaces count words
        code = next((m for m in TEN_CODE.finditer(head) if ten_code(m) == PLATE_CHECK), None)
        last = head[: code.end()].count(" ") if code else None
    if last is not None:
        end = last + 1
        while end < len(words) and bare[end] in PREFIX_FILLERS and not is_spelling_token(words[end]):
            end += 1
        return " ".join(words[:end]).rstrip(",.")
    run = 0
    for i, word in enumerate(words):
        run = run + 1 if is_spelling_token(word) else 0
        if run == 3:
            return " ".join(words[: i - 2]).rstrip(",.")
    return None


_NUMBER_WORD = re.compile(r"(?:[\s,.]+numbers?)+[\s,.]*$", re.IGNORECASE)


def prefix_variants(prefix: str) -> list[str]:
    """The spelling pass's forced prefixes: ``prefix``, and when it ends in "number" after
    other words, also without it. "Licence number" is a set phrase to the recogniser, which
    writes it for "licence November ..." and "licence Bravo ...": forced, the pass cannot take
    the word back, while without it the pass reads "Bravo double 7 1 2 0 ..." (tune clips l05,
    l10). Both readings go to the parser's n-best, so an officer who did say "number" loses
    nothing."""
    cut = _NUMBER_WORD.sub("", prefix)
    return [prefix, cut] if cut != prefix and cut.strip() else [prefix]


def _words_and_digits(text: str) -> list[str]:
    """Words and single digits, to tell a new reading from the first ("4450" is "4 4 5 0")."""
    return re.findall(r"[a-z']+|\d", text.lower())


class SpellingPass:
    """The constrained pass of one model (thread-safe; blocking: run it in a worker)."""

    def __init__(self, model: WhisperModel, options: SttOptions) -> None:
        self.model = model
        self.options = options
        self._suppress: list[int] | None = None
        self._suppress_lock = threading.Lock()

    def readings(self, audio: np.ndarray, first_text: str) -> tuple[str, ...]:
        """The constrained readings of ``audio`` that differ from ``first_text``, best first."""
        prefix = spelled_prefix(first_text)
        if prefix is None:
            return ()
        readings = []
        for forced in prefix_variants(prefix):
            segments = decode(self.model, audio, self.options, beam_size=self.options.spelling_beam,
                              prompt=SPELLING_PROMPT, prefix=forced or None,
                              failure="spelling pass failed on this utterance",
                              suppress_tokens=self.suppressed(), suppress_blank=True)
            reading = cut_loop(joined(segments))
            if reading and _words_and_digits(reading) != _words_and_digits(first_text):
                readings.append(reading)
        return tuple(dict.fromkeys(readings))

    def suppressed(self) -> list[int]:
        """Every ordinary token except those spelling words, digits and separators are made of."""
        with self._suppress_lock:
            if self._suppress is None:
                tok = self.model.hf_tokenizer
                allowed: set[int] = set()
                for word in spelling_words() + ["," , ".", "-"]:
                    for variant in {word, word.lower(), word.capitalize(), word.upper()}:
                        for text in (variant, " " + variant):
                            allowed.update(tok.encode(text, add_special_tokens=False).ids)
                eot = self.model.hf_tokenizer.token_to_id("<|endoftext|>")
                self._suppress = [t for t in range(eot) if t not in allowed]
            return self._suppress
