"""Combining the readings of several transcripts: support across transcripts, the shape prior."""

from __future__ import annotations

from lookup.nbest import combine, consensus, shape_ok, support, truncations_demoted
from lookup.parser import understand
from lookup.spoken import Reading


def _group(source: str, *texts_scores: tuple[str, float]) -> list[Reading]:
    return [Reading(t, s, source) for t, s in texts_scores]


def test_common_plate_and_licence_shapes() -> None:
    for plate in ("7XYZ456", "KDR4471", "AB12CDE", "ABC123", "123ABC"):
        assert shape_ok("plate_lookup", plate), plate
    for plate in ("8XABC123", "F10", "234", "62LGW902", "HVX3329R"):
        assert not shape_ok("plate_lookup", plate), plate
    for licence in ("B7712093", "123456789", "12345678", "AB123456", "MORGA753116SM9IJ"):
        assert shape_ok("licence_lookup", licence), licence
    assert not shape_ok("licence_lookup", "8830251")


def test_support_is_the_mean_of_each_transcripts_best_vote() -> None:
    groups = [_group("primary", ("GIJ7310", 1.0)), _group("alt1", ("GIZ7310", 1.0)),
              _group("alt2", ("GIZ7310", 1.0))]
    assert support("GIZ7310", groups) > support("GIJ7310", groups)
    assert support("GIZ7310", groups) == (6 / 7 + 1 + 1) / 3


def test_two_transcripts_nearly_agreeing_beat_one_first_transcript() -> None:
    # The first pass made up a symbol; both spelling passes heard the plate.
    ranked = combine([_group("primary", ("GIJ7310", 1.0)), _group("alt1", ("GIZ7310", 1.0)),
                      _group("alt2", ("GIZ7310", 1.0))], "plate_lookup")
    assert [r.text for r in ranked][:2] == ["GIZ7310", "GIJ7310"]
    assert ranked[0].score == 1.0 and ranked[1].score < 1.0
    # No transcript agrees whole, but the reading nearest to all of them wins.
    ranked = combine([_group("primary", ("6JW902", 0.68)), _group("alt1", ("62LGW902", 0.97)),
                      _group("alt2", ("6JGW902", 0.72))], "plate_lookup")
    assert ranked[0].text == "6JGW902"


def test_a_reading_in_no_common_shape_loses_a_tie() -> None:
    ranked = combine([_group("primary", ("8XABC123", 1.0)), _group("alt1", ("8ABC123", 1.0))],
                     "plate_lookup")
    assert ranked[0].text == "8ABC123"
    # Alone, an off-shape reading is still read (vanity plates exist), with a lower score.
    (only,) = combine([_group("primary", ("F10", 1.0))], "plate_lookup")
    assert only.text == "F10" and only.score < 1.0
    # Partial plates have no shape to keep.
    (part,) = combine([_group("primary", ("7XY", 1.0))], "plate_lookup", partial=True)
    assert part.score == 1.0


def test_truncations_demoted_halves_a_reading_another_one_continues() -> None:
    groups = truncations_demoted([_group("primary", ("Y2200", 1.0)), _group("alt1", ("Y2200931", 1.0))])
    assert groups[0][0].score == 0.5 and groups[1][0].score == 1.0


def test_parser_takes_the_supported_reading_over_a_stray_or_truncated_first_pass() -> None:
    q = understand("10 28 Juliet Whiskey Rama 806 4",
                   alternatives=["10 28 2 3 4", "10 28 Juliet Whiskey Bravo 8.0.6.4"])
    assert q.slots["plate"] == "JWB8064"
    q = understand("Control check, vehicle Foxtrot 10.",
                   alternatives=["Control check, vehicle Foxtrot Tango 6 3 X-ray, Robert Alfa",
                                 "Control check, vehicle Foxtrot Tango 6-3 X-ray Romeo Alpha"])
    assert q.slots["plate"] == "FT63XRA"


def test_a_shorter_reading_two_transcripts_share_is_not_taken_as_cut_short() -> None:
    ranked = combine([_group("primary", ("594934938", 1.0)), _group("alt1", ("59493493", 1.0)),
                      _group("alt2", ("59493493", 1.0))], "licence_lookup")
    assert ranked[0].text == "59493493"


def test_consensus_votes_symbol_by_symbol_across_transcripts() -> None:
    # Each transcript got a different symbol wrong; the vote gets all of them right.
    assert "6JGW902" in consensus(["6JW902", "62LGW902", "6JGWI02"])
    # An insertion most transcripts share is kept up to where they agree ("F" of "F" and "F5").
    assert "NN00XYF" in consensus(["NN00XY", "N00XYF", "NNXYF5"])
    assert "4FDD568" in consensus(["4FVD568", "4FED568", "4FDD56841"])
    # Two transcripts cannot outvote each other; agreeing ones need no vote.
    assert consensus(["ABC123", "ABC128"]) == []
    assert consensus(["ABC123", "ABC123", "ABC123"]) == []


def test_a_voted_reading_competes_on_support() -> None:
    ranked = combine([_group("primary", ("6JW902", 0.93)), _group("alt1", ("62LGW902", 0.94)),
                      _group("alt2", ("6JGWI02", 0.97))], "plate_lookup")
    assert ranked[0].text == "6JGW902" and ranked[0].source == "voted"
    # Not for partial plates, whose readings are prefixes of different lengths.
    part = combine([_group("primary", ("7XY", 1.0)), _group("alt1", ("7X", 1.0)),
                    _group("alt2", ("7XYZ", 1.0))], "plate_lookup", partial=True)
    assert all(r.source != "voted" for r in part)
