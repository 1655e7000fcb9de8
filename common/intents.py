"""The intents an utterance can carry: one enum for the parser, the router and the wire.

``service.protocol`` re-exports :class:`IntentName` as the ``name`` of the wire ``intent``
event, so the values here are protocol v1's contract. Members are ``str``, so they compare
and serialise as their values ("plate_lookup").
"""

from __future__ import annotations

from enum import StrEnum


class IntentName(StrEnum):
    """Intent names allowed on the wire."""

    PLATE = "plate_lookup"
    PERSON = "person_lookup"
    LICENCE = "licence_lookup"
    SKILL = "skill"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    REPEAT = "repeat"
    UNKNOWN = "unknown"


# The registry checks: the intents the check chain answers.
CHECK_INTENTS: frozenset[IntentName] = frozenset({IntentName.PLATE, IntentName.PERSON, IntentName.LICENCE})
