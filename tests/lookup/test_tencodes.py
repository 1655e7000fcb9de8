"""One ten-code pattern (common.tencodes) for the parser, the rescoring and the spelling pass."""

from __future__ import annotations

import pytest

from common.intents import CHECK_INTENTS, IntentName
from common.tencodes import TEN_CODE, normalise_ten_codes
from lookup.parser import understand
from voice.stt import spelled_prefix


@pytest.mark.parametrize(
    ("said", "code"),
    [("10-28", "10-28"), ("1028", "10-28"), ("10 28", "10-28"), ("ten twenty-eight", "10-28"),
     ("Ten, twenty eight", "10-28"), ("10-29", "10-29"), ("ten twenty nine", "10-29")],
)
def test_every_form_is_one_code(said: str, code: str) -> None:
    assert normalise_ten_codes(f"Control, {said} on this one") == f"Control, {code} on this one"


def test_numbers_that_are_not_ten_codes_stay() -> None:
    assert normalise_ten_codes("unit 1027, 210 28") == "unit 1027, 210 28"
    assert not TEN_CODE.search("often twenty-eight")


@pytest.mark.parametrize(("text", "intent"), [
    ("ten twenty-eight, Juliet Whiskey Bravo 8 0 6 4", "plate_lookup"),
    ("Control, 1028 Juliet Whiskey Bravo 8 0 6 4", "plate_lookup"),
])
def test_the_parser_and_the_spelling_pass_read_the_same_code(text: str, intent: str) -> None:
    assert understand(text).intent == intent
    prefix = spelled_prefix(text)
    assert prefix is not None and TEN_CODE.search(prefix)


def test_the_intent_enum_is_the_wire_enum() -> None:
    from service.protocol import IntentName as WireIntentName

    assert WireIntentName is IntentName
    assert understand("run plate 7 X-ray Yankee Zulu 4 5 6").intent is IntentName.PLATE
    assert CHECK_INTENTS == {"plate_lookup", "person_lookup", "licence_lookup"}
