"""What the voice path hands to the query path: who asked, and what was heard.

``handle_utterance`` is the single hook every final transcript and typed query goes
through. The default does nothing; the router (lookup checks and skills) fills it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from service.protocol import ServerEvent
from voice.session import Refiner, Scorer


@dataclass(frozen=True, slots=True)
class QueryContext:
    """Who asked, from where, and which utterance of the session this is."""

    session: str
    utterance: int
    unit: str | None = None
    channel: str | None = None
    officer: str | None = None
    role: str | None = None
    source: Literal["voice", "typed", "http"] = "voice"


@dataclass(frozen=True, slots=True)
class Heard:
    """A final transcript (or typed text) with the recogniser's other readings.

    ``refine``, when set, computes more readings on demand (the constrained spelling pass,
    about as costly as the first pass): the router calls it only when the first reading
    does not resolve cleanly, so a clear plate costs one decode, not two. ``rescore``, when
    set, scores candidate readings against the audio (forced alignment, a few ms each).
    """

    text: str
    confidence: float = 1.0
    alternatives: tuple[str, ...] = field(default=())
    refine: Refiner | None = None
    rescore: Scorer | None = None


UtteranceHandler = Callable[[QueryContext, Heard], Awaitable[list[ServerEvent]]]


async def ignore_utterance(ctx: QueryContext, heard: Heard) -> list[ServerEvent]:
    """The default hook before a router is installed: no further events."""
    return []


EventSink = Callable[[QueryContext, ServerEvent], Awaitable[None]]


async def ignore_event(ctx: QueryContext, event: ServerEvent) -> None:
    """The default event sink: events go only to the client that caused them."""
