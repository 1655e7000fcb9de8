"""Culinary herbs and cookware, plug adapters, trading cards, scented candles, CBD's lawful THC,
denied and quoted Japanese words, masked and reversed drug words, vouches, "H" and spaced
messenger handles: examples written for these rules, not taken from fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.combined import screen_batch
from analytics.drug.disguise import disguised_words
from analytics.drug.learned import default_model
from analytics.drug.normalize import normalize
from analytics.drug.screen import SALE, screen


def _combined(text: str) -> str:
    return screen_batch([text], default_model())[0].label


def _drug_terms(text: str) -> set[str]:
    return {ev.term for ev in screen(text).evidence if ev.kind == "drug"}


@pytest.mark.parametrize(
    "text",
    [
        "Dried dill weed and parsley, 50g jars $4, homemade spice stall at the Sunday market, DM me",
        "Sea weed salad kits 🌿 £6 each, collect from our Leith kitchen or DM to order",
        "Pond duckweed for aquariums, a big handful for $5, message me for pickup",
    ],
)
def test_culinary_and_water_weeds_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


def test_weed_on_its_own_stays_an_offer() -> None:
    assert _combined("Weed 🌿 $10 a gram, 3.5 for $30, DM me for the menu") == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Cast-iron pot with lid, great for stews 🍲, $35, pickup in Perth, DM",
        "Big stock pot and a frying pan, £20 the pair, collect from Leeds, message me",
        "Terracotta pot set of 3 for the garden, $25, pickup only, text me",
    ],
)
def test_cookware_and_garden_pots_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Universal plug adaptors for Europe and the US, 2 for £12, next day delivery, WhatsApp",
        "Travel plug adapter set, $15, shipped anywhere in India within 2 days, DM us",
    ],
)
def test_plug_adapters_and_country_names_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE
    assert "indica" not in _drug_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "Trading cards: Snow holo rare and a Crystal booster box, $60, meet at the mall or I post",
        "Selling my Pokemon TCG binder, Ice Punch and Blue Crystal cards, £30, DM me",
        "Rare in-game items for sale: Ice Blade skin and Crystal Shards pack, $10, PayPal only",
    ],
)
def test_trading_cards_and_game_items_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


@pytest.mark.parametrize(
    "text",
    [
        "Wax melts in Northern Lights and Gelato scents 🕯️, 3 for £10, UK shipping",
        "Scented soy candles: Purple Haze, Sour Diesel, $20 each, ships Australia wide",
        "Reed diffusers with a Skunk fragrance (it's a joke gift!), $25, DM to order",
    ],
)
def test_scented_goods_named_after_strains_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


def test_strains_sold_without_scented_goods_stay_offers() -> None:
    assert _combined("Purple Haze and Sour Diesel back in, $40 an eighth, snap: haze.drops") == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Full spectrum CBD drops, <0.2% THC, third-party tested, £25 with free delivery",
        "Hemp oil tincture, THC under the legal limit, lab tested, $40, ships across the EU",
        "CBD balm and gummies, THC below 0.3%, free shipping over $50 from our Denver store",
    ],
)
def test_cbd_with_lawful_thc_is_no_offer(text: str) -> None:
    assert _combined(text) != SALE


def test_thc_carts_beside_cbd_stay_offers() -> None:
    assert _combined("THC carts 90% and CBD carts, $30 each, discreet delivery, tele @cartman_uk") == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Weed? Nope, just weeds from the allotment 🌿 free to anyone who wants compost, DM",
        "草？いいえ、ただの雑草です🌱 庭の草むしり手伝ってくれる人募集、お礼にお茶します",
        "野菜？いや、普通の野菜です🥬 畑で採れすぎたので欲しい方に差し上げます",
    ],
)
def test_a_drug_word_denied_and_its_answer_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


@pytest.mark.parametrize(
    "text",
    [
        "雪の結晶のピアス❄️ 1点2500円、ハンドメイド、ネコポスで発送します",
        "雪結晶モチーフのオーナメント 3個で1500円、クリスマスに、郵送OK",
    ],
)
def test_snow_crystal_goods_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


@pytest.mark.parametrize(
    "text",
    [
        "「アイス」って呼ばれてる先輩の送別会、新宿で19時から、会費5000円、LINEで連絡して",
        "Birthday drinks for my mate we call him \"Charlie\", Friday 8pm, £20 a head, DM me",
        "Leaving do for the guy everyone calls 'Snow', £15 each, text me to join",
    ],
)
def test_quoted_nicknames_are_no_drug(text: str) -> None:
    assert _combined(text) != SALE


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("fresh h*roin and c0c*ine, $30 a point", "heroin"),
        ("k#tamine 1g £25, drops tonight", "ketamine"),
        ("m*th shards on hand, text me", "meth"),
    ],
)
def test_symbol_masked_drug_words_are_read(text: str, term: str) -> None:
    assert term in {e.key for _, _, e in disguised_words(normalize(text).text)}


@pytest.mark.parametrize("text", ["f**k this traffic", "what a sh*t day", "m*m's birthday", "p**s off"])
def test_masked_swear_words_are_no_drug(text: str) -> None:
    assert disguised_words(normalize(text).text) == []


@pytest.mark.parametrize(
    ("text", "term"),
    [("nioreh back in, Leeds, tele @leeds_h", "heroin"), ("enimatek 1g £30 drops", "ketamine"),
     ("htem and deew, late drops", "meth"), ("eniacoc", "cocaine")],
)
def test_reversed_drug_words_are_read(text: str, term: str) -> None:
    assert term in {e.key for _, _, e in disguised_words(normalize(text).text)}


@pytest.mark.parametrize("text", ["the lanes were busy, regal lager on tap", "pans and pots for sale",
                                  "snax for the road", "xanax"])
def test_ordinary_and_palindrome_words_are_not_read_reversed(text: str) -> None:
    assert disguised_words(normalize(text).text) == []


@pytest.mark.parametrize(
    "text",
    [
        "reversed menu: enicaoc + nioreh tonight, Glasgow south side, tele @gla_late",
        "backwards for the bots: deew 3.5 £30, enimatek too, snap: mcr_rev",
    ],
)
def test_posts_in_reversed_words_are_offers(text: str) -> None:
    assert _combined(text) == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Vouch 🙌 got my qp in 20 minutes, never disappoints, Manchester, tele @mcr_greens",
        "shout out to the plug, copped an eighth last night, came through in 15 mins, snap: brum.greens",
        "big vouches: grabbed a zip yesterday, same quality, DM @leeds_drop for menu",
    ],
)
def test_vouches_naming_a_dealer_unit_are_offers(text: str) -> None:
    assert _combined(text) == SALE


@pytest.mark.parametrize(
    "text",
    [
        "Vouch for this shop: got my zip hoodie in 2 days, great quality, DM @hoodie_hub",
        "Got my oz of coffee beans in an hour, shout out to the roasters, DM @beanz_ldn",
        "Got my zip in 30 mins 🍃 delivery was quick, tele @drops_ldn",
    ],
)
def test_unit_without_a_vouch_or_on_a_garment_is_no_vouch(text: str) -> None:
    assert "vouched dealer unit" not in _drug_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "H on hand, Melbourne north, points $60, half g $280, text only",
        "got H, 0.2 for $90, Newcastle, text me no calls",
        "Pure H 1g $200, Perth CBD meets, signal: perth_h",
    ],
)
def test_h_beside_dealer_amounts_is_heroin(text: str) -> None:
    assert _combined(text) == SALE
    assert "H" in _drug_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "H&M jumpers 2 for £15, pickup in Leeds",
        "Charger lasts 24 h, 5 points of sale, $50",
        "Vitamin H (biotin) 30 caps £6, 2 grams of fibre",
        "Plan H: meet at 0.5 km from the station, $20 entry",
    ],
)
def test_h_elsewhere_is_no_drug(text: str) -> None:
    assert "H" not in _drug_terms(text)


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("ket 30 a g, Bristol, same day, snap k_hole99", "k_hole99"),
        ("ice back in, 0.1 $50, wickr gc.icy", "gc.icy"),
    ],
)
def test_messenger_handles_after_a_space_are_contact_cues(text: str, handle: str) -> None:
    assert handle in {ev.text for ev in screen(text).evidence if ev.term == "handle"}


@pytest.mark.parametrize("text", ["oh snap happy hour", "took a snap shot of the sunset", "signal lights 2"])
def test_ordinary_words_after_a_messenger_name_are_no_handle(text: str) -> None:
    assert not [ev for ev in screen(text).evidence if ev.term == "handle"]


def test_ket_by_the_gram_with_a_spaced_handle_is_an_offer() -> None:
    assert _combined("ket 35 a g, Leeds centre, drops same day, snap leeds_k2") == SALE
