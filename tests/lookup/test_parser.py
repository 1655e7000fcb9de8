"""Utterance parser: every fixture query parses to its slots; short intents; bad input never raises."""

from __future__ import annotations

import pytest

from fixtures.queries import QUERIES, SpokenQuery
from lookup.parser import understand


@pytest.mark.parametrize("query", QUERIES, ids=[q.id for q in QUERIES])
def test_fixture_queries_parse_exactly(query: SpokenQuery) -> None:
    parsed = understand(query.text)
    assert parsed.intent == query.intent
    for key, value in query.slots.items():
        assert parsed.slots.get(key) == value, key
    assert parsed.confidence >= 0.5


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("affirmative", "confirm"),
        ("Copy that, over.", "confirm"),
        ("ten four", "confirm"),
        ("disregard", "cancel"),
        ("negative, cancel that", "cancel"),
        ("cancel", "cancel"),
        ("say again", "repeat"),
        ("Come again?", "repeat"),
        ("repeat last", "repeat"),
    ],
)
def test_short_intents(text: str, intent: str) -> None:
    assert understand(text).intent == intent


def test_plate_with_confusable_letters_keeps_the_heard_reading_first() -> None:
    q = understand("plate 7XYZ4S6")
    assert q.intent == "plate_lookup" and q.slots["plate"] == "7XYZ4S6"


def test_partial_plate_prefix_and_suffix() -> None:
    q = understand("Partial plate, starts with seven X-ray")
    assert q.slots == {"partial": True, "match": "prefix", "plate": "7X"}
    q = understand("partial plate ending in four five six")
    assert q.slots["match"] == "suffix" and q.slots["plate"] == "456"


def test_alternatives_are_extra_readings() -> None:
    q = understand("run plate seven x-ray yankee zoo low four five six", alternatives=["7XYZ456"])
    assert q.slots["plate"] == "7XYZ456"
    assert any(r.source == "alt1" for r in q.readings) or q.readings[0].text == "7XYZ456"


def test_low_asr_confidence_lowers_query_confidence() -> None:
    hi = understand("plate alpha bravo charlie one two three", asr_confidence=1.0)
    lo = understand("plate alpha bravo charlie one two three", asr_confidence=0.3)
    assert lo.confidence < hi.confidence
    assert lo.asr_confidence == pytest.approx(0.3)


def test_person_with_last_and_first_name_fields() -> None:
    q = understand(
        "Check last name Satoh, first name Kenta, date of birth August eighth nineteen eighty-eight"
    )
    assert q.slots == {"given": "Kenta", "family": "Satoh", "dob": "1988-08-08"}


def test_name_after_the_date_of_birth() -> None:
    q = understand("Person check, date of birth 4th of March 1985, Hiroshi Sato.")
    assert q.slots == {"given": "Hiroshi", "family": "Sato", "dob": "1985-03-04"} and q.reason is None
    # Noise after the date is no name, and "in" is never one.
    assert understand("Person check, date of birth 13 September, 9th in 1.").reason == "no_name"
    q = understand("Person check on Shungal Bryant, four in November 12 1979.")
    assert (q.slots["given"], q.slots["family"]) == ("Shungal", "Bryant")


def test_family_comma_given_order() -> None:
    q = understand("Wants check, Quill, Marcus, DOB 02/11/1979")
    assert q.slots["family"] == "Quill" and q.slots["given"] == "Marcus"
    assert q.dob_readings[:2] == ("1979-02-11", "1979-11-02")


def test_run_without_keyword_reads_a_plate() -> None:
    q = understand("run 7XYZ456")
    assert q.intent == "plate_lookup" and q.slots["plate"] == "7XYZ456"


def test_a_spelled_run_without_any_keyword_reads_a_plate_with_less_confidence() -> None:
    # "Ten twenty-eight" lost in noise; the spelled run is still there.
    q = understand("And Wednesday, Juliet Whiskey Bravo 8 0 6 4")
    assert q.intent == "plate_lookup" and q.slots["plate"] == "JWB8064"
    assert q.confidence < understand("Run plate Juliet Whiskey Bravo 8 0 6 4").confidence
    # Names and numbers that are no spelled run stay unknown.
    for text in ("Paul King said 4 things", "Unit 4 5 responding to Echo Park", "the weather is nice"):
        assert understand(text).intent == "unknown", text


