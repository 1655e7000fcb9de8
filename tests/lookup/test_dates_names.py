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


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("D-O-B-50-0-1-90", "1990-01-15"),  # "fifteen" heard as "fifty"
        ("date of birth fifty oh one ninety", "1990-01-15"),
        ("born 40 March 1980", "1980-03-14"),
    ],
)
def test_a_ty_that_cannot_be_a_day_is_read_as_its_teen(text: str, iso: str) -> None:
    readings = parse_date(text, today=TODAY)
    assert readings and readings[0].iso == iso
    assert readings[0].score < 0.8  # weaker than a date read as said


def test_letters_before_a_digit_run_do_not_spoil_it() -> None:
    # "D O B": the "o" is read as "oh", and the run after "b" still holds the date.
    assert parse_date("D O B 2 7 0 5 9 6", today=TODAY)[0].iso == "1996-05-27"


def test_oh_heard_as_or_inside_a_digit_run_is_zero() -> None:
    assert parse_date("date of birth 3 1 or 5 52", today=TODAY)[0].iso == "1952-05-31"
    assert parse_date("the OB-1 8. Or 740.", today=TODAY)[0].iso == "1940-07-18"
    # Not a digit run: "or" between words is left alone.
    assert parse_date("fifth or sixth", today=TODAY) == []


def test_a_years_teen_and_ty_keep_each_other_as_weak_alternatives() -> None:
    readings = parse_date("December 29, 1916", today=TODAY)
    assert [r.iso for r in readings] == ["1916-12-29", "1960-12-29"]
    assert readings[1].score < 0.5 * readings[0].score
    assert [r.iso for r in parse_date("4th of March 1985", today=TODAY)] == ["1985-03-04"]


def test_third_thirteenth_and_thirtieth_keep_each_other_as_weak_alternatives() -> None:
    readings = parse_date("born 3rd of November 1999", today=TODAY)
    assert readings[0].iso == "1999-11-03"
    alternatives = {r.iso: r.score for r in readings[1:]}
    assert set(alternatives) == {"1999-11-13", "1999-11-30"}
    assert max(alternatives.values()) < readings[0].score / 2
    # A written date is taken as written.
    assert [r.iso for r in parse_date("1999-11-03", today=TODAY)] == ["1999-11-03"]
    # Other days get no such alternatives.
    assert [r.iso for r in parse_date("4th of March 1985", today=TODAY)] == ["1985-03-04"]


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
    # One sound apart ("Hine" heard for "Huynh": HN, HNH) still earns credit.
    assert name_similarity("Hine", "Huynh") == 0.8


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


def test_a_ty_ordinal_that_cannot_be_a_day_is_tried_as_its_teen() -> None:
    from lookup.dates import parse_date

    for text in ("40th of January 1958", "fortieth of January 1958", "forty of January 1958"):
        assert parse_date(text)[0].iso == "1958-01-14", text
    assert parse_date("30th of January 1958")[0].iso == "1958-01-30"
