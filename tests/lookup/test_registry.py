"""The check chain against real registries: SQLite and PostgreSQL, seeded small (see conftest)."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Levenshtein
from sqlalchemy import create_engine, text

from common.errors import PatrolError
from fixtures.queries import QUERIES
from lookup.bulk import registry_counts
from lookup.db import make_engine
from lookup.engine import LookupEngine
from lookup.errors import IntentError
from lookup.readback import no_match_readback
from lookup.spoken import skeleton
from lookup.store import SqlRegistryStore


def run(engine: LookupEngine, utterance: str, **kwargs: object):  # noqa: ANN201 - test helper
    return engine.check(engine.understand(utterance, **kwargs))  # type: ignore[arg-type]


def test_plate_chain_vehicle_owner_licence_alerts(engine: LookupEngine) -> None:
    result = run(engine, "run plate Quebec Quebec seven zero Zulu Zulu Zulu")
    assert result.status == "hit"
    top = result.candidates[0]
    assert top["plate"] == "QQ70ZZZ" and top["kind"] == "vehicle" and top["colour"] == "green"
    assert top["owner"]["family"] == "Quill"
    assert top["owner"]["licence"]["number"] == "Q1234567"
    assert top["owner"]["licence"]["status"] == "suspended"
    kinds = [a["kind"] for a in result.alerts]
    assert set(kinds) == {"caution", "wanted", "stolen", "missing"}
    assert result.readback.startswith("Quebec Quebec seven zero Zulu Zulu Zulu, green Ford Focus")
    assert "registered owner Marcus Quill" in result.readback and "use caution" in result.readback
    assert "owner licence SUSPENDED" in result.readback
    assert {"vehicle:900001", "person:900001", "licence:900001", "alert:900001"} <= set(result.record_ids)


def test_alerts_officer_safety_first(engine: LookupEngine) -> None:
    result = run(engine, "plate QQ70ZZZ")
    kinds = [a["kind"] for a in result.alerts]
    assert kinds[0] == "caution" and result.alerts[0]["officer_safety"] is True
    assert kinds == ["caution", "wanted", "stolen", "missing"]
    assert result.readback.index("WANTED") < result.readback.index("STOLEN")


def test_conformance_plates_exist(engine: LookupEngine) -> None:
    clear = run(engine, "run plate ABC123")
    assert clear.status == "clear" and clear.candidates[0]["plate"] == "ABC123"
    assert clear.readback.startswith("Alpha Bravo Charlie one two three")
    stolen = run(engine, "run plate XYZ456")
    assert stolen.status == "hit" and stolen.alerts[0]["kind"] == "stolen"


def test_fixture_subjects_resolve(engine: LookupEngine) -> None:
    misses = []
    for q in QUERIES:
        result = run(engine, q.text)
        if result.status not in ("hit", "clear"):
            misses.append(q.id)
    assert misses == []


def test_confusables_are_ranked_by_registry_existence(engine: LookupEngine) -> None:
    # Heard S for 5 and O for 0: only the registry spelling exists.
    result = run(engine, "plate 7XYZ4S6")
    assert result.status in ("hit", "clear")
    assert result.candidates[0]["plate"] == "7XYZ456"
    assert "confusable" in result.candidates[0]["why"]
    result = run(engine, "plate QQ7OZZZ")
    assert result.candidates[0]["plate"] == "QQ70ZZZ"


def test_spelling_word_confusion_recovered_through_registry(engine: LookupEngine) -> None:
    result = run(engine, "run plate Quebec Quebec seven zero Zulu Zulu zoo loo")
    assert result.candidates and result.candidates[0]["plate"] == "QQ70ZZZ"


def test_partial_plate_is_a_wildcard_search(engine: LookupEngine) -> None:
    result = run(engine, "partial plate, starts with Quebec Quebec seven")
    assert result.candidates and all(c["plate"].startswith("QQ7") for c in result.candidates)
    assert result.status == "hit"  # QQ70ZZZ is stolen
    assert result.readback.startswith("Partial plate starting Quebec Quebec seven")
    result = run(engine, "partial plate ending in Zulu Zulu Zulu")
    assert any(c["plate"] == "QQ70ZZZ" for c in result.candidates)
    # Exact suffixes rank first; confusable ones (Z/2) may follow with lower scores.
    assert result.candidates[0]["plate"].endswith("ZZZ")
    assert all(skeleton(c["plate"]).endswith(skeleton("ZZZ")) for c in result.candidates)


def test_person_name_variants_and_dob(engine: LookupEngine) -> None:
    for spoken in ("Kenta Sato", "Kenta Satou", "Kenta Satoh"):
        result = run(engine, f"check person {spoken}, date of birth eighth of August nineteen eighty-eight")
        assert result.candidates and result.candidates[0]["family"] == "Satoh", spoken
        assert result.candidates[0]["dob"] == "1988-08-08"


def test_person_chain_alerts_and_licence(engine: LookupEngine) -> None:
    result = run(engine, "wants check Marcus Quill born February eleventh nineteen seventy-nine")
    assert result.status == "hit"
    top = result.candidates[0]
    assert top["kind"] == "person" and top["licence"]["status"] == "suspended"
    assert result.alerts[0]["kind"] == "caution"
    assert "Marcus Quill" in result.readback and "use caution" in result.readback


def test_ambiguous_numeric_dob_uses_both_orders(engine: LookupEngine) -> None:
    # 11/02 read US-style first (November 2nd); the registry holds February 11th.
    result = run(engine, "person Marcus Quill DOB 11/02/1979")
    assert result.candidates[0]["id"] == "person:900001"


def test_apostrophe_name_from_fixture(engine: LookupEngine) -> None:
    result = run(engine, "person check Sean OBrien born November twelfth nineteen seventy-nine")
    assert result.candidates[0]["family"] == "O'Brien"


def test_licence_chain_holder_and_alerts(engine: LookupEngine) -> None:
    result = run(engine, "check licence Quebec one two three four five six seven")
    assert result.status == "hit"
    top = result.candidates[0]
    assert top["kind"] == "licence" and top["holder"]["family"] == "Quill"
    assert result.readback.startswith("Licence Quebec one two three four five six seven, SUSPENDED")


def test_unknown_plate_is_no_match(engine: LookupEngine) -> None:
    result = run(engine, "plate Whiskey Whiskey Whiskey nine nine nine nine")
    assert result.status == "no_match"
    assert "no record" in result.readback


def test_low_confidence_asks_again(engine: LookupEngine) -> None:
    result = run(engine, "plate grzl frmp blorg", asr_confidence=0.2)
    assert result.status == "clarify" and result.readback.startswith("Say again")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x" * 10_000,
        "plate '; DROP TABLE vehicle; --",
        "person Robert'); DROP TABLE person;-- born 1/1/1990",
        "🚓🚨🚓",
        "plate " + "Z" * 40,
        "licence " + "alpha " * 40,
        "check person ' OR '1'='1",
    ],
)
def test_bad_input_gives_clarify_or_patrol_error(engine: LookupEngine, text: str) -> None:
    try:
        result = run(engine, text)
    except PatrolError:
        return
    assert result.status in ("clarify", "no_match")
    assert len(result.readback) < 200


def test_sql_metacharacters_leave_tables_intact(engine: LookupEngine, registry_url: str) -> None:
    run(engine, "plate '; DROP TABLE vehicle; --")
    db = make_engine(registry_url)
    try:
        with db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM vehicle")).scalar_one() > 2000
    finally:
        db.dispose()


def test_non_check_intent_is_an_intent_error(engine: LookupEngine) -> None:
    with pytest.raises(IntentError):
        engine.check(engine.understand("affirmative"))
    assert engine.check(engine.understand("good morning")).status == "clarify"


def test_seeded_counts_and_alert_rate(registry_url: str) -> None:
    db = make_engine(registry_url)
    try:
        counts = registry_counts(db)
    finally:
        db.dispose()
    assert counts["person"] >= 2000 and counts["vehicle"] >= 2000
    assert 0.6 * counts["person"] < counts["driver_licence"] < 0.9 * counts["person"]
    # ~2 % of persons and of vehicles carry an alert.
    assert 0.01 * 4000 < counts["alert"] < 0.04 * 4000


def test_one_slip_is_offered_but_not_taken(engine: LookupEngine) -> None:
    # Y for Z is no confusable: the one-off search (and pg_trgm) finds the neighbour, and it must ask.
    result = run(engine, "plate QQ70ZZY")
    assert result.status == "clarify"
    assert any(c["plate"] == "QQ70ZZZ" for c in result.candidates)
    assert result.readback.startswith("Confirm plate")
    assert "edit" in result.candidates[0]["why"]


@pytest.mark.parametrize("heard", ["QQ70ZZ", "QQ70ZZZY", "Q70ZZZ", "QQ7Y0ZZZ"])
def test_a_missed_or_extra_symbol_is_offered_but_not_taken(engine: LookupEngine, heard: str) -> None:
    # "Golf" heard as "South" and dropped (6JW902 for 6JGW902), or a symbol too many.
    found = engine.store.vehicles_one_off(skeleton(heard))
    assert any(v["plate"] == "QQ70ZZZ" for v in found)
    result = run(engine, f"plate {heard}")
    assert result.status == "clarify" and result.readback.startswith("Confirm plate")
    assert any(c["plate"] == "QQ70ZZZ" and "edit" in c["why"] for c in result.candidates)


@pytest.mark.parametrize("heard", ["QQ70ZYY", "QQ7XZZY", "QQ7ZZY"])
def test_two_slips_are_offered_but_not_taken(engine: LookupEngine, heard: str) -> None:
    # Two misheard spelling words and nothing on file one symbol away: the plate two away is
    # offered (on SQLite too, where no trigram index exists), never taken.
    result = run(engine, f"plate {heard}")
    assert result.status == "clarify"
    assert any(c["plate"] == "QQ70ZZZ" and "2 edits" in c["why"] for c in result.candidates)


@pytest.mark.parametrize("heard", ["1234567", "Q1234568", "Q12345678", "QX1234567"])
def test_a_licence_one_slip_away_is_offered_but_not_taken(engine: LookupEngine, heard: str) -> None:
    # The leading letter missed ("double 8 3 0 ..." for November double 8 3 0 ...), a digit
    # changed, one too many.
    found = engine.store.licences_one_off(skeleton(heard))
    assert any(lic["number"] == "Q1234567" for lic in found)
    result = run(engine, f"driver's licence {heard}")
    assert result.status == "clarify"
    assert any(c["number"] == "Q1234567" and "edit" in c["why"] for c in result.candidates)


@pytest.mark.parametrize("heard", ["QQ70ZZY", "QQ70ZYY", "QQ7ZZY", "QQ70ZZZQ", "QQ70ABC", "XXQQ70ZZ",
                                   "QZ9Q9Z9Q", "AB1"])
def test_near_is_the_first_stage_that_finds_a_neighbour(engine: LookupEngine, heard: str) -> None:
    # One statement for the three stages on PostgreSQL, three in turn on SQLite: the same
    # neighbours as one-off, else two-off, else trigram (QQ70ABC, XXQQ70ZZ on PostgreSQL),
    # asked one after the other.
    store, key = engine.store, skeleton(heard)
    staged = (store.vehicles_one_off(key) or store.vehicles_two_off(key, limit=5)
              or store.vehicles_similar(key))
    near = store.vehicles_near(key, limit=5)
    assert sorted(v["id"] for v in near) == sorted(v["id"] for v in staged)
    assert all(set(v) == set(staged[0]) for v in near)
    numbers = ["Q1234568", "Q12345", "ZZ999999"]
    for number in numbers:
        want = store.licences_one_off(number) or store.licences_two_off(number, limit=5)
        assert sorted(x["id"] for x in store.licences_near(number, limit=5)) == sorted(x["id"] for x in want)


@pytest.mark.parametrize("heard", [["QQ70ZZZ"], ["QQ7OZZZ", "QQ70ZZZ"], ["QQ70ZZY"], ["QQ70ABC", "QQ70ZZY"],
                                   ["AB1"], []])
def test_exact_or_near_is_exact_else_the_first_readings_neighbours(engine: LookupEngine,
                                                                   heard: list[str]) -> None:
    # One statement on PostgreSQL (the neighbour stages skipped when stage 0 finds), two on
    # SQLite: the same rows as the exact lookup, else as the near search of the first reading.
    # Edit distance filtered in SQL (levenshtein()) and, as where the server lacks it, in Python.
    store, keys = engine.store, [skeleton(h) for h in heard]
    assert isinstance(store, SqlRegistryStore)
    with store.connect() as conn:
        assert store._has_levenshtein(conn)  # fuzzystrmatch on PostgreSQL, rapidfuzz on SQLite
    answers = []
    for in_sql in (True, False):
        store._levenshtein = in_sql
        try:
            want = store.vehicles_by_skeleton(keys) or (store.vehicles_near(keys[0], limit=5) if keys else [])
            got = store.vehicles_exact_or_near(keys, limit=5)
            assert sorted(v["id"] for v in got) == sorted(v["id"] for v in want)
            assert all(set(v) == set(want[0]) for v in got)
            for numbers in (["Q1234567"], ["Q1234568"], ["Q1234568", "Q1234567"]):
                lic = store.licences_by_skeleton(numbers) or store.licences_near(numbers[0], limit=5)
                assert sorted(x["id"] for x in store.licences_exact_or_near(numbers, limit=5)) == sorted(
                    x["id"] for x in lic)
            answers.append(sorted(v["id"] for v in got))
        finally:
            store._levenshtein = None
    assert answers[0] == answers[1]


def test_pg_trigram_neighbours(engine: LookupEngine, registry_url: str) -> None:
    similar = engine.store.vehicles_similar(skeleton("QQ70ZZZ"))
    if registry_url.startswith("postgresql"):
        assert any(v["plate"] == "QQ70ZZZ" for v in similar)
    else:
        assert similar == []


def test_plainly_different_given_name_is_not_taken(engine: LookupEngine) -> None:
    # Family name and date of birth agree, the given name does not: another person, so ask.
    result = run(engine, "check person Zebedee Quill born February eleventh nineteen seventy-nine")
    assert result.status == "clarify"
    assert result.candidates[0]["id"] == "person:900001"


def test_lost_particles_still_find_the_family(engine: LookupEngine) -> None:
    result = run(engine, "person check Maria Cruz, date of birth 14th of August 1992")
    assert result.status in ("hit", "clear")
    assert result.candidates[0]["family"] == "de la Cruz"


def test_without_a_date_of_birth_the_given_name_must_nearly_agree(engine: LookupEngine) -> None:
    # No date to anchor it: "Martin Quill" is offered (Marcus Quill), not taken.
    result = run(engine, "person check, Martin Quill")
    assert result.status == "clarify"
    assert result.candidates[0]["id"] == "person:900001"
    # The same name said whole is taken on the name alone.
    assert run(engine, "person check, Marcus Quill").status in ("hit", "clear")


def test_readback_uses_the_officers_alphabet(engine: LookupEngine) -> None:
    """An officer who spells in APCO hears the plate back in APCO words; ICAO otherwise."""
    apco = run(engine, "run plate Queen Queen seven zero Zebra Zebra Zebra")
    assert apco.status == "hit" and apco.candidates[0]["plate"] == "QQ70ZZZ"
    assert apco.readback.startswith("Queen Queen seven zero Zebra Zebra Zebra, green Ford Focus")
    nato = run(engine, "run plate Quebec Quebec seven zero Zulu Zulu Zulu")
    assert nato.readback.startswith("Quebec Quebec seven zero Zulu Zulu Zulu")
    assert no_match_readback("plate", "ABC999", "apco") == "Adam Boy Charles niner niner niner, no record."


def test_one_off_search_finds_exactly_the_edit_one_neighbours(engine: LookupEngine) -> None:
    # The one statement of index ranges must return what a scan of the whole table would:
    # every plate skeleton one edit away, nothing else, for heard forms of several lengths.
    with engine.store.engine.connect() as conn:
        skels = [s for (s,) in conn.execute(text("SELECT plate_skel FROM vehicle"))]
    assert len(skels) > 20
    for heard in [skels[0], skels[5][:-1], skels[9] + "7", "Q" + skels[13][1:], "QQ7Y0ZZZ"]:
        want = sorted(s for s in skels if Levenshtein.distance(s, heard) == 1)
        got = sorted(skeleton(v["plate"]) for v in engine.store.vehicles_one_off(heard, limit=10_000))
        assert got == want, heard


def test_two_off_search_finds_the_edit_two_neighbours_with_an_intact_end(engine: LookupEngine) -> None:
    # Against a scan of the whole table: every skeleton two edits away whose first two or last
    # two symbols are intact, nothing at another distance; licences too.
    with engine.store.engine.connect() as conn:
        skels = [s for (s,) in conn.execute(text("SELECT plate_skel FROM vehicle"))]
        numbers = [s for (s,) in conn.execute(text("SELECT number_skel FROM driver_licence"))]
    found = 0
    for heard in [skels[0], skels[3][:-2] + "QQ", "Q" + skels[7][2:], skels[11][:3] + "ZZ" + skels[11][3:]]:
        want = sorted(s for s in skels if Levenshtein.distance(s, heard) == 2
                      and (s[:2] == heard[:2] or s[-2:] == heard[-2:]))
        got = sorted(skeleton(v["plate"]) for v in engine.store.vehicles_two_off(heard, limit=10_000))
        assert got == want, heard
        found += len(got)
    assert found >= 3  # the edited forms above are two edits from plates on file
    heard = numbers[0][:-2] + numbers[1][-2:][::-1]
    want = sorted(s for s in numbers if Levenshtein.distance(s, heard) == 2
                  and (s[:2] == heard[:2] or s[-2:] == heard[-2:]))
    got = sorted(skeleton(v["number"]) for v in engine.store.licences_two_off(heard, limit=10_000))
    assert got == want
    assert engine.store.vehicles_two_off("AB1") == []  # too short to offer anything


def test_checks_hold_no_transaction_open_on_postgresql(engine: LookupEngine, registry_url: str) -> None:
    # The check chain's connections only read: on PostgreSQL they run in autocommit, so a
    # connection between two reads of one check (or back in the pool) is "idle", never "idle
    # in transaction" holding a snapshot, and no BEGIN / ROLLBACK round trips are spent.
    if not registry_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    observer = create_engine(registry_url)
    try:
        with engine.store.unit(), engine.store.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            assert engine.store.vehicles_by_skeleton(["0070222"])  # a read on the same connection
            with observer.connect() as other:
                state = other.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :p"),
                                      {"p": pid}).scalar_one()
        assert state == "idle"
    finally:
        observer.dispose()
