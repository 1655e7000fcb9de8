"""The typed surface of a voice session: the events it reports, its options, and the
protocols it is handed (second looks at the audio, turn-taking).

Kept apart from :mod:`voice.session` (the pipeline itself) so the websocket layer and tests
can name them without the machinery; :mod:`voice.session` re-exports every name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from common.errors import PatrolError
from voice.endpointer import EndpointerOptions
from voice.stt import Transcript


@dataclass(frozen=True, slots=True)
class SpeechBoundary:
    """The endpointer opened or closed utterance ``utterance``."""

    utterance: int
    state: str  # "start" | "end"


@dataclass(frozen=True, slots=True)
class PartialText:
    """Interim text of an utterance still being spoken."""

    utterance: int
    text: str


@dataclass(frozen=True, slots=True)
class FinalText:
    """The final transcript of an utterance (``typed`` for a typed query)."""

    utterance: int
    transcript: Transcript
    typed: bool = False
    latency_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Failure:
    """Something went wrong with one utterance; the session continues."""

    utterance: int | None
    error: PatrolError


VoiceEvent = SpeechBoundary | PartialText | FinalText | Failure
Emit = Callable[[VoiceEvent], Awaitable[None]]
# Computes more readings of an utterance on demand (the constrained spelling pass).
Refiner = Callable[[], Awaitable[tuple[str, ...]]]
# Scores candidate continuations of a prefix against the utterance's audio (log-likelihoods),
# with the domain prompt as context or (False: about half the cost) without.
Scorer = Callable[[str, tuple[str, ...], bool], Awaitable[list[float]]]


@dataclass(frozen=True, slots=True)
class Rereader:
    """Second looks at one utterance's audio, run in the inference pool only when asked for."""

    refine: Refiner
    score: Scorer


# Called for each non-empty final transcript, after it was emitted; may emit more events.
Refined = Callable[[int, Transcript, Rereader | None, bool], Awaitable[None]]



class TurnTaking(Protocol):
    """Which utterances only open a request, and which go on from one (:mod:`lookup.turns`)."""

    def opening(self, text: str) -> str | None:
        """What the text opened and waits for ("plate", "" for a bare call), or None."""
        ...

    def continues(self, awaited: str, text: str) -> bool:
        """True when the text goes on from an opening that waits for ``awaited``."""
        ...


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Per-session behaviour.

    Attributes:
        endpointer: endpointing options.
        partial_interval_s: new audio between two partial transcripts.
        max_pending: finished utterances waiting for recognition before new ones are refused.
        speculate_after_ms: silence after speech (PTT still held, or hang-over running) after
            which the final decode starts speculatively; if no speech follows before the
            utterance ends, its result is the transcript, so key-up costs almost nothing.
        join_window_s: an utterance that only opened a request ("Control, run plate", then a
            pause) is read together with the next one when that one follows within this many
            seconds and goes on from it (:meth:`TurnTaking.continues`: "seven X-ray Yankee Zulu
            four five six"); 0 turns joining off.
        max_opening_s: longer openings are never held for joining.
        frame_gap_ms: wall time with no frame after which the gap counts as silence (gateways
            with silence suppression simply stop sending); shorter gaps are jitter and count
            for nothing. 0 turns the watch off.
    """

    endpointer: EndpointerOptions = EndpointerOptions()
    partial_interval_s: float = 1.0
    max_pending: int = 8
    speculate_after_ms: int = 300
    join_window_s: float = 12.0
    max_opening_s: float = 6.0
    frame_gap_ms: int = 300

    @classmethod
    def from_settings(cls, section: Any) -> SessionOptions:
        """Options from any object with attributes of the same names (the service's audio
        settings): each field of these options and of :class:`EndpointerOptions` that the
        object has is taken from it, the rest keep their defaults here, so no default is
        written twice. ``vad_aggressiveness`` stands for the endpointer's ``aggressiveness``.
        """
        def taken(options: type[Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for f in dataclasses.fields(options):
                name = _SETTING_NAMES.get(f.name, f.name)
                if f.name != "endpointer" and hasattr(section, name):
                    out[f.name] = getattr(section, name)
            return out

        return cls(endpointer=EndpointerOptions(**taken(EndpointerOptions)), **taken(cls))


# Option fields whose setting has another name.
_SETTING_NAMES = {"aggressiveness": "vad_aggressiveness"}