@pytest.mark.parametrize(
    ("text", "intent", "slot", "value"),
    [
        # "licence" misheard, so no keyword says which check: the shape of the number does.
        ("Check light on Kilo 4 8 2 0 0 6 1", "licence_lookup", "licence", "K4820061"),
        ("Life check Adam Boy 1 2 3 4 5 6", "licence_lookup", "licence", "AB123456"),
        ("Can you run 1 2 3 4 5 6 7 8 9", "licence_lookup", "licence", "123456789"),
        ("Wipe from stat number 1 2 3 4 5 6 7 8 9", "licence_lookup", "licence", "123456789"),
        # A plate's shape, or no common shape at all, stays a plate.
        ("Run 7 X-ray Yankee Zulu 4 5 6", "plate_lookup", "plate", "7XYZ456"),
        ("Juliet Whiskey Bravo 8 0 6 4", "plate_lookup", "plate", "JWB8064"),
        ("Check Alpha 1 2 3", "plate_lookup", "plate", "A123"),
    ],
)
def test_without_a_keyword_a_licence_shaped_number_is_a_licence_check(
        text: str, intent: str, slot: str, value: str) -> None:
    q = understand(text)
    assert (q.intent, q.slots.get(slot)) == (intent, value), q


def test_a_reading_of_a_plausible_length_goes_first() -> None:
    q = understand("Run license number 10.", alternatives=["Run license number tango 3 0 9 0 7"])
    assert q.slots["licence"] == "T30907" and q.reason is None
    assert "10" in [r.text for r in q.readings]


def test_a_reading_another_transcript_continues_is_taken_as_cut_short() -> None:
    # The first pass stopped early; the spelling pass read on.
    q = understand("Driver's licence check. Yankee double 2 double 0.",
                   alternatives=["Driver's licence check, Yankee Double 2 Double 0 9 3 1"])
    assert q.slots["licence"] == "Y2200931"
    assert [r.text for r in q.readings][:2] == ["Y2200931", "Y2200"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 10_000,
        "plate '; DROP TABLE vehicle; --",
        'plate " OR 1=1 --',
        "🚓🚓🚓",
        "plate 🚓 ABC 123 🚨",
        "plate " + "A" * 40,
        "licence " + "9" * 40,
        "\x00\x01\x02",
        "person",
        "plate",
        "check person DOB 31/02/1990",
        "   run   ",
        "plate " + "alpha " * 500,
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    q = understand(text)
    assert q.intent in {
        "plate_lookup",
        "person_lookup",
        "licence_lookup",
        "confirm",
        "cancel",
        "repeat",
        "unknown",
    }
    assert 0.0 <= q.confidence <= 1.0
    for key in ("plate", "licence"):
        if key in q.slots:
            assert q.slots[key].isalnum() and q.slots[key].isupper() or q.slots[key].isdigit()


def test_long_text_is_unknown_with_reason() -> None:
    q = understand("run plate " * 2000)
    assert q.intent == "unknown" and q.reason == "too_long"


def test_forty_char_plate_is_not_a_plate() -> None:
    q = understand("plate " + "AB" * 20)
    assert q.confidence <= 0.1


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # "date of birth" misheard.
        ("Person check, John Smith, date on birth 4 March 1985",
         {"given": "John", "family": "Smith", "dob": "1985-03-04"}),
        ("Hiroshi Sato, birthday 4th of March 1985",
         {"given": "Hiroshi", "family": "Sato", "dob": "1985-03-04"}),
        # Forms tiny.en actually wrote for the tune-split fixture clips.
        ("Run plate Charles Henry Frank double 185.", {"plate": "CHF1185"}),
        ("Check driver's licence November double 830-251.", {"licence": "N8830251"}),
        ("Control, 1028 on 9 Victor Echo Alpha 4 13.", {"plate": "9VEA413"}),
        ("10 28 Juliet Whiskey Bravo 806 4", {"plate": "JWB8064"}),
        (
            "Checkperson, Yuki Tanaka D-O-B 15 01 90",
            {"given": "Yuki", "family": "Tanaka", "dob": "1990-01-15"},
        ),
        (
            "Can you run Oliver Bennett or April 22nd 2003?",
            {"given": "Oliver", "family": "Bennett", "dob": "2003-04-22"},
        ),
        (
            "1029 Ryo Nakamura, February 14th, 1987",
            {"given": "Ryo", "family": "Nakamura", "dob": "1987-02-14"},
        ),
    ],
)
def test_whisper_transcript_forms(text: str, slots: dict[str, str]) -> None:
    q = understand(text)
    for key, value in slots.items():
        assert q.slots.get(key) == value, key


