"""What the corpus says: radio queries from the query grammar, and general chatter.

Each :class:`Sample` has the words a voice speaks (``spoken``: digits and letters as words,
so every TTS engine says them the same way) and what the recogniser should write
(``target``: digits as numerals, spelling words as words, "double four" as "4 4"; dates as
"4th of March 1985"), in the style Whisper writes and the parser reads. ``template`` names
the phrasing, so phrasings can be kept apart for evaluation (:data:`HELDOUT_TEMPLATES`).

Content: call signs and unit ids; NATO (with Alfa/Juliett/Whisky), APCO and LAPD alphabets
and bare letters; "oh", "niner", "double"; plates and licences in the registry's formats
(:func:`lookup.seed.make_plate`, :func:`lookup.seed.make_licence`); names from Faker's
en_US, en_GB and ja_JP (romanised) locales; dates of birth in spoken orders; sign-offs; and
general English (ordinary sentences, so the model keeps writing English it was not
trained on: the LibriVox regression check).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from lookup.phrases import CANCEL, CONFIRM, REPEAT
from lookup.seed import make_licence, make_plate

NATO = ("Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet Kilo Lima Mike November "
        "Oscar Papa Quebec Romeo Sierra Tango Uniform Victor Whiskey X-ray Yankee Zulu").split()
NATO_VARIANTS = {"A": "Alfa", "J": "Juliett", "W": "Whisky"}
APCO = ("Adam Boy Charles David Edward Frank George Henry Ida John King Lincoln Mary Nora Ocean "
        "Paul Queen Robert Sam Tom Union Victor William X-ray Young Zebra").split()
LAPD = {**dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", APCO, strict=True)),
        "N": "Nancy", "Y": "Yellow", "Z": "Zebra"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGIT_WORDS = "zero one two three four five six seven eight nine".split()
MONTHS = ("January February March April May June July August September October November "
          "December").split()
REGIONS = ("CA", "NY", "TX", "GB")
REGION_NAMES = {"CA": "California", "NY": "New York", "TX": "Texas", "GB": "UK"}


@dataclass(frozen=True, slots=True)
class Sample:
    """One utterance of the corpus."""

    spoken: str
    target: str
    kind: str  # plate | licence | person | chatter | general | reply
    template: str
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Said:
    """Spoken and written forms, built side by side."""

    spoken: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def add(self, spoken: str, written: str | None = None) -> None:
        self.spoken.append(spoken)
        self.written.append(spoken if written is None else written)


def _alphabet(rng: random.Random) -> Callable[[str], str]:
    style = rng.choices(("nato", "apco", "lapd", "letters"), weights=(0.55, 0.18, 0.12, 0.15))[0]
    if style == "nato":
        variants = rng.random() < 0.2
        return lambda ch: (NATO_VARIANTS.get(ch) if variants else None) or NATO[LETTERS.index(ch)]
    if style == "apco":
        return lambda ch: APCO[LETTERS.index(ch)]
    if style == "lapd":
        return lambda ch: LAPD[ch]
    return lambda ch: ch


def say_value(value: str, rng: random.Random) -> tuple[str, str]:
    """``value`` spelled symbol by symbol: (spoken, target)."""
    letter = _alphabet(rng)
    zero = rng.choice(("zero", "oh", "zero"))
    nine = rng.choice(("nine", "niner"))
    doubles = rng.random() < 0.5
    said = _Said()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch.isdigit():
            word = {"0": zero, "9": nine}.get(ch, DIGIT_WORDS[int(ch)])
            if doubles and value[i:i + 3] == ch * 3 and value[i + 3:i + 4] != ch:
                said.add(f"triple {word}", f"{ch} {ch} {ch}")
                i += 3
                continue
            if doubles and value[i + 1:i + 2] == ch and value[i + 2:i + 3] != ch:
                said.add(f"double {word}", f"{ch} {ch}")
                i += 2
                continue
            said.add(word, ch)
        else:
            name = letter(ch)
            said.add(name if len(name) > 1 else ch, name)
        i += 1
    return " ".join(said.spoken), " ".join(said.written)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_date(dob: dt.date, rng: random.Random) -> tuple[str, str]:
    """A date of birth in a spoken order: (spoken, target). TTS engines say "4th" and "1985"
    as words themselves, so most forms are the same on both sides."""
    month = MONTHS[dob.month - 1]
    forms = [
        f"{_ordinal(dob.day)} of {month} {dob.year}",
        f"{month} {_ordinal(dob.day)} {dob.year}",
        f"the {_ordinal(dob.day)} of {month} {dob.year}",
        f"{month} {dob.day}, {dob.year}",
        f"{dob.day} {month} {dob.year}",
    ]
    spoken = written = rng.choice(forms)
    if dob.day > 12 and rng.random() < 0.25:
        yy = dob.year % 100
        written = f"{dob.day} {dob.month:02d} {yy:02d}"
        if rng.random() < 0.5:  # digit by digit
            spoken = " ".join(DIGIT_WORDS[int(d)] for d in f"{dob.day:02d}{dob.month:02d}{yy:02d}")
        else:  # as numbers: "twenty-eight oh two eighty-one"
            spoken = " ".join((number_words(dob.day), _two_digits(dob.month), _two_digits(yy)))
    return spoken, written


_TEENS = ("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(n: int) -> str:
    """0 to 99 in words ("twenty-eight")."""
    if n < 10:
        return DIGIT_WORDS[n]
    if n < 20:
        return _TEENS[n - 10]
    return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + DIGIT_WORDS[n % 10])


def _two_digits(n: int) -> str:
    """A month or a two-digit year as said in a numeric date ("oh two", "twelve", "eighty-one")."""
    return f"oh {DIGIT_WORDS[n]}" if n < 10 else number_words(n)


# Call signs and openings: (spoken, written). Numbers are said digit by digit.
def _call_sign(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(("Control", "Dispatch", "Base", "Control, control")), ""
    digits = "".join(str(rng.randrange(10)) for _ in range(rng.choice((2, 3, 4))))
    spoken = " ".join(DIGIT_WORDS[int(d)] for d in digits)
    if roll < 0.55:
        return f"Control, unit {spoken}", f"Control, unit {' '.join(digits)}"
    if roll < 0.75:
        return f"P C {spoken}", f"PC {' '.join(digits)}"
    call = rng.choice(NATO[:12])
    return f"{call} {spoken}", f"{call} {' '.join(digits)}"


SIGN_OFFS = ("over", "thanks", "thank you", "cheers", "please", "when you're ready", "standing by",
             "over and out", "ta", "received")

# Phrasings: {v} the spelled value, {r} a region name; {n} a name, {d} a date of birth.
PLATE_TEMPLATES = {
    "t-plate-run": "run plate {v}",
    "t-plate-check": "plate check on {v}",
    "t-plate-can": "can I get a plate check {v}",
    "t-plate-1028": "ten twenty-eight on {v}",
    "t-plate-reg": "registration check {v}",
    "t-plate-vehicle": "vehicle check, plate {v}",
    "t-plate-region": "run {r} plate {v}",
    "t-plate-tag": "check the tag {v}",
    "t-plate-vrm": "P N C check on index {v}",
    "t-plate-bare": "plate {v}",
}
LICENCE_TEMPLATES = {
    "t-lic-check": "driver's licence check {v}",
    "t-lic-run": "run licence number {v}",
    "t-lic-can": "can you check licence {v} for me",
    "t-lic-dl": "D L check on {v}",
    "t-lic-number": "licence number {v}",
    "t-lic-status": "status of driving licence {v}",
}
PERSON_TEMPLATES = {
    "t-per-check": "person check, {n}, date of birth {d}",
    "t-per-run": "can you run {n}, born {d}",
    "t-per-1029": "ten twenty-nine on {n}, D O B {d}",
    "t-per-wants": "wants and warrants on {n}, date of birth {d}",
    "t-per-pnc": "P N C check on {n}, {d}",
    "t-per-name": "name check {n}, D O B {d}",
}
# Phrasings held out of training for evaluation (training.evalset uses only these).
HELDOUT_TEMPLATES = {
    "h-plate-lookup": "look up plate {v}",
    "h-plate-need": "I need a plate run, {v}",
    "h-plate-owner": "who's the registered keeper of {v}",
    "h-lic-verify": "verify driver's licence {v}",
    "h-lic-validity": "licence check please, number {v}",
    "h-per-details": "checking a person, {n}, date of birth {d}",
    "h-per-subject": "subject is {n}, born {d}, any warrants",
}

CHATTER = (
    "ten four", "copy that", "show me en route", "on scene", "show me clear", "negative contact",
    "roger, standing by", "say again, you're breaking up", "ten nine, repeat", "cancel that",
    "confirm", "yes, that's correct", "no, that's wrong", "go ahead", "stand by one",
    "requesting backup at the junction", "traffic stop on the high street", "all units be advised",
    "suspect heading north on foot", "I'll be out of the car for a while",
)


def _name(rng: random.Random, names: dict[str, tuple[list[str], list[str]]]) -> tuple[str, str]:
    locale = rng.choices(list(names), weights=(0.45, 0.35, 0.2))[0]
    given, family = names[locale]
    return rng.choice(given), rng.choice(family)


def _wrap(rng: random.Random, body_spoken: str, body_written: str) -> tuple[str, str]:
    """Call sign before, sign-off after, each at random; capitalised and punctuated."""
    spoken, written = body_spoken, body_written
    if rng.random() < 0.6:
        call_spoken, call_written = _call_sign(rng)
        spoken = f"{call_spoken}, {spoken}"
        written = f"{call_written or call_spoken}, {written}"
    if rng.random() < 0.35:
        off = rng.choice(SIGN_OFFS)
        spoken, written = f"{spoken}, {off}", f"{written}, {off}"
    return spoken[0].upper() + spoken[1:] + ".", written[0].upper() + written[1:] + "."


def make_query(rng: random.Random, kind: str, names: dict[str, tuple[list[str], list[str]]],
               templates: dict[str, str] | None = None) -> Sample:
    """One query of ``kind`` (plate, licence or person) from ``templates`` (training's own
    by default)."""
    region = rng.choice(REGIONS)
    if kind == "plate":
        table = {k: v for k, v in (templates or PLATE_TEMPLATES).items() if "plate" in k}
        value = make_plate(rng, region)
        slots = {"plate": value}
    elif kind == "licence":
        table = {k: v for k, v in (templates or LICENCE_TEMPLATES).items() if "lic" in k}
        given, family = _name(rng, names)
        dob = dt.date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28))
        value = make_licence(rng, rng.choice(("CA", "NY", "TX")), family, given, dob)
        slots = {"licence": value}
    else:
        table = {k: v for k, v in (templates or PERSON_TEMPLATES).items() if "per" in k}
        given, family = _name(rng, names)
        dob = dt.date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28))
        d_spoken, d_written = say_date(dob, rng)
        name = f"{given} {family}"
        template_id = rng.choice(sorted(table))
        template = table[template_id]
        spoken, written = _wrap(rng, template.format(n=name, d=d_spoken),
                                template.format(n=name, d=d_written))
        return Sample(spoken, written, kind, template_id,
                      {"given": given, "family": family, "dob": dob.isoformat()})
    v_spoken, v_written = say_value(value, rng)
    template_id = rng.choice(sorted(table))
    template = table[template_id]
    r = REGION_NAMES[region]
    spoken, written = _wrap(rng, template.format(v=v_spoken, r=r), template.format(v=v_written, r=r))
    return Sample(spoken, written, kind, template_id, slots)


def make_chatter(rng: random.Random, general: list[str]) -> Sample:
    """Radio chatter or, more often, an ordinary English sentence."""
    if general and rng.random() < 0.6:
        text = rng.choice(general)
        return Sample(text, text, "general", "general")
    body = rng.choice(CHATTER)
    spoken, written = _wrap(rng, body, body)
    return Sample(spoken, written, "chatter", "chatter")


# The short replies the parser knows (confirm, cancel, repeat: lookup.phrases), said alone
# (with a call sign or a sign-off at random) in training. A recogniser trained on queries
# alone writes a whole query for a one-word "Affirmative"; these keep it to what was said.
# Digit forms ("10-4") are left to their words ("ten four").
REPLY_WORDS = tuple(sorted(p for p in CONFIRM | CANCEL | REPEAT if not any(c.isdigit() for c in p)))
ACKNOWLEDGEMENTS = ("roger", "copy", "received", "stand by", "standing by", "understood", "will do",
                    "wilco", "ten four", "negative contact", "thank you", "thanks control")


def make_reply(rng: random.Random) -> Sample:
    """One short reply: a confirm, cancel or repeat word, or an acknowledgement."""
    body = rng.choice(REPLY_WORDS) if rng.random() < 0.8 else rng.choice(ACKNOWLEDGEMENTS)
    spoken, written = _wrap(rng, body, body)
    return Sample(spoken, written, "reply", "reply")


def reply_pair(rng: random.Random) -> str:
    """Two replies of one intent in one transmission ("Negative, cancel that"): a phrasing
    training never uses, for the evaluation of replies only."""
    vocab = rng.choice((CONFIRM, CANCEL, REPEAT))
    words = sorted(p for p in vocab if not any(c.isdigit() for c in p))
    first, second = rng.sample(words, 2)
    return f"{first}, {second}"
