"""Regulated sellers, harm-reduction and recovery services, household and craft goods, business
and pet names, spellings by ear, dealer units and Japanese drug names: examples written for
these rules, not taken from fixtures."""

from __future__ import annotations

import pytest

from analytics.drug.combined import screen_batch
from analytics.drug.learned import default_model
from analytics.drug.normalize import normalize
from analytics.drug.regulated import harm_reduction, no_promotion, regulated_seller
from analytics.drug.screen import SALE


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
