"""Ordinary senses of drug words (names, product compounds, kitchen mushrooms), court reports,
London road slang and Japanese coded pairs: examples written for these rules, not fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.patterns import trade_amount
from analytics.drug.screen import SALE, TALK, screen
from analytics.drug.senses import coded_pair, ordinary_sense


@pytest.mark.parametrize(
    "text",
    [
        # a person: a capitalised surname after the name, or a title before it
        "Two tickets for Charlie Puth in Manchester, £60 each, DM me",
        "Crystal Gayle tribute night, tickets $20 each, message me to book",
        "Mary Jane Holland signed prints, $30 each, DM for postage",
        "Aunt Tina's lemon drizzle, £4 a slice, DM to order",
        "Signed photo of Dr Molly with the band, $25, DM me",
        # a pet: the post says so near the name
        "Handmade Charlie bandanas, named after our little cat, $12 each, DM",
        "Our kitten Candy needs a new home, £50 rehoming fee, message me",
        "Crystal keyrings in honour of my late dog, no wait, our dog Crystal! $8 each, DM",
    ],
)
def test_names_of_people_and_pets_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Snow globes with glitter, $15 each, DM to order",
        "Hash tag stickers for your laptop, 10 for $5, DM me",
        "Weed killer 5L, £12 each, collection only, message me",
        "Speed boat hire $80 an hour, text me to book",
        "Ice cube trays, 3 for £5, DM me",
        "Arctic Ice cool box blocks, 4 for £8, DM me",
        "Charlie ceramic mugs, glazed by hand, £14 each, DM",
        "Corned beef hash and eggs $9, order ahead on telegram",
        "Sausage rolls and tea £4 at our caff, order on whatsapp",
    ],
)
def test_product_compounds_are_their_product(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Shrooms? Nah, shiitake logs for your garden, $30 each, DM",
        "Lion's mane mushroom grow kits, $20 each, ships fast, DM for details",
        "Blue oyster mushrooms fresh this week, $10 a box, DM me",
    ],
)
def test_kitchen_mushrooms_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "molly caps $15 each, DM me",
        "Molly Crystals 0.5g $40, telegram only",
        "Charlie Available tonight, 1g £70, DM",
        "golden teacher shrooms 3.5g $30, oyster bags stealth, DM",
        "hash 3.5g £30, bubble hash, text me",
        "magic mushrooms and lion's mane caps, 3.5g $35, wickr",
    ],
)
def test_the_same_words_as_goods_stay_offers(text: str) -> None:
    assert screen(text).label == SALE


def test_ordinary_sense_reads_the_original_case() -> None:
    post = "Tickets for Molly Tuttle, DM"
    start = post.index("Molly")
    assert ordinary_sense(post, start, start + 5, "molly")
    lower = "tickets for molly tuttle, dm"
    assert not ordinary_sense(lower, start, start + 5, "molly")  # no capital, no surname
    menu = "Molly Caps in stock, DM"
    assert not ordinary_sense(menu, 0, 5, "molly")  # "Caps" is a menu word, no surname


@pytest.mark.parametrize(
    "text",
    [
        "Dealer jailed for 6 years after officers found cocaine and scales, court heard",
        "Woman remanded in custody after police found 3kg of cocaine and a 'price list' on Telegram",
        "The defendant admitted possession with intent to supply MDMA, the jury was told",
    ],
)
def test_court_reports_are_talk(text: str) -> None:
    assert screen(text).label == TALK


@pytest.mark.parametrize(
    "text",
    [
        "bun and pebs tonight east london, signal only",
        "pebs n food on road, line open till late, text me",
        "north side, fiver bags of bun, link me, wickr",
    ],
)
def test_london_road_slang_is_an_offer(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "hot cross buns 6 for £3, DM to order",
        "burger bun and chips £5, order on whatsapp",
        "Pebbles for the fish tank, 5kg for £10, message me",
    ],
)
def test_bakery_buns_and_garden_pebbles_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


def test_retail_packs_by_the_pound_are_no_dealer_bags() -> None:
    assert not trade_amount("washing soda 10lb bags, 5 bags for $40")
    assert not trade_amount("compost 25kg sacks, 3 sacks delivered")
    assert trade_amount("tenner bags tonight, 5 bags left")


@pytest.mark.parametrize(
    "text",
    [
        "野菜・アイスあります 初回割引 テレグラムで",
        "アイスと野菜のセット 連絡はLINEで",
        "野菜とアイスのセット販売中 気軽にDMで",
    ],
)
def test_japanese_coded_pairs_with_a_contact_are_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "野菜とアイスクリームのセット 農園直送 送料無料 DMで予約",
        "野菜と果物のセット 送料無料 LINEで注文",
        "野菜とアイスのセット 農家直売 朝採れ 送料込み LINEで予約",
    ],
)
def test_japanese_farm_sets_stay_benign(text: str) -> None:
    assert screen(text).label != SALE


def test_coded_pair_needs_two_classes_side_by_side() -> None:
    text = "野菜とアイス"
    assert coded_pair(text, [(0, 2, "cannabis"), (3, 6, "meth")])
    assert not coded_pair(text, [(0, 2, "cannabis"), (3, 6, "cannabis")])
    assert not coded_pair("野菜を買ってアイス", [(0, 2, "cannabis"), (6, 9, "meth")])
