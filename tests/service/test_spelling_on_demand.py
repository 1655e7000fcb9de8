"""Second looks at the audio: the spelling pass runs only when the first reading of a plate
does not resolve cleanly, and rescoring lets the audio choose among plate readings and
among the names on file for a person check.

Real router, real LookupEngine over a seeded SQLite registry; the refiner and the scorer
are recording fakes (both passes are tested with the real model in tests/voice)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lookup.db import make_engine
from lookup.engine import LookupEngine
from lookup.seed import SeedOptions, seed_registry
from service.audit import AuditLog
from service.context import Heard, QueryContext
from service.migrations import upgrade
from service.router import IntentRouter, SkillMatcher
from service.skills_runtime import SkillRunner


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IntentRouter]:
    url = f"sqlite:///{tmp_path_factory.mktemp('refine') / 'registry.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    seed_registry(engine, SeedOptions(persons=300, vehicles=300, seed=3))
    lookup = LookupEngine.from_engine(engine)
    yield IntentRouter(lookup=lookup, matcher=SkillMatcher({}, embedder=None, threshold=1.0),
                       runner=SkillRunner(workers=1, max_queue=1), audit=AuditLog(engine), rescore=True)
    lookup.close()


class Refiner:
    """Records calls and returns fixed readings."""

    def __init__(self, *readings: str) -> None:
        self.calls = 0
        self.readings = readings

    async def __call__(self) -> tuple[str, ...]:
        self.calls += 1
        return self.readings


def _ctx(n: int) -> QueryContext:
    return QueryContext(session="s-refine", utterance=n, officer="t-1", role="patrol", unit="PC-1")


async def test_clear_exact_plate_skips_the_spelling_pass(router: IntentRouter) -> None:
    refine = Refiner("Control, run plate Alpha Bravo Charlie 1 2 3")
    events = await router.handle(_ctx(1), Heard("Control, run plate Alpha Bravo Charlie 1 2 3.", 0.95,
                                                refine=refine))
    assert refine.calls == 0
    assert events[0].slots["plate"] == "ABC123"  # type: ignore[union-attr]


async def test_misheard_plate_uses_the_spelling_reading(router: IntentRouter) -> None:
    # The first pass misheard "X-ray" as "F-ray" (FINDINGS); the constrained pass did not.
    refine = Refiner("Run plate X-ray Yankee Zulu 4 5 6")
    events: list[Any] = await router.handle(_ctx(2), Heard("Run plate F-ray Yankee Zulu 4 5 6.", 0.6,
                                                           refine=refine))
    assert refine.calls == 1
    assert events[0].slots["plate"] == "XYZ456"
    assert events[1].status in ("hit", "clear")


async def test_person_check_never_calls_the_spelling_pass(router: IntentRouter) -> None:
    refine = Refiner("unused")
    await router.handle(_ctx(3), Heard("Person check, Hiroshi Sato, date of birth 4th of March 1985.", 0.9,
                                       refine=refine))
    assert refine.calls == 0


class Scorer:
    """Scores candidate readings as if the audio said ``spoken``: 0 for it, ``rest`` for the others."""

    def __init__(self, spoken: str | None, rest: float = -8.0) -> None:
        self.spoken = spoken
        self.rest = rest
        self.seen: list[tuple[str, tuple[str, ...]]] = []
        self.context: list[bool] = []

    async def __call__(self, prefix: str, continuations: tuple[str, ...],
                       context: bool = True) -> list[float]:
        self.seen.append((prefix, continuations))
        self.context.append(context)
        said = self.spoken
        return [0.0 if said is not None and c.startswith(said) else self.rest for c in continuations]


async def test_the_audio_chooses_among_readings_and_records_on_file(router: IntentRouter) -> None:
    # "six" heard as "five": the parser's best reading is a near miss; the record on file
    # (XYZ456) is among the candidates and the audio supports it.
    scorer = Scorer("X-ray Yankee Zulu 4 5 6")
    events: list[Any] = await router.handle(_ctx(4), Heard("Run plate X-ray Yankee Zulu 4 5 5.", 0.9,
                                                           refine=Refiner(), rescore=scorer))
    assert len(scorer.seen) == 1
    prefix, spoken = scorer.seen[0]
    assert prefix == "Run plate"
    assert "X-ray Yankee Zulu 4 5 6." in spoken and len(spoken) >= 2
    assert events[0].slots["plate"] == "XYZ456"
    assert events[1].status in ("hit", "clear")


async def test_a_close_call_between_readings_asks_again(router: IntentRouter) -> None:
    scorer = Scorer(None)  # every candidate equally likely
    events: list[Any] = await router.handle(_ctx(5), Heard("Run plate X-ray Yankee Zulu 4 5 5.", 0.9,
                                                           refine=Refiner(), rescore=scorer))
    assert len(scorer.seen) == 1 and len(scorer.seen[0][1]) >= 2
    assert events[0].confidence < router.min_confidence
    assert events[1].status == "clarify"


async def test_a_clear_exact_plate_is_not_rescored(router: IntentRouter) -> None:
    scorer = Scorer("anything")
    await router.handle(_ctx(6), Heard("Control, run plate Alpha Bravo Charlie 1 2 3.", 0.95,
                                       refine=Refiner(), rescore=scorer))
    assert scorer.seen == []


async def test_rescoring_is_off_unless_configured(router: IntentRouter) -> None:
    scorer = Scorer("X-ray Yankee Zulu 4 5 6")
    router.rescore, router.near_miss_by_sound = False, False
    try:
        events: list[Any] = await router.handle(_ctx(7), Heard("Run plate X-ray Yankee Zulu 4 5 5.", 0.9,
                                                               refine=Refiner(), rescore=scorer))
    finally:
        router.rescore, router.near_miss_by_sound = True, True
    assert scorer.seen == []
    assert events[0].slots["plate"] in ("XYZ455", "XYZ456")  # the registry's own fuzzy answer


async def _near_miss(router: IntentRouter, n: int, said: str) -> tuple[Scorer, list[Any]]:
    scorer = Scorer(said, rest=-12.0)
    router.rescore = False  # the near-miss choice alone (the default)
    try:
        events: list[Any] = await router.handle(_ctx(n), Heard("Run plate X-ray Yankee Zulu 4 5 5.", 0.9,
                                                               refine=Refiner(), rescore=scorer))
    finally:
        router.rescore = True
    return scorer, events


async def test_a_plate_on_file_one_symbol_away_is_taken_when_the_audio_prefers_it(
        router: IntentRouter) -> None:
    # XYZ455 is not on file; XYZ456 is, one symbol away, and the audio says "6".
    scorer, events = await _near_miss(router, 16, "X-ray Yankee Zulu 4 5 6")
    assert len(scorer.seen) == 1 and scorer.context == [True]
    prefix, spoken = scorer.seen[0]
    assert prefix == "Run plate"
    assert "X-ray Yankee Zulu 4 5 6." in spoken and "X-ray Yankee Zulu 4 5 5." in spoken
    assert events[0].slots["plate"] == "XYZ456"
    assert events[1].status in ("hit", "clear")
    assert "plate chosen by sound, heard as 'XYZ455'" in events[1].candidates[0]["why"]


async def test_a_licence_on_file_one_symbol_away_is_taken_when_the_audio_prefers_it(
        router: IntentRouter) -> None:
    scorer = Scorer("Delta 1 2 3 4 5 6 7", rest=-12.0)
    router.rescore = False
    try:
        events: list[Any] = await router.handle(_ctx(19), Heard(
            "Driver's licence Delta 1 2 3 4 5 6 8.", 0.9, refine=Refiner(), rescore=scorer))
    finally:
        router.rescore = True
    assert len(scorer.seen) == 1 and scorer.seen[0][0] == "Driver's licence"
    assert events[0].slots["licence"] == "D1234567"
    assert events[1].status in ("hit", "clear")
    assert "licence chosen by sound, heard as 'D1234568'" in events[1].candidates[0]["why"]


async def test_a_plate_heard_right_but_not_on_file_is_not_replaced(router: IntentRouter) -> None:
    # The audio supports the reading itself: the near miss is only offered.
    scorer, events = await _near_miss(router, 17, "X-ray Yankee Zulu 4 5 5")
    assert len(scorer.seen) == 1
    assert events[0].slots["plate"] == "XYZ455"
    assert events[1].status == "clarify"
    assert events[1].candidates[0]["plate"] == "XYZ456"
    assert "chosen by sound" not in events[1].candidates[0]["why"]
    # And a close call between them is no choice either.
    scorer, events = await _near_miss(router, 18, "nothing said")
    assert events[0].slots["plate"] == "XYZ455" and events[1].status == "clarify"


async def test_the_audio_names_the_person_on_file_for_the_heard_date(router: IntentRouter) -> None:
    # tiny.en wrote "Sean O'Brien" as "Chono Brian"; the date was heard right.
    scorer = Scorer("Sean O'Brien")
    events: list[Any] = await router.handle(_ctx(8), Heard(
        "Person check on Chono Brian, born November 12, 1979.", 0.7, rescore=scorer))
    assert len(scorer.seen) == 1 and scorer.context == [False]
    prefix, texts = scorer.seen[0]
    assert prefix == "Person check on"
    assert "Sean O'Brien, born November 12, 1979." in texts
    assert texts[-1] == "Chono Brian, born November 12, 1979."  # the name as heard competes
    assert "John Smith, born November 12, 1979." in texts  # and common names as decoys
    slots = events[0].slots
    assert (slots["given"], slots["family"], slots["dob"]) == ("Sean", "O'Brien", "1979-11-12")
    assert events[1].status in ("hit", "clear")
    assert events[1].candidates[0]["family"] == "O'Brien"
    assert "name chosen by sound, heard as 'Chono Brian'" in events[1].candidates[0]["why"]


async def test_a_misheard_date_marker_is_left_out_of_the_name(router: IntentRouter) -> None:
    # "born" heard as "Foreign": the names are also scored with that word kept after them.
    scorer = Scorer("Sean O'Brien Foreign")
    events: list[Any] = await router.handle(_ctx(15), Heard(
        "Person check on Chono Brian Foreign November 12, 1979.", 0.7, rescore=scorer))
    prefix, texts = scorer.seen[0]
    assert prefix == "Person check on"
    assert "Sean O'Brien November 12, 1979." in texts and "Sean O'Brien Foreign November 12, 1979." in texts
    # (and with its last two words alone: "Brian Foreign" may be the whole name)
    assert "Chono Sean O'Brien November 12, 1979." in texts
    assert texts[-1] == "Chono Brian Foreign November 12, 1979."
    slots = events[0].slots
    assert (slots["given"], slots["family"], slots["dob"]) == ("Sean", "O'Brien", "1979-11-12")
    assert "name chosen by sound" in events[1].candidates[0]["why"]


async def test_a_failed_scoring_pass_still_answers_from_the_transcript(router: IntentRouter) -> None:
    from voice.errors import TranscriptionError

    async def broken(prefix: str, continuations: tuple[str, ...], context: bool = True) -> list[float]:
        raise TranscriptionError("rescoring failed on this utterance")

    events: list[Any] = await router.handle(_ctx(12), Heard(
        "Person check on Chono Brian, born November 12, 1979.", 0.7, rescore=broken))
    assert events[0].slots["family"] == "Brian" and events[1].status in ("clarify", "no_match")
    events = await router.handle(_ctx(13), Heard("Run plate X-ray Yankee Zulu 4 5 5.", 0.9,
                                                 refine=Refiner(), rescore=broken))
    assert events[0].slots["plate"] in ("XYZ455", "XYZ456")


async def test_a_name_far_worse_than_the_transcript_is_not_taken(router: IntentRouter) -> None:
    # Not on file: the audio supports the transcript far better than any name on file.
    scorer = Scorer("Chono Brian", rest=-12.0)
    events: list[Any] = await router.handle(_ctx(9), Heard(
        "Person check on Chono Brian, born November 12, 1979.", 0.7, rescore=scorer))
    assert len(scorer.seen) == 1
    assert events[0].slots["family"] == "Brian"
    assert events[1].status not in ("hit", "clear") or events[1].candidates[0]["family"] != "O'Brien"


async def test_a_lean_towards_a_name_is_offered_first_but_not_taken(router: IntentRouter) -> None:
    # Clear among the names on file, but well below the transcript: ask, Sean O'Brien first.
    scorer = Scorer("Chono Brian", rest=-14.0)

    async def lean(prefix: str, continuations: tuple[str, ...], context: bool = True) -> list[float]:
        scores = await scorer(prefix, continuations, context)
        pairs = zip(continuations, scores, strict=True)
        return [-10.0 if c.startswith("Sean O'Brien") else s for c, s in pairs]

    events: list[Any] = await router.handle(_ctx(14), Heard(
        "Person check on Chono Brian, born November 12, 1979.", 0.7, rescore=lean))
    assert events[0].slots["family"] == "Brian"
    assert events[1].status == "clarify"
    first = events[1].candidates[0]
    assert (first["given"], first["family"]) == ("Sean", "O'Brien")
    assert "closest by sound to 'Chono Brian'" in first["why"]
    assert "Sean O'Brien" in events[1].readback


async def test_an_exact_name_and_date_or_the_setting_off_skip_the_names(router: IntentRouter) -> None:
    scorer = Scorer("anything")
    events: list[Any] = await router.handle(_ctx(10), Heard(
        "Person check on Sean O'Brien, born November 12, 1979.", 0.9, rescore=scorer))
    assert scorer.seen == [] and events[1].status in ("hit", "clear")
    router.names_limit = 1  # one name on file, then the decoys, then the name as heard
    try:
        await router.handle(_ctx(15), Heard("Person check on Chono Brian, born November 12, 1979.", 0.7,
                                            rescore=scorer))
    finally:
        router.names_limit = 40
    texts = scorer.seen[-1][1]
    assert texts[0].startswith("Sean O'Brien") and not any(t.startswith("Sean") for t in texts[1:])
    scorer.seen.clear()
    router.rescore_names = False
    try:
        await router.handle(_ctx(11), Heard("Person check on Chono Brian, born November 12, 1979.", 0.7,
                                            rescore=scorer))
    finally:
        router.rescore_names = True
    assert scorer.seen == []
