"""A bounded worker pool for blocking inference (ASR, denoise), shared by all sessions.

Work is served first come, first served, so concurrent sessions share the cores
fairly. Final transcripts always queue; partial transcripts run only when that still
leaves a worker free, so a final never waits behind partials. ``overloaded`` tells the websocket layer to
refuse new sessions with ``busy`` instead of letting latency grow without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class InferencePool:
    """Thread pool with in-flight accounting. Use only from the event loop thread."""

    def __init__(self, workers: int, max_queue: int) -> None:
        self.workers = workers
        self.max_queue = max_queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inference")
        self._inflight = 0

    @property
    def depth(self) -> int:
        """Jobs running or waiting."""
        return self._inflight

    @property
    def idle(self) -> bool:
        """True when a worker is free right now."""
        return self._inflight < self.workers

    @property
    def spare(self) -> bool:
        """True when work can start and still leave a worker free for a final transcript."""
        return self._inflight < max(1, self.workers - 1)

    @property
    def overloaded(self) -> bool:
        """True when the queue is past its bound; new sessions should be refused."""
        return self._inflight >= self.workers + self.max_queue

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` in a worker and await its result."""
        loop = asyncio.get_running_loop()
        self._inflight += 1
        try:
            return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))
        finally:
            self._inflight -= 1

    async def run_if_spare(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run ``fn`` only if that still leaves a worker for finals; ``None`` when skipped."""
        if not self.spare:
            return None
        return await self.run(fn, *args, **kwargs)

    def shutdown(self) -> None:
        """Stop accepting work; running jobs finish."""
        self._executor.shutdown(wait=False, cancel_futures=True)
