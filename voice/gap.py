"""Wall-clock frame-gap watch: a stream whose frames simply stop still ends its utterance.

Radio gateways with silence suppression (RTP DTX, squelch-gated analogue interfaces) stop
sending packets while the channel is quiet, so the endpointer, which only measures time in
the audio it is given, would wait for silence that never arrives. A :class:`FrameGapWatch`
belongs to one session: the session calls :meth:`FrameGapWatch.touch` for every frame, and
once no frame has come for ``gap_s`` the watch calls the session back with the gap so far,
then again every ``tick_s`` while the callback says an utterance is still open. Shorter
gaps (network jitter, bursty senders) are never reported, so they never cut a word.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

# Called with the wall-clock seconds since the last frame; returns True to be called again
# after another tick (an utterance is still open), False to wait for the next frame.
OnGap = Callable[[float], Awaitable[bool]]


class FrameGapWatch:
    """Reports wall-clock gaps between frames of one stream. Use from the event loop only."""

    def __init__(self, gap_s: float, on_gap: OnGap, *, tick_s: float = 0.03,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.gap_s = gap_s
        self.tick_s = tick_s
        self._on_gap = on_gap
        self._clock = clock
        self._last = clock()
        self._frame = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def touch(self) -> None:
        """A frame arrived now (starts the watch on first use)."""
        self._last = self._clock()
        self._frame.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="frame-gap-watch")

    async def close(self) -> None:
        """Stop watching (idempotent)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await self._frame.wait()
            self._frame.clear()
            while True:
                wait = self._last + self.gap_s - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                if not await self._on_gap(self._clock() - self._last):
                    break
                await asyncio.sleep(self.tick_s)
