"""Turn-taking on the radio: an opening that waits for its request, and a request that stands alone.

Officers pause. "Control, run plate ..." then, a second later, "seven X-ray Yankee Zulu four
five six"; or "Control." and only after the dispatcher's "go ahead" the check itself. Without
push-to-talk the endpointer closes an utterance after a short silence, so one request can
arrive as two utterances. :func:`opening` tells the voice session that an utterance only
opened a request (a call sign, or a check keyword with nothing to check yet), so that the next
utterance is read together with it; :func:`continues` tells it whether the next utterance
goes on from that opening: not when it is a request of its own (:func:`stands_alone`: it has
its own keyword, or is a confirm, cancel or repeat), nor when it is plainly another kind of
check than the one opened (a name with a date after "run plate", a spelled run after "person
check"), which a lost first request would otherwise drag into the wrong check. Pure
functions over text: the session holds the audio, the router says "go ahead".
"""

from __future__ import annotations

import re

from common.intents import CHECK_INTENTS
from lookup.normalise import CALLSIGN, MAX_CHARS, clean_text, normalise_codes
from lookup.parser import understand
from lookup.phrases import find_keyword, short_intent
from lookup.types import Query

# Words of a bare call ("Control, this is unit fourteen, over"): nothing asked yet.
_CALL_WORDS = frozenset(
    "this is unit car patrol mobile from to over go ahead receiving copy hello hi".split()
)
_NUMBER_WORDS = frozenset(
    "zero oh one two three four five six seven eight nine niner ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred".split()
)
_OPENING_REASONS = frozenset({"no_reading", "no_name"})
_AWAITED = {"plate_lookup": "plate", "licence_lookup": "licence", "person_lookup": "name and date of birth"}


def opening(text: str, query: Query | None = None) -> str | None:
    """What ``text`` opened and still waits for, or None when it is not a bare opening.

    ``"plate"``, ``"licence"`` or ``"name and date of birth"`` for a check keyword with nothing
    to check ("Control, run plate", "Person check"); ``""`` for a bare call ("Control.",
    "Control, unit fourteen"). A request that already carries a value, a confirm or cancel,
    and any other text give None. ``query``: the text already parsed (the router has it).
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHARS:
        return None
    query = query if query is not None else understand(text)
    if query.intent in CHECK_INTENTS:
        if query.reason in _OPENING_REASONS and not query.slots:
            return _AWAITED[query.intent]
        return None
    if query.intent != "unknown" or not CALLSIGN.match(clean_text(text)):
        return None
    rest = re.findall(r"[a-z]+|\d+", CALLSIGN.sub("", clean_text(text)).lower())
    if len(rest) <= 6 and all(w in _CALL_WORDS or w in _NUMBER_WORDS or w.isdigit() for w in rest):
        return ""
    return None


def stands_alone(text: str) -> bool:
    """True when ``text`` is a request of its own: it says which check it is (a keyword such as
    "plate", "licence", "person check", "ten twenty-eight") or is a confirm, cancel or repeat.
    A bare spelled run, a name with a date, or a call sign does not."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHARS:
        return False
    lower = normalise_codes(clean_text(text)).lower()
    return short_intent(lower, 1.0) is not None or find_keyword(lower) is not None


def continues(awaited: str, text: str) -> bool:
    """Whether ``text`` goes on from an opening that waits for ``awaited`` (see :func:`opening`):
    it has no keyword of its own, and it is not plainly another kind of check than the one
    opened ("Hiroshi Sato, fourth of March 1985" after "run plate"; "seven X-ray Yankee Zulu"
    after "person check"). After a bare call (``""``) anything without a keyword goes on."""
    if stands_alone(text):
        return False
    if not awaited:
        return True
    alone = understand(text).intent
    if awaited in ("plate", "licence"):
        return alone != "person_lookup"
    return alone not in ("plate_lookup", "licence_lookup")


class RadioTurns:
    """:func:`opening` and :func:`continues` as the voice session's ``TurnTaking``."""

    def opening(self, text: str) -> str | None:
        """See :func:`opening`."""
        return opening(text)

    def continues(self, awaited: str, text: str) -> bool:
        """See :func:`continues`."""
        return continues(awaited, text)
