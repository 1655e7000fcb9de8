"""Look-alike kanji, small kana, legal goods named with drug words, GHB and street slang, spellings
by ear and Japanese joint slang: examples written for these rules, not taken from fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.normalize import normalize
from analytics.drug.screen import SALE, screen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("大痲あります", "大麻あります"),
        ("藥の賣買", "薬の売買"),
        ("埜菜", "野菜"),
        ("手抻し", "手押し"),
        ("在庫ぁり", "在庫あり"),
        ("ぉ届けします", "お届けします"),
    ],
)
def test_look_alike_kanji_and_small_vowels_fold(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_small_vowels_that_make_a_sound_stay() -> None:
    assert normalize("ファイル、ティー、ウェア、シェア").text == "ふぁいる、てぃー、うぇあ、しぇあ"


@pytest.mark.parametrize(
    "text",
    [
        "埜菜ぁります、テレグラムで連絡ください",
        "手抻し対応、渋谷周辺、DMください",
        "大痲 0.5g 8000円 テレグラムまで",
    ],
)
def test_look_alike_kanji_offers_are_offers(text: str) -> None:
    assert screen(text).label == SALE
