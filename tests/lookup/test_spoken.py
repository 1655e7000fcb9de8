"""Spoken forms: spelling alphabets, digits, Whisper digit styles, misheard-word recovery."""

from __future__ import annotations

import pytest

from lookup.nbest import merge_readings
from lookup.render import spell_out
from lookup.spoken import decode_spelled, fuzzy_symbol, skeleton, tokenize


def top(text: str) -> str:
    readings = decode_spelled(tokenize(text))
    return readings[0].text if readings else ""


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("seven x-ray yankee zulu four five six", "7XYZ456"),
        ("Seven X-Ray Yankee Zulu 456", "7XYZ456"),
        ("seven xray yankee zulu 4-5-6", "7XYZ456"),
        ("seven x ray yankee zulu 4.5 6", "7XYZ456"),
        ("7XYZ456", "7XYZ456"),
        ("7 X Y Z 4 5 6", "7XYZ456"),
        ("alfa bravo charlie", "ABC"),
        ("alpha juliett whisky", "AJW"),
        ("juliet whiskey", "JW"),
        ("Adam Boy Charles David", "ABCD"),  # APCO
        ("Paul Robert Sam Nancy", "PRSN"),  # LAPD
        ("niner niner", "99"),
        ("oh oh seven", "007"),
        ("nought one", "01"),
        ("double four seven", "447"),
        ("triple five", "555"),
        ("double oh", "00"),
        ("fifty six", "56"),
        ("four fifty", "450"),
        ("nineteen", "19"),
        ("four hundred", "400"),
        ("Sierra, uh, Tango", "ST"),
        ("November November, oh-oh, X-ray", "NN00X"),  # hyphen-joined spelling words
        ("double-six two", "662"),
        ("4FD-D-5-6-8", "4FDD568"),  # Whisper's hyphenated letter groups
        ("double you X-ray 4 5 6", "WX456"),  # the letter W by name
        ("double-u Bravo", "WB"),
        ("Yankee double 2 double 0, either 3 1", "Y2200931"),  # "niner" misheard
    ],
)
def test_spelled_forms(spoken: str, expected: str) -> None:
    assert top(spoken) == expected


@pytest.mark.parametrize(
    ("word", "letter"),
    [
        ("yanky", "Y"),
        ("zoolu", "Z"),
        ("sierrah", "S"),
        ("keylo", "K"),
        ("kebec", "Q"),
        ("charley", "C"),
        ("whisky", "W"),
        ("foxtrott", "F"),
        ("novembre", "N"),
        ("hotell", "H"),
    ],
)
def test_misheard_spelling_words_are_recovered(word: str, letter: str) -> None:
    alts = fuzzy_symbol(word)
    assert alts and alts[0][0] == letter
    assert alts[0][1] < 1.0  # a recovered word never scores like a clean one


def test_whisper_f_ray_is_x_ray() -> None:
    assert top("7F-ray Y Z 4.5 6") == "7XYZ456"


def test_nbest_keeps_alternatives_with_scores() -> None:
    readings = decode_spelled(tokenize("seven bee see four"))
    texts = [r.text for r in readings]
    assert texts[0] == "7BC4"
    assert len(readings) > 3  # rhyming letters (D, E, P ...) kept as weaker readings
    assert any(t in texts for t in ("7DC4", "7PC4", "7EC4"))
    assert all(readings[i].score >= readings[i + 1].score for i in range(len(readings) - 1))


def test_noise_lowers_confidence_instead_of_vanishing() -> None:
    clean = decode_spelled(tokenize("alpha bravo"))[0]
    noisy = decode_spelled(tokenize("alpha grzlbrmf bravo"))[0]
    assert noisy.text == "AB" and noisy.score < clean.score


def test_merge_readings_reinforces_agreement() -> None:
    a = decode_spelled(tokenize("seven bee see"))
    b = decode_spelled(tokenize("7 D C"), source="alt1")
    merged = merge_readings([a, b])
    assert merged[0].text in ("7BC", "7DC")
    assert {r.text for r in merged[:4]} >= {"7BC", "7DC"}


def test_skeleton_folds_confusables() -> None:
    assert skeleton("O0QD") == skeleton("0000")
    assert skeleton("I1L") == "111"
    assert skeleton("S5Z2B8G6MN") == "55228866NN"
    assert skeleton("7XYZ4S6") == skeleton("7XYZ456")
    assert skeleton("ABC") != skeleton("XYZ")


def test_spell_out_reads_back_in_icao() -> None:
    assert spell_out("7XYZ456") == "Seven X-ray Yankee Zulu four five six"
    assert spell_out("AB12") == "Alpha Bravo one two"
    assert spell_out("9") == "Niner"


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("kilo delta romeo dubble 4 7 1", "KDR4471"),
        ("kilo delta romeo o-bouble 4 7 1", "KDR4471"),
        ("sierra tripple 5 0 1 8 2", "S5550182"),
    ],
)
def test_a_misheard_repeater_before_a_digit_repeats_it(spoken: str, expected: str) -> None:
    assert decode_spelled(tokenize(spoken))[0].text == expected


def test_a_word_like_double_before_a_letter_is_not_a_repeater() -> None:
    assert decode_spelled(tokenize("kilo delta romeo bubble bravo"))[0].text == "KDRB"
