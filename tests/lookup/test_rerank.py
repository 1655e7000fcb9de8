"""Choosing among readings by the audio: rendering candidates as spoken, and reranking."""

from __future__ import annotations

import pytest

from lookup.parser import understand
from lookup.rerank import rerank
from lookup.spoken import render_spelled, spelling_style


@pytest.mark.parametrize(
    ("heard", "style", "spoken"),
    [
        ("Control, run plate 7 X-ray Yankee Zulu 4 5 6.", "nato", "7 X-ray Yankee Zulu 4 5 6"),
        ("Control, run plate seven Adam Boy David three niner two", "apco", "7 Adam Boy David 4 5 6"),
        ("run plate 7 X Y Z 4 5 6", "letters", "7 X Y Z 4 5 6"),
        ("run plate 7XYZ456", "letters", "7 X Y Z 4 5 6"),
        ("run plate seven four five six", "nato", "7 X-ray Yankee Zulu 4 5 6"),
    ],
)
def test_candidates_are_written_the_way_the_officer_spelled(heard: str, style: str, spoken: str) -> None:
    assert spelling_style(heard) == style
    value = "7ABD456" if style == "apco" else "7XYZ456"
    assert render_spelled(value, style) == spoken


def test_rerank_puts_the_best_supported_reading_first() -> None:
    query = understand("Run plate X-ray Yankee Zulu 4 5 5.", asr_confidence=0.9)
    assert query.slots["plate"] == "XYZ455"
    out = rerank(query, [("XYZ456", 0.9), ("XYZ455", 0.1)])
    assert out.slots["plate"] == "XYZ456"
    assert [r.text for r in out.readings[:2]] == ["XYZ456", "XYZ455"]
    assert out.readings[0].source == "acoustic"
    assert out.confidence == pytest.approx(0.9 * 0.9 * (0.7 + 0.3 * (0.8 / 0.9)), abs=1e-3)


def test_a_tie_is_not_confident_and_a_bad_length_stays_bad() -> None:
    query = understand("Run plate X-ray Yankee Zulu 4 5 5.", asr_confidence=0.9)
    tie = rerank(query, [("XYZ455", 0.5), ("XYZ456", 0.5)])
    assert tie.confidence < 0.35
    long = rerank(query, [("XYZ4567890123456789", 1.0)])
    assert long.reason == "bad_length" and long.confidence <= 0.1


def test_rerank_leaves_other_intents_and_empty_lists_alone() -> None:
    person = understand("Person check, Hiroshi Sato, date of birth 4th of March 1985.")
    assert rerank(person, [("ABC123", 1.0)]) is person
    plate = understand("Run plate Alpha Bravo Charlie 1 2 3.")
    assert rerank(plate, []) is plate