def test_keyword_lost_in_first_pass_found_in_alternative() -> None:
    q = understand("Blorp, seven x-ray yankee.", alternatives=["plate 7 X-ray Yankee Zulu 4 5 6"])
    assert q.intent == "plate_lookup" and q.slots["plate"] == "7XYZ456"


def test_dl_is_a_licence_check_and_run_a_check_on_finds_the_spelled_run() -> None:
    q = understand("Run D L Bravo one two three four five six seven")
    assert q.intent == "licence_lookup" and q.slots["licence"] == "B1234567"
    q = understand("Control, can you run a check on 7 X-ray Yankee Zulu 4 5 6")
    assert q.intent == "plate_lookup" and q.slots["plate"] == "7XYZ456"


@pytest.mark.parametrize(
    ("text", "given", "family", "dob"),
    [
        # A stray word between a whole name and the date is the marker misheard.
        ("Person check, please. Robert Crawford, fee 1-8-0740.", "Robert", "Crawford", "1940-07-18"),
        ("Check a person for me, Jennifer Palmer, Horn on 40th of January 1958 over.",
         "Jennifer", "Palmer", "1958-01-14"),
        # "D O B" heard as "OB", "COP", "D.O.P." right before the date.
        ("1029 on Steven Dennis, deed OB-230904.", "Steven", "Dennis", "2004-09-23"),
        ("Person check, please. Tracy Hart, COP 290292.", "Tracy", "Hart", "1992-02-29"),
        ("Person check, please. Holly Thomas, D.O.P. January 6 1984.", "Holly", "Thomas", "1984-01-06"),
        # Family name first, with a particle.
        ("Person check, de la Cruz, Maria, DOB 14th of August 1992", "Maria", "de la Cruz", "1992-08-14"),
    ],
)
def test_misheard_markers_and_stray_words_around_a_name(text: str, given: str, family: str, dob: str) -> None:
    q = understand(text)
    assert q.intent == "person_lookup"
    assert (q.slots.get("given"), q.slots.get("family"), q.slots.get("dob")) == (given, family, dob)


def test_a_name_and_a_numeric_date_after_run_is_a_person_check() -> None:
    q = understand("Control, can you run Zoe Collins, 1-20-3-81.")
    assert q.intent == "person_lookup" and (q.slots["given"], q.slots["family"]) == ("Zoe", "Collins")
    assert q.slots["dob"] == "1981-03-20"
    # Spelling words and digits after "run" stay a plate, "double" inside the run too.
    assert understand("Can you run Adam Boy David 1 2 3").slots["plate"] == "ABD123"
    assert understand("Run Charles Henry Frank double one eight five").slots["plate"] == "CHF1185"


@pytest.mark.parametrize(
    "text",
    [
        "Driver's license for Hiroshi Sato, DOB 1985-03-04",
        "Check the driver's licence of Hiroshi Sato, date of birth 4th of March 1985",
    ],
)
def test_a_licence_asked_for_by_name_and_date_of_birth_is_a_person_check(text: str) -> None:
    q = understand(text)
    assert q.intent == "person_lookup"
    assert q.slots == {"given": "Hiroshi", "family": "Sato", "dob": "1985-03-04"}


@pytest.mark.parametrize(
    ("text", "given", "family"),
    [
        # "spelled Sierra" run together into one word: the spelling lost its first letter, so
        # the spoken name it ends stands.
        ("Person check, Kiro Suzuki, Speltzier Uniform Zulu Uniform Kilo India, "
         "date of birth 1st of May 1980.", "Kiro", "Suzuki"),
        ("Person check, Hiroshi Satou, spelt Sierra Alpha Tango Oscar, date of birth 1st of May 1980.",
         "Hiroshi", "Sato"),
        # A name that starts like "spelled" is a name.
        ("Person check Kira Spelman, date of birth 1st of May 1980", "Kira", "Spelman"),
    ],
)
def test_spelled_family_names(text: str, given: str, family: str) -> None:
    q = understand(text)
    assert (q.slots.get("given"), q.slots.get("family"), q.slots.get("dob")) == (given, family, "1980-05-01")


@pytest.mark.parametrize(
    ("text", "given", "family"),
    [
        ("Run at birth on the track. Hannah Fitzgerald ZOV 2 7 0 5 96", "Hannah", "Fitzgerald"),
        ("Control, person check on Liam McAllister COV 25 10 83.", "Liam", "McAllister"),
        ("Person check on Mr John Smith born 4 March 1985", "John", "Smith"),
        ("Person check. Hiroshi Sato. Date of birth 4th of March 1985.", "Hiroshi", "Sato"),
    ],
)
def test_the_name_is_in_the_last_clause_before_the_date(text: str, given: str, family: str) -> None:
    q = understand(text)
    assert (q.intent, q.slots.get("given"), q.slots.get("family")) == ("person_lookup", given, family)
    assert q.slots.get("dob")


