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


@pytest.mark.parametrize(
    "text",
    [
        "Vitamin C 1000mg tabs, 120 for $12, free shipping",
        "Fish oil softgels and magnesium pills, 2 tubs for £18, DM me",
        "Melatonin 5mg tabs x90 $8 each, cash only, pickup only",
        "マルチビタミン錠剤 180粒 1500円 発送します",
        "Cocaine Bear on DVD and Blu-ray, $8, DM me",
        "Selling my Steam key for Drug Dealer Simulator, $5 PayPal, first to DM",
        "Weed Shop tycoon DLC code, $4, DM me",
        "大麻ゲームのDLCコード 500円で譲ります DMください",
        "Perfume \u201cOpium Nights\u201d 100ml, $60, DM me",
        "リップ『Snow Crystal』限定色 2500円、DMで",
        "入浴剤「Ice Ecstasy」3個セット 1200円で売ります",
        "手押し芝刈り機 刃研ぎ済み 4000円で譲ります、DMください",
        "手押しポンプ 井戸用 中古 8000円 引き取りのみ",
        "耐荷重200kgの手押しカート、5000円、DMで",
    ],
)
def test_legal_goods_with_drug_words_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "xanax bars 2mg $5 each, vitamins too, DM me",
        "Molly caps $20 each, telegram only",
        "weed $10 a gram, DM me",
        "手押しで大麻 1g 8000円、テレグラムで",
        "Ecstasy pills $10 each, DM me",
        "「野菜」あります テレグラムまで",
    ],
)
def test_offers_beside_these_words_stay_offers(text: str) -> None:
    assert screen(text).label == SALE


def test_the_model_alone_makes_no_offer_of_supplements_or_games() -> None:
    from analytics.drug.combined import screen_batch
    from analytics.drug.learned import default_model

    texts = ["Vitamin B12 tabs 500 count, 2 for $20, free shipping",
             "Zinc + vitamin D3 caps 240 for $14, ships today",
             "Steam key for a weed grow simulator, $6, DM me"]
    assert all(v.label != SALE for v in screen_batch(texts, default_model()))


@pytest.mark.parametrize(
    "text",
    [
        "Gina in stock 💧 50ml $60, wickr only",
        "gina 250ml bottles, £90, DM me, Melbourne",
        "Liquid G 30ml $45, telegram",
        "Boy and girl both on deck, testers for new faces, text the work line",
        "Got that boy, free testers, call or text",
    ],
)
def test_ghb_and_street_slang_with_a_cue_are_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Gina Thompson's bakery: lemonade 500ml, $3, DM me",
        "Gina's homemade cordial 750ml bottles $8 each, message me",
        "The boy and the girl built a sandcastle today",
        "Perfume testers 10ml, $15 each, DM me",
    ],
)
def test_names_and_ordinary_words_stay_what_they_are(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("zanax", ("drug", "xanax")),
        ("perkoset", ("drug", "percocet")),
        ("kokayne", ("drug", "cocaine")),
        ("kokane", ("drug", "cocaine")),
        ("fentanil", ("drug", "fentanyl")),
        ("ketamin", ("drug", "ketamine")),
        ("telegramm", ("intent", "telegram")),
        ("watsapp", ("intent", "whatsapp")),
        ("shippin", ("intent", "shipping")),
        ("pricez", ("intent", "prices")),
        # real words that sound like a target stay words
        ("refer", None),
        ("football", None),
        ("skittles", None),
        ("snakes", None),
        ("cocoon", None),
        ("telegraph", None),
    ],
)
def test_words_spelt_by_ear(word: str, expected: tuple[str, str] | None) -> None:
    from analytics.drug.spelling import by_ear

    assert by_ear(word) == expected


@pytest.mark.parametrize(
    "text",
    [
        "sellin zanax and kokayne, good pricez, hit me on telegramm",
        "got oxycodon and ketamin, deliverin tonight, watsapp me",
        "fentanil pressies $10 each, tellegram only",
    ],
)
def test_offers_spelt_by_ear_are_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Refer a friend and get football boots half price, DM us",
        "Mollie Harris candles $12 each, DM me",
        "Skittles and other sweets, 3 for $5, DM me",
    ],
)
def test_real_words_and_names_are_not_misspelt_drugs(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "巻いてあるやつ 2本で5000円、新宿手渡し、テレグラムで",
        "プレロール1本3500円 吸いたい方はDMへ",
        "巻き済み3本 9000円 即日 DMください",
    ],
)
def test_japanese_joint_slang_with_a_price_is_an_offer(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "ベーコン巻いたやつ 1本200円 屋台で売ってます",
        "煙草吸いたい人 喫煙所は2階です",
        "髪を巻いたもの、写真載せます",
    ],
)
def test_rolled_food_and_tobacco_are_not_joints(text: str) -> None:
    assert screen(text).label != SALE
