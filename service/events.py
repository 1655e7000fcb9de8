"""The live event feed: every session's events to every operator console (``WS /v1/events``).

Two buses with one interface. :class:`LocalBus` fans out inside the process (the embedded
default). :class:`RedisBus` publishes to a Redis pub/sub channel and one listener task per
replica fans what it hears out to that replica's consoles, so a console connected to any
replica sees the traffic of all of them; a replica's own events also come back through
Redis, which keeps the order the same everywhere.

Each console has a bounded queue; a console that cannot keep up loses the oldest events
(counted) rather than slowing radio sessions down. Feed messages carry personal data
(transcripts, results), so the feed is for the operator, supervisor and admin roles only,
and nothing here logs their content.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from service import metrics
from service.auth import Role, authenticate_websocket, console_subprotocol
from service.context import QueryContext
from service.protocol import ServerEvent
from service.revocation import watch_socket

logger = logging.getLogger(__name__)
router = APIRouter()

FEED_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
# Audio-level chatter that would flood the console without telling an operator anything.
_QUIET = frozenset({"speech", "partial"})


def feed_message(ctx: QueryContext, event: ServerEvent) -> dict[str, Any]:
    """The feed form of one session event: who and where, plus the event itself."""
    return {
        "at": datetime.now(UTC).isoformat(),
        "session": ctx.session,
        "utterance": ctx.utterance,
        "unit": ctx.unit,
        "channel": ctx.channel,
        "officer": ctx.officer,
        "source": ctx.source,
        "event": event.model_dump(mode="json", exclude_none=True),
    }


class EventBus(Protocol):
    """Publish feed messages; subscribe to all of them."""

    async def start(self) -> None:
        """Connect and start background work."""
        ...

    async def publish(self, message: dict[str, Any]) -> None:
        """Send one message to every subscriber (on every replica)."""
        ...

    def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        """Messages published from now on, until the consumer stops iterating."""
        ...

    async def close(self) -> None:
        """Stop background work and disconnect."""
        ...


class LocalBus:
    """In-process fan-out to bounded per-subscriber queues."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    async def start(self) -> None:
        """Nothing to connect."""

    async def publish(self, message: dict[str, Any]) -> None:
        """Deliver to every local subscriber."""
        self.deliver(message)

    def deliver(self, message: dict[str, Any]) -> None:
        """Put ``message`` on every subscriber queue, dropping the oldest when one is full."""
        metrics.count_event(str(message.get("event", {}).get("type", "other")))
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                metrics.count_error("feed_dropped")
            queue.put_nowait(message)

    @property
    def subscribers(self) -> int:
        """How many consoles are listening on this replica."""
        return len(self._subscribers)

    async def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        """Yield messages as they arrive."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self.queue_size)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)

    async def close(self) -> None:
        """Nothing to disconnect."""


class RedisBus(LocalBus):
    """Redis pub/sub across replicas, fanned out locally by one listener task."""

    def __init__(self, url: str, channel: str, queue_size: int = 1000) -> None:
        super().__init__(queue_size)
        self.url = url
        self.channel = channel
        self._redis: Any = None
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect and start listening on the channel."""
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.url, decode_responses=True)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.channel)
        self._task = asyncio.create_task(self._listen(), name="redis-events")
        logger.info("live events over Redis channel %s", self.channel)

    async def _listen(self) -> None:
        while True:
            try:
                async for raw in self._pubsub.listen():
                    if raw.get("type") != "message":
                        continue
                    try:
                        self.deliver(json.loads(raw["data"]))
                    except (TypeError, ValueError):
                        metrics.count_error("feed_bad_message")
            except asyncio.CancelledError:
                raise
            except Exception as err:  # connection loss: log, back off, resubscribe
                logger.warning("redis event listener lost its connection: %s", type(err).__name__)
                metrics.count_error("events_unavailable")
                await asyncio.sleep(1.0)
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(self.channel)

    async def publish(self, message: dict[str, Any]) -> None:
        """Publish to Redis; on failure the event still reaches this replica's consoles."""
        try:
            await self._redis.publish(self.channel, json.dumps(message, default=str))
        except Exception as err:
            logger.warning("redis publish failed: %s", type(err).__name__)
            metrics.count_error("events_unavailable")
            self.deliver(message)

    async def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def close(self) -> None:
        """Stop the listener and disconnect."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()


def make_bus(redis_url: str | None, *, channel: str, queue_size: int) -> LocalBus:
    """Redis when a URL is configured, else in-process."""
    if redis_url:
        return RedisBus(redis_url, channel, queue_size)
    return LocalBus(queue_size)


def event_sink(bus: EventBus) -> Any:
    """A ``Services.on_event`` sink that publishes session events to the feed."""

    async def on_event(ctx: QueryContext, event: ServerEvent) -> None:
        if event.type in _QUIET:
            return
        await bus.publish(feed_message(ctx, event))

    return on_event


@router.websocket("/v1/events")
async def events(websocket: WebSocket) -> None:
    """Live feed of transcripts, intents, results and errors from all sessions (operator)."""
    principal = await authenticate_websocket(websocket, FEED_ROLES)
    if principal is None:
        return
    bus: EventBus = websocket.app.state.services.core.bus
    await websocket.accept(subprotocol=console_subprotocol(websocket))
    logger.info("event feed opened: role=%s", principal.role)

    async def forward() -> None:
        async for message in bus.subscribe():
            await websocket.send_text(json.dumps(message, default=str))

    async def close(code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await websocket.close(code=code, reason=reason)

    unwatch = watch_socket(websocket.app.state.services.core, principal, session="events", kind="events",
                           close=close)
    sender = asyncio.create_task(forward())
    # Subscribers are registered synchronously at the first step of the generator; give it one turn.
    await asyncio.sleep(0)
    await websocket.send_text(json.dumps({"type": "subscribed"}))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except WebSocketDisconnect:
        pass
    finally:
        unwatch()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
