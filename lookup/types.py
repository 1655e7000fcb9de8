"""Typed values passed between the parser, the matcher and the check chain.

``Query`` is what an utterance means; ``CheckResult`` is the answer in the shape of the
wire ``result`` event. Both convert to plain dicts only at the edge (``to_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from common.intents import CHECK_INTENTS, IntentName
from lookup.spoken import Reading

# What a query asks for: the one intent enum the router and the wire use too.
Intent = IntentName
Status = Literal["hit", "clear", "no_match", "clarify"]


@dataclass(frozen=True, slots=True)
class Query:
    """One understood utterance.

    ``slots`` holds canonical values (``plate``/``licence`` upper alnum, ``given``,
    ``family``, ``dob`` as YYYY-MM-DD, optional ``region``, ``partial`` and ``match``
    for wildcard plates). ``readings`` is the n-best list for the alphanumeric slot, and
    ``dob_readings`` the alternative dates. ``confidence`` is in 0..1.
    """

    intent: Intent
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    readings: tuple[Reading, ...] = ()
    dob_readings: tuple[str, ...] = ()
    reason: str | None = None
    asr_confidence: float = 1.0
    # The name as transcribed, when the audio chose a name on file in its place.
    heard_name: str | None = None
    # (given, family, dob) of the person on file the audio leans to without a clear margin:
    # offered first when the check asks which person.
    suggested: tuple[str, str, str] | None = None
    # The plate or licence as transcribed, when the audio chose one on file a symbol away instead.
    heard_value: str | None = None
    # The alphabet the officer spelled in ("nato", "apco" or "letters"): the readback uses it.
    spelling: str = "nato"

    @property
    def spoken_name(self) -> str:
        """The given and family name slots as one name ("" when neither was heard)."""
        return " ".join(str(self.slots[k]) for k in ("given", "family") if self.slots.get(k))

    @property
    def is_check(self) -> bool:
        """True for the three registry checks."""
        return self.intent in CHECK_INTENTS

    def to_dict(self) -> dict[str, Any]:
        """Wire-friendly form (``intent`` event fields plus the n-best readings)."""
        return {
            "name": self.intent,
            "slots": dict(self.slots),
            "confidence": round(self.confidence, 3),
            "readings": [{"text": r.text, "score": round(r.score, 3)} for r in self.readings[:5]],
        }


@dataclass(slots=True)
class CheckResult:
    """The answer to a check, as sent in the ``result`` event (plus record ids for audit)."""

    status: Status
    alerts: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    readback: str = ""
    record_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``result`` event fields (without ``type`` and ``utterance``)."""
        return {
            "status": self.status,
            "alerts": self.alerts,
            "candidates": self.candidates,
            "readback": self.readback,
        }
