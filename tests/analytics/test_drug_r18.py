"""Regulated sellers, harm-reduction and recovery services, household and craft goods, business
and pet names, spellings by ear, dealer units and Japanese drug names: examples written for
these rules, not taken from fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.combined import screen_batch
from analytics.drug.learned import default_model
from analytics.drug.normalize import normalize
from analytics.drug.regulated import harm_reduction, no_promotion, regulated_seller
from analytics.drug.screen import SALE, screen


def _combined(texts: list[str]) -> list[str]:
    return [v.label for v in screen_batch(texts, default_model())]


@pytest.mark.parametrize(
    "text",
    [
        "Licensed cannabis retailer, licence # 4471 on the door. Vapes and edibles, 19+ with ID",
        "Our registered pharmacy dispenses oxycodone only with a valid prescription, GPhC reg shown",
        "Health Canada authorized seller of dried flower, 21+ w/ valid ID at pickup",
    ],
)
def test_regulated_sellers_are_recognised(text: str) -> None:
    assert regulated_seller(normalize(text).text)


@pytest.mark.parametrize(
    "text",
    [
        "Fentanyl test strips free at the clinic, or 10 for $12 online. Not for resale",
        "Naloxone kits handed out Fridays by our outreach team, 2 per person",
        "Struggling with meth? Free recovery programme, no referral needed, call our helpline",
    ],
)
def test_harm_reduction_and_recovery_services_are_recognised(text: str) -> None:
    assert harm_reduction(normalize(text).text)


def test_a_dealers_add_on_is_no_harm_reduction() -> None:
    assert not harm_reduction(normalize("pressed bars, test strips included with every order").text)
    assert not no_promotion(normalize("no prescription needed, xanax 2mg, dm").text)


@pytest.mark.parametrize(
    "text",
    [
        "Licensed dispensary in Toronto, AGCO licence number 88213 🍁 sativa pre-rolls, 19+ with ID",
        "Online chemist: diazepam and codeine dispensed only against a valid prescription, MHRA registered, "
        "next-day delivery",
        "Reagent kits and fentanyl test strips by post, $2 a strip, not for resale. Stay safe",
        "Struggling with coke? 💙 weekly support group in Leeds, free, no referral, just message us",
    ],
)
def test_lawful_and_supportive_drug_talk_is_no_offer(text: str) -> None:
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "xanax bars 2mg, no prescription needed, £3 each, dm",
        "Weed and carts 🍁 $60 an eighth, test strips included with every order, hmu",
        "fent test strips + blues 30s $25 each, cashapp first, text the number",
    ],
)
def test_dealers_stay_offers(text: str) -> None:
    assert _combined([text]) == [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "Persil laundry pods 🧺 60 pods for £11, free delivery in Hull, WhatsApp for bulk",
        "Dishwasher tabs, Fairy Platinum, 90 tabs for $16, DM for office orders",
    ],
)
def test_household_tabs_and_pods_are_no_offer(text: str) -> None:
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "Chunky holographic glitter in little zip baggies 💎 3g each, $4, dm for custom colours",
        "Raw cacao powder 💚 10g sample $5, 250g $14, bakers love it, link in bio",
        "Rare variegated monstera 🌿 cuttings $35, repotted and rooted, dm me",
        "観葉植物 葉っぱが大きいパキラ 2800円 都内配送します",
        "焼肉食べ放題 冷たいのもアイスも付いて3500円！予約はDMで",
        "手押し寿司 鯖の棒寿司 1本2000円 予約受付中",
    ],
)
def test_craft_food_and_plant_goods_are_no_offer(text: str) -> None:
    assert screen(text).label != SALE
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "Fresh batch from Kush Kitchen Bakery 🍪 cookies $3 each, dm to order",
        "Charlie the cockapoo had puppies! 3 left, $900 each, message @charliepups",
        "New beans from The Plug Roasters ☕ 500g $25, IG @plugbeans",
        "しゃぶしゃぶ 食べ放題 90分 3000円 予約はインスタ @shabu_ueno",
    ],
)
def test_business_pet_and_handle_names_are_no_drug(text: str) -> None:
    assert screen(text).label != SALE
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "kush 🍁 $60 an eighth, dm the plug",
        "yokes in for the weekend, €10 each, Telegram @yokes_dub",
        "ネタ入りました 0.2から ポンプ付き 手押し 新宿",
        "手押し 大麻 0.5 1万 渋谷 DMで",
    ],
)
def test_offers_beside_names_and_pumps_stay_offers(text: str) -> None:
    assert _combined([text]) == [SALE]


@pytest.mark.parametrize("text", ["手押しポンプ 井戸用 5000円", "手押し台車 耐荷重150kg 3000円 DMで"])
def test_hand_pushed_things_stay_benign(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "got hashsish and mariwana, herione too, dm me",
        "Sydney CBD 8-ball $320, 2mg bars $10 each, Wickr only",
        "xanax 1mg bars 5 for $20, text me",
        "ザナックス 1mg 10錠 8000円 手渡し 都内",
        "ソラナックス 0.4mg 20錠 5000円 レターパックで発送 DMで",
        "笑気ガス ボンベ 風船付き 吸ってハイに 6000円 渋谷即配 DMで",
        "laughing gas tanks + balloons to get high, £40, Snap me",
    ],
)
def test_spellings_units_and_drug_names_are_offers(text: str) -> None:
    assert _combined([text]) == [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "8-ball pool table, full size, £150, collection only",
        "Cream chargers for whipped cream, 50 for £25, next-day delivery",
        "歯医者で笑気ガスを使ってもらったら楽だった",
        "My heroine is my mum, she ran a marathon at 60",
    ],
)
def test_ordinary_look_alikes_stay_benign(text: str) -> None:
    assert _combined([text]) != [SALE]
