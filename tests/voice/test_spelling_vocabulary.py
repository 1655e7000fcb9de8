"""The constrained spelling pass and the parser share one vocabulary (common.vocabulary)."""

from __future__ import annotations

from typing import Any

import pytest

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS, REPEATERS
from lookup.spoken import decode_spelled, tokenize
from voice.spelling import is_spelling_token, spelling_words

# LAPD and APCO words the parser has always read, which the pass used to suppress.
_ONCE_SUPPRESSED = ("Nancy", "Yellow", "Zed", "Peter", "Roger", "Sugar")


def test_the_pass_may_write_every_spelling_word_the_parser_reads() -> None:
    allowed = {w.lower() for w in spelling_words()}
    for word in (*ALPHABET_WORDS, *DIGIT_WORDS, *REPEATERS):
        assert word in allowed, word
    assert {"x-ray", "xray", "0", "9"} <= allowed


def test_every_word_the_pass_may_write_is_read_as_a_symbol() -> None:
    for word in spelling_words():
        # A repeater reads the symbol after it ("double six").
        readings = decode_spelled(tokenize(f"{word} six" if word in REPEATERS else word))
        assert readings and readings[0].score >= 0.9, word


@pytest.mark.parametrize(("text", "value"), [
    ("Nancy Yellow Zed 4 5 6", "NYZ456"),
    ("Peter Roger Sugar 1 2 3", "PRS123"),
    ("Paul Robert Sam 7 8 9", "PRS789"),
])
def test_lapd_and_apco_runs_decode(text: str, value: str) -> None:
    assert decode_spelled(tokenize(text))[0].text == value


def test_lapd_words_count_as_spelling_tokens() -> None:
    assert all(is_spelling_token(w) for w in _ONCE_SUPPRESSED)
    assert not is_spelling_token("plate") and not is_spelling_token("x")


@pytest.mark.slow
def test_no_token_of_a_spelling_word_is_suppressed(tiny_transcriber: Any) -> None:
    """The real tokenizers of tiny.en and of the spelling model: every token of every spelling
    word (as written, capitalised, after a space) stays allowed in the constrained pass."""
    for recogniser in (tiny_transcriber, tiny_transcriber.speller):
        suppressed = set(recogniser._spelling.suppressed())
        tok = recogniser.model.hf_tokenizer
        for word in (*_ONCE_SUPPRESSED, "X-ray", "niner", "double", "treble", "fife"):
            for text in (" " + word, word, " " + word.lower()):
                ids = set(tok.encode(text, add_special_tokens=False).ids)
                assert ids and not ids & suppressed, (word, text)
        # Ordinary words stay suppressed.
        assert set(tok.encode(" registration", add_special_tokens=False).ids) & suppressed
