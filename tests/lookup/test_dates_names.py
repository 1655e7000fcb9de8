"""Dates of birth in spoken and written forms; name keys, romanisation variants and display."""

from __future__ import annotations

import datetime as dt

import pytest

from lookup.dates import parse_date
from lookup.names import display_name, name_key, name_similarity, phonetic_key

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1985-07-04", "1985-07-04"),
        ("07/04/1985", "1985-07-04"),
        ("4.7.85", "1985-04-07"),
        ("July 4th 1985", "1985-07-04"),
        ("the fourth of July nineteen eighty-five", "1985-07-04"),
        ("July fourth, nineteen eighty five", "1985-07-04"),
        ("fourth of March nineteen eighty-five", "1985-03-04"),
        ("November twelfth, nineteen seventy-nine", "1979-11-12"),
        ("thirtieth of July nineteen sixty-two", "1962-07-30"),
        ("April twenty-second, two thousand three", "2003-04-22"),
        ("first of May nineteen eighty", "1980-05-01"),
        ("fifteen oh one ninety", "1990-01-15"),
        ("twenty-eight oh two oh one", "2001-02-28"),
        ("two seven oh five ninety-six", "1996-05-27"),
        ("twenty-five ten eighty-three", "1983-10-25"),
        ("3 March 2001", "2001-03-03"),
        ("nineteen oh five, June 1", ""),  # not a date of birth we can read: no crash
    ],
)
def test_dates(text: str, iso: str) -> None:
    readings = parse_date(text, today=TODAY)
    if iso:
        assert readings and readings[0].iso == iso
    else:
        assert isinstance(readings, list)


def test_ambiguous_numeric_date_keeps_both_orders() -> None:
    isos = [r.iso for r in parse_date("05/06/1990", today=TODAY)]
    assert isos[:2] == ["1990-05-06", "1990-06-05"]


def test_invalid_dates_are_dropped() -> None:
    assert parse_date("31/02/1990", today=TODAY) == []
    assert parse_date("no date here", today=TODAY) == []


@pytest.mark.parametrize(
    "variants",
    [
        ("Sato", "Satou", "Satoh"),
        ("Ito", "Itou", "Itoh"),
        ("Ono", "Ohno"),
        ("O'Brien", "OBrien", "O Brien"),
        ("Kato", "Katou"),
        ("Yuki", "Yuuki"),
    ],
)
def test_romanisation_and_apostrophe_variants_share_a_key(variants: tuple[str, ...]) -> None:
    assert len({name_key(v) for v in variants}) == 1


def test_mac_and_mc_meet_phonetically() -> None:
    assert phonetic_key("MacDonald") == phonetic_key("McDonald")
    assert name_similarity("MacDonald", "McDonald") >= 0.9
    assert name_similarity("Smith", "Smyth") >= 0.9
    assert name_similarity("Smith", "Tanaka") < 0.6


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        (["o'brien"], "O'Brien"),
        (["MacDonald"], "MacDonald"),
        (["mcallister"], "McAllister"),
        (["de", "la", "cruz"], "de la Cruz"),
        (["d'souza"], "D'Souza"),
        (["smith-jones"], "Smith-Jones"),
    ],
)
def test_display_name(words: list[str], shown: str) -> None:
    assert display_name(words) == shown
