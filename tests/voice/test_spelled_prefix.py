"""Where the constrained spelling pass starts reading: the words forced before the spelled run."""

from __future__ import annotations

import pytest

from voice.spelling_pass import prefix_variants, spelled_prefix


@pytest.mark.parametrize(
    ("first", "prefix"),
    [
        ("Control, run plate 7 Adam Boy David 3 9 or 2", "Control, run plate"),
        # Filler words after the keyword belong to the prefix: the pass may write only spelling.
        ("Can you run plate for me, golf India Juliet 731 0?", "Can you run plate for me"),
        ("Driver's licence check. Yankee double 2 double 0.", "Driver's licence check"),
        ("Vehicle check on door get with John 4450.", "Vehicle check on"),
        # ... but a spelled word after them starts the run.
        ("Plate check on Oscar 1 2 3", "Plate check on"),
        ("Plate check, free delta hotel Mike November 8th", "Plate check"),
        # Nothing after the keyword: the recogniser dropped the run, read on after the text.
        ("Check, driver's licence number.", "Check, driver's licence number"),
        # "vehicle" and an opening 10-28 stand in for a keyword.
        ("Can you check vehicle 6 Juliet South Whiskey I-ner 0-2?", "Can you check vehicle"),
        ("10 28 Juliet Whiskey Rama 806 4", "10 28"),
        ("Ten twenty-eight, Juliet Whiskey Bravo 8 0 6 4", "Ten twenty-eight"),
        # A plate keyword wins over "vehicle" said after it.
        ("Run plate Alpha Bravo 1 2 3, the vehicle is silver", "Run plate"),
        # No keyword: the first run of three spelled tokens.
        ("Alpha Bravo Charlie 1 2 3", ""),
        ("Control, Alpha Bravo Charlie 1 2 3", "Control"),
        ("Person check, John Smith", None),
    ],
)
def test_spelled_prefix(first: str, prefix: str | None) -> None:
    assert spelled_prefix(first) == prefix


def test_a_reading_that_only_adds_digits_is_a_new_reading() -> None:
    from voice.spelling_pass import _words_and_digits

    first = "Driver's licence check. Yankee double 2 double 0."
    again = "Driver's licence check, Yankee Double 2 Double 0 5 3 1"
    assert _words_and_digits(first) != _words_and_digits(again)
    assert _words_and_digits("Bravo 4450.") == _words_and_digits("bravo 4 4 5 0")


def test_a_prefix_ending_in_number_is_also_forced_without_it() -> None:
    # "Licence number" is a set phrase to the recogniser: it writes it for "licence Bravo ...".
    assert prefix_variants("Driver's licence number") == ["Driver's licence number", "Driver's licence"]
    assert prefix_variants("Check, driver's licence number,") == ["Check, driver's licence number,",
                                                                 "Check, driver's licence"]
    assert prefix_variants("Check, driver's licence number, number") == [
        "Check, driver's licence number, number", "Check, driver's licence"]
    assert prefix_variants("Run plate") == ["Run plate"]
    assert prefix_variants("number") == ["number"]  # nothing would be left to force