def test_a_misheard_tag_keyword_with_a_spelled_run_is_not_a_person() -> None:
    # A plate whose keyword was lost is not read as a name and a numeric date.
    for text in ("Check the target in J4 4 7 0 please.",
                 "Run, run, run, just to finish and for me 6 Mike Juliet Delta 2 1 4",
                 "Jet flight for September Delta 1 2 3 4 5 6."):
        assert understand(text).intent == "plate_lookup", text
    # Digits after a repeater are spelled, not a date of birth.
    assert understand("Check drive is right, it's about to double 8.3.0.5.").intent != "person_lookup"
    assert understand("Control, can you run Zoe Collins, 1-20-3-81").intent == "person_lookup"


def test_sign_off_and_letter_n_heard_as_and_inside_a_plate() -> None:
    assert understand("Control, 1028 on plate NNU7-1-3-5, OVR").slots["plate"] == "NNU7135"
    assert understand("Control 10.8 on plate N and U7 135 over.").slots["plate"] == "NNU7135"
    # "and" after the plate still ends it.
    assert understand("Run plate 7XYZ456 and it is a silver Toyota").slots["plate"] == "7XYZ456"


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("Run an ID check on Sarah Connor, date of birth 12th of May 1984",
         {"given": "Sarah", "family": "Connor", "dob": "1984-05-12"}),
        ("Look up a Sarah Connor, D.O.B. 5/12/1984", {"given": "Sarah", "family": "Connor"}),
        ("Warrant check on John Smith, born 3rd of April 1990",
         {"given": "John", "family": "Smith", "dob": "1990-04-03"}),
        ("Go ahead and run Hiroshi Sato, DOB March 4th, 1985",
         {"given": "Hiroshi", "family": "Sato", "dob": "1985-03-04"}),
        ("Plate check on a silver Toyota, 7 X-ray Yankee Zulu 4 5 6",
         {"plate": "7XYZ456", "colour": "silver", "make": "Toyota"}),
        ("plate on a white Ford Focus Kilo Delta Romeo 4 4 7 1", {"plate": "KDR4471", "make": "Ford"}),
        ("Look up 7 X-ray Yankee Zulu 4 5 6", {"plate": "7XYZ456"}),
        ("run plate a b c 1 2 3", {"plate": "ABC123"}),
    ],
)
def test_more_officer_phrasings(text: str, slots: dict[str, str]) -> None:
    q = understand(text)
    assert {k: q.slots.get(k) for k in slots} == slots, q.slots


@pytest.mark.parametrize(
    ("text", "given", "family"),
    [
        # The request misheard into name words before the name.
        ("1 support from Joe Anderson, date of birth June 27, 1993.", "Joe", "Anderson"),
        ("1. Sun Warren Sun Matthew Avery, date of birth December 29, 1960.", "Matthew", "Avery"),
        # Particles and a middle name still read as before.
        ("Person check, Maria de la Cruz, born 3 May 1980", "Maria", "de la Cruz"),
        ("Person check, Mary Ann Smith, born 3 May 1980", "Mary", "Smith"),
        ("Person check on Jean-Luc van der Berg, born 3 May 1980", "Jean-Luc", "van der Berg"),
    ],
)
def test_the_name_is_the_last_words_before_the_date(text: str, given: str, family: str) -> None:
    q = understand(text)
    assert (q.slots.get("given"), q.slots.get("family")) == (given, family)


@pytest.mark.parametrize(("text", "slots"), [
    ("Check the tag Zulu Foxtrot X-ray 3 5 7 2, cheers.", {"plate": "ZFX3572"}),
    ("Run California plate 1 X-ray Victor Hotel 5 0 3, when you're ready.", {"plate": "1XVH503"}),
    ("D L check on 5 5 0 4 5 6 3 6, standing by.", {"licence": "55045636"}),
    ("Plate Kilo Juliet 2 6 Tango India Uniform, received.", {"plate": "KJ26TIU"}),
])
def test_sign_offs_end_the_spelled_value(text: str, slots: dict[str, str]) -> None:
    query = understand(text)
    assert {k: query.slots.get(k) for k in slots} == slots
