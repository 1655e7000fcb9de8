"""Names of pets, boats, horses and bands, film props, streetwear praise, reef and garden
chemicals, craft supplies, New Zealand "P" and Kakao: examples written for these rules, not
taken from fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.combined import screen_batch
from analytics.drug.lawful import lawful_goods
from analytics.drug.learned import default_model
from analytics.drug.normalize import normalize
from analytics.drug.screen import SALE, screen


@pytest.mark.parametrize(
    "text",
    [
        "My husky Molly just turned two 🐺 her pups are available, £900 each, WhatsApp for photos",
        "Our little ragdoll Charlie needs a new home, vaccinated, $150 rehoming fee, DM me",
        "Meet our beagle Kush! 3 puppies left, £850 each, vet checked, message me on WhatsApp",
    ],
)
def test_pet_named_after_its_breed_is_no_drug(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Selling my sailing yacht \"Snow Queen\", 28ft, new sails, $19k ONO, DM me",
        "Racehorse named Blue Ice for sale, 4yo gelding, great temperament, £8k, message me",
        "Booking the band Crystal Line for your wedding, $900 a night, DM for dates",
    ],
)
def test_named_boats_horses_and_bands_are_no_drug(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Chem Dog Kush and Bubba Kush back in, $40 an 8th, DM me",
        "Weed and coke available, my dog barks so text first, hmu",
    ],
)
def test_strain_names_and_dealers_with_pets_stay_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Film props for hire: replica heroin bricks and fake cash for TV productions, DM for rates",
        "Stage props shop: prop coke bags (it's icing sugar) for theatre shows, $15 each, DM me",
        "Halloween costume add-on: fake weed bags for your stoner look, £5, message me",
    ],
)
def test_film_and_stage_props_are_no_drug(text: str) -> None:
    assert screen(text).label != SALE


def test_fake_drugs_sold_without_a_props_trade_stay_offers() -> None:
    assert screen("Fake xans pressed 2mg bars, $3 each, 100 for $200, wickr me").label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Dope drop 🔥 Dunks and Yeezys in all sizes, $180, meetup or shipped, DM me",
        "These hoodies are gas, new colourway restocked, £45 each, DM to order",
        "Loud new tees just landed 👕 $30 each, ships tomorrow, hmu",
    ],
)
def test_streetwear_praise_is_no_drug(text: str) -> None:
    assert screen(text).label != SALE


def test_dope_without_streetwear_stays_an_offer() -> None:
    assert screen("Dope and fent on hand, $20 a bag, text me").label == SALE


def _combined(texts: list[str]) -> list[str]:
    return [v.label for v in screen_batch(texts, default_model())]


@pytest.mark.parametrize(
    "text",
    [
        "Reef salt 500g bags £6 each, white powder mixes fast, collect in Bristol or DM @reef_bristol",
        "Selling 1kg bags of pool shock powder £9, collect or DM @poolcare_uk",
        "Coral-safe KH buffer powder in 1kg tubs, $22, and white marine salt 5 for $90, DM me",
    ],
)
def test_aquarium_pool_and_garden_chemicals_are_no_offer(text: str) -> None:
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "Grip seal bags 100 pcs 6x8cm £3.50, craft storage, next day dispatch",
        "Jewellery making kit: 500 pcs glass beads and 200 mini zip lock bags for $9, ships today",
        "Poly mailers 50 pcs for £5, packaging supplies for small shops, next day UK dispatch",
    ],
)
def test_craft_and_packaging_supplies_are_lawful_goods(text: str) -> None:
    assert lawful_goods(normalize(text).text)
    assert _combined([text]) != [SALE]


@pytest.mark.parametrize(
    "text",
    ["Small bags 100 pcs £3, message me", "Pure white 1g £80, tele @snowman_lds"],
)
def test_posts_naming_no_craft_or_chemical_are_not_lawful_goods(text: str) -> None:
    assert not lawful_goods(normalize(text).text)


@pytest.mark.parametrize(
    "text",
    [
        "Crystal meth shards 1g $80, Pure white powder coke 1g $90, wickr me",
        "Fishscale powder 3.5 for £200, zip lock baggies, drop offs in Leeds, tele @white_lds",
    ],
)
def test_dealers_with_baggies_or_powder_stay_offers(text: str) -> None:
    assert _combined([text]) == [SALE]


@pytest.mark.parametrize(
    "text",
    [
        "Busan 🇰🇷 weed and ice on hand tonight, quick drops, KakaoTalk greenbusan",
        "Gangnam: ganja and ice, discreet, add my kakao for the menu",
        "Kush and ice delivered to your hotel in Itaewon, kakao id seoulnights",
    ],
)
def test_drugs_listed_with_ice_over_kakao_are_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Drinks and ice delivered for your BBQ in Seoul, add my kakao for the price list",
        "Bio Kakao Pulver 500g, 9 Euro, versandkostenfrei ab 30 Euro",
        "Shaved ice and bingsu at our Hongdae cafe, kakao id for bookings",
    ],
)
def test_ice_as_ice_and_kakao_as_cocoa_are_no_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Wellington, P in, 2 points $180, half $350, flick me a text on Signal",
        "Hamilton, got P on hand, ball $900, no tick, hit my Threema",
        "Chch 🇳🇿 P available, points $90, grams $450, DM me",
    ],
)
def test_new_zealand_p_beside_dealer_units_is_an_offer(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize(
    "text",
    [
        "P plates done! 🚗 Selling my learner car, half price of new, $4500, DM me",
        "Postage £3 p&p, 2 points of contact for orders, DM me",
        "Vitamin C 1000mg, 5 p per tablet, 100 tablets, message me",
        "Meet at 7 p.m. for the quiz, 10 points a round, DM me to join",
    ],
)
def test_p_elsewhere_is_no_drug(text: str) -> None:
    assert screen(text).label != SALE
