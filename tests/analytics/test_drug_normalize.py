"""Offset-preserving normalisation: every obfuscation maps back to the original characters."""

from __future__ import annotations

import pytest

from analytics.drug.normalize import normalize, normalize_term


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ｗ３３Ｄ", "weed"),  # full-width + leetspeak
        ("w e e d", "weed"),  # spacing
        ("c.o.k.e", "coke"),
        ("weeeeeed", "weed"),  # stretched
        ("ｱｲｽ", "あいす"),  # half-width katakana -> hiragana
        ("アイス", "あいす"),
        ("m0lly", "molly"),
        ("w 3 3 d", "weed"),  # spaced leetspeak
        ("k  _  e  _  t", "ket"),  # wide separators
        ("ア イ ス 0.5", "あいす0.5"),  # a quantity joined to kana stays a quantity
        ("$40 3.5g 420", "$40 3.5g 420"),  # prices, quantities and numbers are not leetspeak
        ("1g=7k $10/g", "1g=7k $10/g"),  # "=" and "/" end a token: a price list is not leetspeak
        ("ガンヂャ つづき", "がんじゃ つずき"),  # same-sounding kana folded to one spelling
    ],
)
def test_obfuscations_fold_to_plain_text(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_spans_map_back_to_the_original_text() -> None:
    original = "got Ｗ３３Ｄ and c.o.k.e, weeeeed too"
    norm = normalize(original)
    for word, source in (("weed", "Ｗ３３Ｄ"), ("coke", "c.o.k.e")):
        i = norm.text.index(word)
        a, b = norm.span(i, i + len(word))
        assert original[a:b] == source
    i = norm.text.rindex("weed")
    a, b = norm.span(i, i + 4)
    assert original[a:b] == "weeeeed"


def test_variation_selectors_are_dropped_and_terms_fold_like_text() -> None:
    assert normalize("❄️").text == "❄"
    assert normalize_term("アイス") == normalize("あいす").text
    with pytest.raises(ValueError):
        normalize("abc").span(1, 1)
