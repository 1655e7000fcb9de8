"""The parser on phrasings and spellings it was not written against: the generated development
set's templates (``fixtures.dev_set``) with random registry-format values, as text."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fixtures.dev_set import (
    LICENCE_TEMPLATES,
    PERSON_TEMPLATES,
    PLATE_TEMPLATES,
    REGIONS,
    say_date,
    say_value,
)
from lookup.parser import understand
from lookup.seed import make_licence, make_plate

# More phrasings, on top of the development set's: keyword last, name first, family name first.
MORE_PLATE = ("Control, I've got a vehicle, {v}, can you run it?", "Plate is {v}.",
              "Can you give me a twenty-eight on {v}.", "Dispatch, {v}, run that plate for me.",
              "Requesting a check on licence plate {v}.", "Go ahead and run {v} for me.")
MORE_LICENCE = ("Can you run a D L for me, {v}.", "Licence number is {v}.",
                "Driver's licence, {v}, check for status.", "Run an operator's licence, {v}.")
MORE_PERSON = ("Run a name for me, last name {f}, first name {g}, date of birth {d}.",
               "{g} {f}, date of birth {d}, check for warrants.", "Subject is {g} {f}, born {d}.",
               "Can you run a person, {f}, {g}, date of birth {d}.",
               "Person check, first name {g}, last name {f}, D O B {d}.")
NAMES = (("John", "Smith"), ("Hiroshi", "Sato"), ("Sean", "O'Brien"), ("Emily", "Clarke"),
         ("Angus", "MacDonald"), ("Yuki", "Tanaka"), ("Maria", "Lopez"))


def _cases(n: int, seed: int) -> list[tuple[str, str, dict[str, str]]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        region = rng.choice(sorted(REGIONS))
        if i % 3 == 0:
            plate = make_plate(rng, region)
            template = rng.choice(PLATE_TEMPLATES + MORE_PLATE)
            text = template.format(v=say_value(plate, rng), region=REGIONS[region])
            out.append((text, "plate_lookup", {"plate": plate}))
        elif i % 3 == 1:
            number = make_licence(rng, "CA" if region == "GB" else region, "Smith", "John",
                                  dt.date(1980, 1, 1))
            text = rng.choice(LICENCE_TEMPLATES + MORE_LICENCE).format(v=say_value(number, rng))
            out.append((text, "licence_lookup", {"licence": number}))
        else:
            dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
            given, family = rng.choice(NAMES)
            text = rng.choice(PERSON_TEMPLATES + MORE_PERSON).format(g=given, f=family, d=say_date(dob, rng))
            out.append((text, "person_lookup", {"given": given, "family": family, "dob": dob.isoformat()}))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_generated_phrasings_parse_exactly(seed: int) -> None:
    wrong = []
    for text, intent, slots in _cases(150, seed):
        q = understand(text)
        if q.intent != intent or any(q.slots.get(k) != v for k, v in slots.items()):
            wrong.append((text, q.intent, dict(q.slots)))
    assert not wrong, "\n".join(map(str, wrong))
