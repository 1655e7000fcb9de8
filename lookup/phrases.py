"""The parser's fixed phrases: confirm, cancel and repeat words, check keywords with their
intents and weights, and the words that end a spelled plate or licence."""

from __future__ import annotations

import re

from common.vocabulary import ALPHABET_WORDS
from lookup.types import Intent
from lookup.vocab import COLOURS, MAKES_MODELS

CONFIRM = {
    "affirmative",
    "affirm",
    "confirm",
    "confirmed",
    "correct",
    "yes",
    "yeah",
    "yep",
    "roger",
    "copy",
    "copy that",
    "ten four",
    "10-4",
    "10 4",
    "that's correct",
    "that is correct",
    "go ahead",
    "confirm that",
}
CANCEL = {
    "cancel",
    "disregard",
    "negative",
    "never mind",
    "nevermind",
    "scratch that",
    "abort",
    "no",
    "cancel that",
    "cancel last",
    "cancel query",
    "stand down",
}
REPEAT = {
    "repeat",
    "say again",
    "come again",
    "repeat last",
    "repeat that",
    "again",
    "what was that",
    "say again last",
    "repeat your last",
    "repeat last transmission",
}
# Keyword -> (intent, weight). Longer phrases are tried first.
KEYWORDS: tuple[tuple[str, Intent, float], ...] = (
    ("licence plate", "plate_lookup", 1.0),
    ("license plate", "plate_lookup", 1.0),
    ("partial plate", "plate_lookup", 1.0),
    ("registration", "plate_lookup", 1.0),
    ("10-28", "plate_lookup", 0.9),
    ("10-29", "person_lookup", 0.8),
    # "Give me a twenty-eight on ...": the ten-code with its "ten" left off.
    ("a twenty-eight", "plate_lookup", 0.8),
    ("twenty-eight on", "plate_lookup", 0.8),
    ("a 28", "plate_lookup", 0.8),
    ("28 on", "plate_lookup", 0.8),
    ("a twenty-nine", "person_lookup", 0.8),
    ("twenty-nine on", "person_lookup", 0.8),
    ("a 29", "person_lookup", 0.8),
    ("29 on", "person_lookup", 0.7),
    ("plates", "plate_lookup", 1.0),
    ("plate", "plate_lookup", 1.0),
    ("tag", "plate_lookup", 0.9),
    ("rego", "plate_lookup", 0.9),
    ("reg", "plate_lookup", 0.9),
    ("vehicle", "plate_lookup", 0.8),
    ("driver's licence", "licence_lookup", 1.0),
    ("driver's license", "licence_lookup", 1.0),
    ("drivers licence", "licence_lookup", 1.0),
    ("drivers license", "licence_lookup", 1.0),
    ("licence number", "licence_lookup", 1.0),
    ("license number", "licence_lookup", 1.0),
    ("licence", "licence_lookup", 1.0),
    ("license", "licence_lookup", 1.0),
    ("dl", "licence_lookup", 0.9),
    ("d l", "licence_lookup", 0.9),
    ("permit", "licence_lookup", 0.8),
    ("date of birth", "person_lookup", 1.0),
    ("date on birth", "person_lookup", 0.9),
    ("birthday", "person_lookup", 0.8),
    ("dob", "person_lookup", 1.0),
    ("d o b", "person_lookup", 1.0),
    ("born", "person_lookup", 0.9),
    ("person", "person_lookup", 1.0),
    ("subject", "person_lookup", 0.9),
    ("wants and warrants", "person_lookup", 1.0),
    ("warrants", "person_lookup", 0.9),
    ("last name", "person_lookup", 1.0),
    ("surname", "person_lookup", 1.0),
    ("first name", "person_lookup", 1.0),
    ("name", "person_lookup", 0.8),
    ("individual", "person_lookup", 0.8),
)
SPAN_STOP = (
    frozenset(("over out thanks thank registered owner dob born date driver check and is can could would "
               "run it that this the copy plate tag registration vehicle").split())
    # Sign-offs officers use after the value ("..., cheers", "..., when you're ready").
    | frozenset("cheers please when you're youre ready standing received roger ta".split())
    | frozenset(COLOURS)
    | frozenset(m.lower() for m in MAKES_MODELS)
    # Model names ("Ford Focus"), but not those that are spelling words ("Golf").
    | frozenset(w for models in MAKES_MODELS.values() for m in models
                for w in re.findall(r"[a-z]{4,}", m.lower()) if w not in ALPHABET_WORDS and w != "model")
)
