"""Choosing among readings by the audio: rendering candidates as spoken, and reranking."""

from __future__ import annotations

import pytest

from lookup.parser import understand
from lookup.render import render_spelled, spelling_style
from lookup.rerank import (
    PersonCandidate,
    SpokenCandidate,
    name_context,
    name_contexts,
    near_miss_by_audio,
    person_by_audio,
    rerank,
    with_decoys,
)


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


@pytest.mark.parametrize(
    ("heard", "name"),
    [
        ("Person check on Chono Brian, or November 12, 1979.", "Chono Brian"),
        ("Control, person check, Jiro Chitato, date of birth 4th of March 1985.", "Jiro Chitato"),
        ("Check, birth of an Echo Yamamoto, date of birth June 17 1994.", "birth of an Echo Yamamoto"),
        ("Person check, you and Matt Loud, date of birth 13th on September 1971.", "you and Matt Loud"),
        ("Control, check person Smith, John, born 12 11 1979", "Smith, John"),
        ("Can you run a check for John Smith, date of birth 12 11 1979", "John Smith"),
        ("Wants and warrants on Kenji Watanabe, born 19th May 1975", "Kenji Watanabe"),
        ("10-29 Ryokamura Foreign February 14, 1987", "Ryokamura Foreign"),
        ("Can you run Oliver Bennett for an April 22nd 2003?", "Oliver Bennett"),
        ("Control, birth and check, date of birth 4th of March 1985.", ""),
        ("Person check, date of birth 13 September 1971.", ""),
        ("Person check, date of birth 4th of March 1985, Hiroshi Sato.", "Hiroshi Sato"),
        ("Person check, Kira Suzuki, spelled Sierra Uniform Zulu, date of birth 1 May 1980.", "Kira Suzuki"),
        ("Person check, Kira Suzuki spelt S U Z U K I born 1 May 1980", "Kira Suzuki"),
    ],
)
def test_the_heard_name_is_found_in_the_transcript(heard: str, name: str) -> None:
    context = name_context(heard)
    assert context is not None
    before, got, after = context
    assert got == name
    assert before + got + after == heard


@pytest.mark.parametrize(
    ("heard", "trimmed"),
    [
        ("1029 Ryokamura Foreign February 14th, 1987", "Ryokamura"),  # "born" heard as "Foreign"
        ("Run a person check, half its Gerald BOB2 70596.", "half its Gerald"),  # "DOB" as "BOB"
    ],
)
def test_without_a_date_marker_the_last_name_word_may_be_the_marker(heard: str, trimmed: str) -> None:
    whole, *_, cut = name_contexts(heard)
    assert whole == name_context(heard)
    before, name, after = cut
    assert name == trimmed and before == whole[0]
    assert before + name + after == heard


def test_a_long_name_is_also_tried_as_its_last_two_words() -> None:
    heard = "1 support from Joe Anderson, date of birth June 27, 1993."
    whole, last_two = name_contexts(heard)
    assert whole[1] == "support from Joe Anderson"
    before, name, after = last_two
    assert name == "Joe Anderson" and before.startswith(whole[0]) and before + name + after == heard


def test_with_a_date_marker_or_one_name_word_the_name_is_split_one_way() -> None:
    assert len(name_contexts("Person check on Chono Brian, born November 12, 1979.")) == 1
    assert len(name_contexts("Run Ryokamura 14th February 1987")) == 1
    assert name_contexts("Person check on Sean O'Brien.") == []


def test_no_date_no_name_context() -> None:
    assert name_context("Person check on Sean O'Brien.") is None
    assert name_context("10 20-high long Kenji Watter name Boy I 18th May 1975") is None


SEAN = PersonCandidate("Sean", "O'Brien", "1979-11-12")
OTHERS = [PersonCandidate("Maria", "Lopez", "1979-11-12"), PersonCandidate("John", "Smith", "1979-11-12")]


def test_a_name_the_audio_clearly_prefers_replaces_the_heard_one() -> None:
    query = understand("Person check on Chono Brian, born November 12, 1979.", asr_confidence=0.8)
    chosen = person_by_audio(query, [SEAN, *OTHERS], [-9.0, -25.0, -22.0], heard_score=-4.0)
    assert (chosen.slots["given"], chosen.slots["family"]) == ("Sean", "O'Brien")
    assert chosen.slots["dob"] == "1979-11-12"
    assert chosen.confidence >= query.confidence and chosen.reason is None
    assert chosen.heard_name == "Chono Brian" and query.heard_name is None


def test_a_close_call_or_a_name_far_from_what_was_heard_keeps_the_query() -> None:
    query = understand("Person check on Chono Brian, born November 12, 1979.", asr_confidence=0.8)
    assert person_by_audio(query, [SEAN, *OTHERS], [-9.0, -10.5, -22.0], heard_score=-4.0) == query
    # Not on file: every name on file is far worse than the transcript.
    assert person_by_audio(query, [SEAN, *OTHERS], [-30.0, -45.0, -42.0], heard_score=-4.0) == query
    # A lean (clear among the names, but well below the transcript) is only offered first.
    leaning = person_by_audio(query, [SEAN, *OTHERS], [-18.0, -35.0, -32.0], heard_score=-4.0)
    assert leaning.slots == query.slots and leaning.suggested == ("Sean", "O'Brien", "1979-11-12")
    assert person_by_audio(query, [], [], heard_score=-4.0) == query
    plate = understand("run plate 7XYZ456")
    assert person_by_audio(plate, [SEAN], [0.0], heard_score=-4.0) == plate


