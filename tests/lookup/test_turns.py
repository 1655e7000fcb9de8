"""Turn-taking: which utterances only open a request, and which stand alone."""

from __future__ import annotations

import pytest

from lookup.turns import RadioTurns, continues, opening, stands_alone


@pytest.mark.parametrize(
    ("text", "awaited"),
    [
        ("Control, run plate.", "plate"),
        ("Control, can you run a plate for me?", "plate"),
        ("Control, I need a ten twenty-eight.", "plate"),
        ("Control, run a licence check.", "licence"),
        ("Person check.", "name and date of birth"),
        ("Control.", ""),
        ("Dispatch, unit fourteen.", ""),
        ("Control, this is unit 14, over.", ""),
    ],
)
def test_openings_say_what_they_wait_for(text: str, awaited: str) -> None:
    assert opening(text) == awaited
    assert RadioTurns().opening(text) == awaited


@pytest.mark.parametrize(
    "text",
    [
        "Control, run plate 7XYZ456.",
        "Control, run plate seven X-ray Yankee Zulu four five six.",
        "Person check, Hiroshi Sato, date of birth fourth of March 1985.",
        "Seven X-ray Yankee Zulu four five six.",
        "Affirmative.",
        "Control, the weather is nice today and the traffic is light on the bypass.",
        "",
        "   ",
        "x" * 5000,
        "🚓🚓",
    ],
)
def test_requests_and_other_text_are_not_openings(text: str) -> None:
    assert opening(text) is None


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("Control, run plate 7XYZ456.", True),
        ("Person check, Hiroshi Sato, date of birth fourth of March 1985.", True),
        ("Ten twenty-eight, Alpha Bravo one two three.", True),
        ("Affirmative.", True),
        ("Say again.", True),
        ("Seven X-ray Yankee Zulu four five six.", False),
        ("Delta 4 5 1 2 7 7 3", False),
        ("Hiroshi Sato, fourth of March 1985.", False),
        ("Control.", False),
        ("", False),
        ("x" * 5000, False),
    ],
)
def test_a_request_with_its_own_keyword_stands_alone(text: str, alone: bool) -> None:
    assert stands_alone(text) is alone


@pytest.mark.parametrize(
    ("awaited", "text", "goes_on"),
    [
        ("plate", "Seven X-ray Yankee Zulu four five six.", True),
        ("licence", "Delta 4 5 1 2 7 7 3", True),
        ("name and date of birth", "Hiroshi Sato, fourth of March 1985.", True),
        ("", "Seven X-ray Yankee Zulu four five six.", True),
        # A request of its own.
        ("plate", "Control, run plate 7XYZ456.", False),
        ("", "Person check, Hiroshi Sato, date of birth 4 March 1985.", False),
        # Plainly another kind of check than the one opened.
        ("plate", "Hiroshi Sato, fourth of March 1985.", False),
        ("name and date of birth", "Seven X-ray Yankee Zulu four five six.", False),
    ],
)
def test_what_goes_on_from_an_opening(awaited: str, text: str, goes_on: bool) -> None:
    assert continues(awaited, text) is goes_on
    assert RadioTurns().continues(awaited, text) is goes_on
