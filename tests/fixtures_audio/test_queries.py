"""The query catalogue: enough distinct queries, canonical slots, spoken forms that say the slots."""

from __future__ import annotations

import re

import pytest

from fixtures.queries import QUERIES, SpokenQuery, query_by_id, subjects

NATO = {
    "alfa": "A", "alpha": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E", "foxtrot": "F",
    "golf": "G", "hotel": "H", "india": "I", "juliett": "J", "juliet": "J", "kilo": "K", "lima": "L",
    "mike": "M", "november": "N", "oscar": "O", "papa": "P", "quebec": "Q", "romeo": "R", "sierra": "S",
    "tango": "T", "uniform": "U", "victor": "V", "whiskey": "W", "whisky": "W", "x-ray": "X",
    "yankee": "Y", "zulu": "Z",
}
APCO = {
    "adam": "A", "boy": "B", "charles": "C", "david": "D", "edward": "E", "frank": "F", "george": "G",
    "henry": "H", "ida": "I", "john": "J", "king": "K", "lincoln": "L", "mary": "M", "nora": "N",
    "ocean": "O", "paul": "P", "queen": "Q", "robert": "R", "sam": "S", "tom": "T", "union": "U",
    "victor": "V", "william": "W", "x-ray": "X", "young": "Y", "zebra": "Z",
}
DIGITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "niner": "9",
}
REPEAT = {"double": 2, "triple": 3}
SYMBOLS = NATO | APCO | DIGITS


def spelled_runs(text: str) -> list[str]:
    """Decode every run of spelling-alphabet words and digit words in ``text``.

    An independent reference decoder, so the catalogue's text and slots are checked against
    each other (it knows nothing about the parser in lookup/).
    """
    runs: list[str] = []
    current = ""
    repeat = 1
    for token in re.findall(r"[a-z][a-z'-]*", text.lower()):
        if token in REPEAT:
            repeat = REPEAT[token]
        elif token in SYMBOLS:
            current += SYMBOLS[token] * repeat
            repeat = 1
        else:
            if current:
                runs.append(current)
            current, repeat = "", 1
    if current:
        runs.append(current)
    return runs


def test_catalogue_size_and_mix() -> None:
    ids = [q.id for q in QUERIES]
    assert len(ids) == len(set(ids)) >= 48
    assert len({q.text for q in QUERIES}) == len(QUERIES)
    intents = {q.intent for q in QUERIES}
    assert intents == {"plate_lookup", "person_lookup", "licence_lookup"}
    for intent in intents:
        assert sum(q.intent == intent for q in QUERIES) >= 10


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_slots_are_canonical(query: SpokenQuery) -> None:
    expected_keys = {
        "plate_lookup": {"plate"}, "licence_lookup": {"licence"}, "person_lookup": {"given", "family", "dob"},
    }[query.intent]
    assert set(query.slots) == expected_keys
    for key in ("plate", "licence"):
        if key in query.slots:
            assert re.fullmatch(r"[A-Z0-9]{5,10}", query.slots[key])
    if "dob" in query.slots:
        assert re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", query.slots["dob"])
        assert query.slots["given"] in query.text and query.slots["family"] in query.text


@pytest.mark.parametrize("query", [q for q in QUERIES if q.intent != "person_lookup"], ids=lambda q: q.id)
def test_spoken_alphanumerics_say_the_slot(query: SpokenQuery) -> None:
    value = query.slots.get("plate") or query.slots["licence"]
    assert value in spelled_runs(query.text)


def test_spoken_forms_cover_the_variants() -> None:
    words = {w for q in QUERIES for w in re.findall(r"[a-z][a-z'-]*", q.text.lower())}
    assert {"alfa", "juliett", "x-ray", "niner", "double", "triple", "oh"} <= words
    assert {"adam", "boy", "charles", "henry", "king", "mary", "queen", "zebra"} <= words
    plates = [q.slots["plate"] for q in QUERIES if q.intent == "plate_lookup"]
    assert any(re.fullmatch(r"\d[A-Z]{3}\d{3}", p) for p in plates)  # California
    assert any(re.fullmatch(r"[A-Z]{3}\d{4}", p) for p in plates)  # New York
    assert any(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z]{3}", p) for p in plates)  # UK
    families = {q.slots["family"] for q in QUERIES if q.intent == "person_lookup"}
    assert {"O'Brien", "MacDonald", "Sato", "de la Cruz"} <= families


def test_subjects_cover_every_query() -> None:
    subj = subjects()
    assert {p.plate for p in subj.plates} == {q.slots["plate"] for q in QUERIES if q.intent == "plate_lookup"}
    assert {lic.licence for lic in subj.licences} == {
        q.slots["licence"] for q in QUERIES if q.intent == "licence_lookup"
    }
    assert {(p.given, p.family, p.dob) for p in subj.persons} == {
        (q.slots["given"], q.slots["family"], q.slots["dob"]) for q in QUERIES if q.intent == "person_lookup"
    }
    assert all(p.make and p.model and p.colour and 1990 < p.year < 2030 for p in subj.plates)
    assert any(p.owner_family for p in subj.plates)


def test_query_by_id() -> None:
    assert query_by_id("p01").slots == {"plate": "7XYZ456"}
    with pytest.raises(KeyError):
        query_by_id("nope")