def test_a_clear_lead_takes_a_name_a_garbled_transcript_outscores() -> None:
    # "the show off" for the name: the transcript is the decoder's own best guess, 9 nats above
    # the right name, but that name leads every other by 15 nats: taken.
    query = understand("Person check on Chono Brian, born November 12, 1979.", asr_confidence=0.8)
    chosen = person_by_audio(query, [SEAN, *OTHERS], [-13.0, -32.0, -30.0], heard_score=-4.0)
    assert (chosen.slots["given"], chosen.slots["family"]) == ("Sean", "O'Brien")
    # The same trail with a lead just over the margin is only a lean.
    leaning = person_by_audio(query, [SEAN, *OTHERS], [-13.0, -19.0, -30.0], heard_score=-4.0)
    assert leaning.slots == query.slots and leaning.suggested is not None


def test_namesakes_compete_as_one_name_and_a_missing_name_is_filled() -> None:
    # Two Sean O'Briens born on heard dates: the audio cannot tell them apart, the check can.
    twin = PersonCandidate("Sean", "O'Brien", "1979-12-11")
    query = understand("Person check, date of birth 12 11 1979.", asr_confidence=0.8)
    assert query.reason == "no_name"
    chosen = person_by_audio(query, [SEAN, twin, *OTHERS], [-6.0, -6.0, -20.0, -21.0], heard_score=-3.0)
    assert (chosen.slots["given"], chosen.slots["family"]) == ("Sean", "O'Brien")
    assert chosen.reason is None and chosen.confidence > 0.5


def test_a_lone_person_born_that_day_must_beat_the_decoys() -> None:
    # Not on file, and one person on file shares the heard birthday: the audio supports her
    # name no better than common names, so she is not taken (nor offered).
    query = understand("Person check, Juda Carlisle, date of birth 13 September 2007.", asr_confidence=0.3)
    lone = PersonCandidate("Natalie", "Roberts", "2007-09-13")
    candidates = with_decoys([lone])
    assert [c.on_file for c in candidates] == [True] + [False] * (len(candidates) - 1)
    scores = [-30.0] + [-29.0 - i for i in range(len(candidates) - 1)]
    assert person_by_audio(query, candidates, scores, heard_score=-28.0) == query
    # Sounding clearly more like the name than every decoy, she is taken.
    scores = [-20.0] + [-29.0 - i for i in range(len(candidates) - 1)]
    assert person_by_audio(query, candidates, scores, heard_score=-22.0).slots["family"] == "Roberts"
    # A decoy never stands for a person, and a namesake on file drops that decoy.
    assert person_by_audio(query, candidates[1:], scores[1:], heard_score=-22.0) == query
    assert "John Smith" not in [c.spoken for c in with_decoys([PersonCandidate("John", "Smith", "")])[1:]]
    # A decoy sharing a name with the winner is no test of it.
    hiroshi = PersonCandidate("Hiroshi", "Sato", "1985-03-04")
    decoys = with_decoys([hiroshi])
    tanaka = next(i for i, d in enumerate(decoys) if d.spoken == "Hiroshi Tanaka")
    scores = [-10.0 if i in (0, tanaka) else -30.0 for i in range(len(decoys))]
    sato = understand("Person check, Jiro Chitato, date of birth 4th of March 1985.", asr_confidence=0.5)
    assert person_by_audio(sato, decoys, scores, heard_score=-8.0).slots["family"] == "Sato"


def test_a_near_miss_on_file_is_taken_only_with_a_clear_lead_over_readings_and_rivals() -> None:
    query = understand("Control, plate 8 queen 9 boy 3 0 6", asr_confidence=0.8)
    assert query.slots["plate"] == "8Q9B306"
    heard = SpokenCandidate("8Q9B306", "8 Queen 9 Boy 3 0 6", on_file=False)
    ida = SpokenCandidate("8QIB306", "8 Queen Ida Boy 3 0 6", on_file=True)
    other = SpokenCandidate("8Q9B308", "8 Queen 9 Boy 3 0 8", on_file=True)
    taken = near_miss_by_audio(query, [heard, ida, other], [-16.0, -6.0, -19.0])
    assert taken.slots["plate"] == "8QIB306" and taken.heard_value == "8Q9B306"
    assert taken.readings[0].text == "8QIB306" and taken.confidence >= query.confidence
    # Too close to the reading, or to another plate on file: unchanged.
    assert near_miss_by_audio(query, [heard, ida, other], [-12.0, -6.0, -19.0]) == query
    assert near_miss_by_audio(query, [heard, ida, other], [-16.0, -6.0, -10.0]) == query
    # Nothing on file, or nothing heard, to compare: unchanged.
    assert near_miss_by_audio(query, [heard], [-1.0]) == query
    assert near_miss_by_audio(query, [ida], [-1.0]) == query
