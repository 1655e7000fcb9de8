"""A bounded, fair worker pool for blocking inference (ASR, denoise), shared by all sessions.

Each session submits through its own :class:`PoolLane`; waiting jobs are served round-robin
across lanes, one job per lane per turn, so one chatty channel cannot starve the others,
and each lane holds at most ``max_per_lane`` waiting jobs. Final transcripts always queue;
partial transcripts run only when that still leaves a worker free, so a final never waits
behind partials.

The pool also estimates the wait a new utterance would meet: the decode work queued and
running, in audio seconds, divided by the measured throughput (audio seconds decoded per
second of wall time over all workers, learned per kind of job from the jobs that finished).
The service refuses new sessions with ``busy`` when that estimate passes its bound.

A worker slot is given back when the work ends, not when its waiter gives up: a cancelled
``await`` does not stop a thread that is already decoding. The threads belong to a
:class:`~common.executor.BoundedExecutor` (the service creates it in its lifespan), whose
gauges count the decodes really running.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import numpy as np

from common.errors import OverloadedError
from common.executor import BoundedExecutor

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_RATE = 16_000  # internal sample rate: a 1-D float array's length / this is its audio seconds
_MIN_AUDIO_S = 0.5  # short or audio-less jobs still cost a model call
_PRIOR_RTF = 0.25  # seconds per audio second until a kind of job has been measured
_EWMA = 0.2
SHARED_LANE = "_shared"


def _audio_seconds(args: tuple[Any, ...]) -> float:
    """Audio seconds of a job: its first 1-D array argument at the internal rate."""
    for arg in args:
        if isinstance(arg, np.ndarray) and arg.ndim == 1:
            return len(arg) / _RATE
    return 0.0


@dataclass(eq=False)
class _Job:
    call: Callable[[], Any]
    lane: str
    kind: str
    audio_s: float
    future: asyncio.Future[Any]
    started: float = 0.0
    predicted_s: float = 0.0
    queued_at: float = field(default_factory=time.perf_counter)


class InferencePool:
    """Thread pool with fair lanes and wait estimation. Use only from the event loop thread."""

    def __init__(self, workers: int, max_queue: int, *, max_per_lane: int = 16,
                 executor: BoundedExecutor | None = None) -> None:
        """``executor`` runs the jobs (its ``workers`` wins over ``workers``); without one the
        pool makes its own, closed by :meth:`shutdown`."""
        self.executor = executor or BoundedExecutor("inference", workers)
        self.workers = self.executor.workers
        self.max_queue = max_queue
        self.max_per_lane = max_per_lane
        self._lanes: dict[str, collections.deque[_Job]] = {}
        self._turns: collections.deque[str] = collections.deque()  # lanes with waiting jobs
        self._running: set[_Job] = set()
        self._rtf: dict[str, float] = {}
        self._closed = False

    # --- state ------------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """Jobs running or waiting."""
        return len(self._running) + sum(len(q) for q in self._lanes.values())

    @property
    def idle(self) -> bool:
        """True when a worker is free right now."""
        return self.depth < self.workers

    @property
    def spare(self) -> bool:
        """True when work can start and still leave a worker free for a final transcript."""
        return self.depth < max(1, self.workers - 1)

    @property
    def overloaded(self) -> bool:
        """True when the queue is past its bound; new sessions should be refused."""
        return self.depth >= self.workers + self.max_queue

    def lane_depths(self) -> dict[str, int]:
        """Jobs waiting or running per lane (lanes with none are left out)."""
        depths: dict[str, int] = {k: len(q) for k, q in self._lanes.items() if q}
        for job in self._running:
            depths[job.lane] = depths.get(job.lane, 0) + 1
        return depths

    def rtf(self, kind: str = "transcribe") -> float:
        """Measured seconds of one worker per audio second for a kind of job."""
        return self._rtf.get(kind, self._rtf.get("transcribe", _PRIOR_RTF))

    def throughput(self, kind: str = "transcribe") -> float:
        """Audio seconds of ``kind`` the whole pool decodes per second of wall time."""
        return self.workers / max(self.rtf(kind), 1e-3)

    def queued_audio_s(self) -> float:
        """Audio seconds of the work waiting, plus what is left of the work running."""
        now = time.perf_counter()
        waiting = sum(max(j.audio_s, _MIN_AUDIO_S) for q in self._lanes.values() for j in q)
        running = 0.0
        for j in self._running:
            left = max(0.0, j.predicted_s - (now - j.started)) / max(j.predicted_s, 1e-6)
            running += left * max(j.audio_s, _MIN_AUDIO_S)
        return waiting + running

    def estimate_wait_s(self, extra_audio_s: float = 0.0) -> float:
        """The wait a new utterance would meet: queued work (plus ``extra_audio_s`` not yet
        submitted) in audio seconds over the measured throughput. Zero while a worker is free
        and nothing else is waiting."""
        if self.idle and extra_audio_s <= 0:
            return 0.0
        return (self.queued_audio_s() + extra_audio_s) / self.throughput()

    # --- submitting -------------------------------------------------------------------

    def lane(self, key: str) -> PoolLane:
        """The submission handle of one session (round-robin peer of the others)."""
        return PoolLane(self, key)

    def release(self, key: str) -> None:
        """Forget an idle lane (its session closed); running jobs finish on their own."""
        queue = self._lanes.get(key)
        if queue is not None and not queue:
            del self._lanes[key]

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` in a worker on the shared lane and await its result."""
        return await self.submit(SHARED_LANE, fn, *args, **kwargs)

    async def run_if_spare(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run ``fn`` only if that still leaves a worker for finals; ``None`` when skipped."""
        if not self.spare:
            return None
        return await self.run(fn, *args, **kwargs)

    async def submit(self, lane: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Queue ``fn`` on ``lane`` and await its result (raises ``busy`` past the lane bound)."""
        if self._closed:
            raise OverloadedError("the inference pool is shutting down")
        queue = self._lanes.setdefault(lane, collections.deque())
        if len(queue) >= self.max_per_lane:
            raise OverloadedError("this channel has too much audio waiting; retry shortly")
        name = getattr(fn, "__name__", "job")
        kind = f"{name}_partial" if kwargs.get("partial") else name
        loop = asyncio.get_running_loop()
        job = _Job(functools.partial(fn, *args, **kwargs), lane, kind, _audio_seconds(args),
                   loop.create_future())
        if not queue:
            self._turns.append(lane)
        queue.append(job)
        self._dispatch()
        result: T = await job.future
        return result

    # --- internals --------------------------------------------------------------------

    def _dispatch(self) -> None:
        while len(self._running) < self.workers and self._turns:
            lane = self._turns.popleft()
            queue = self._lanes.get(lane)
            if not queue:
                continue
            job = queue.popleft()
            if queue:
                self._turns.append(lane)  # one job per lane per turn
            if job.future.cancelled():
                continue  # its waiter gave up before it started: nothing to run
            self._start(job)

    def _start(self, job: _Job) -> None:
        loop = asyncio.get_running_loop()
        job.started = time.perf_counter()
        job.predicted_s = self.rtf(job.kind) * max(job.audio_s, _MIN_AUDIO_S)
        self._running.add(job)
        # The executor's own slot is given back before _finished runs (its callback comes first).
        done: Future[Any] = self.executor.submit(job.call)
        done.add_done_callback(lambda f: loop.call_soon_threadsafe(self._finished, job, f))

    def _finished(self, job: _Job, done: Future[Any]) -> None:
        self._running.discard(job)
        elapsed = time.perf_counter() - job.started
        sample = elapsed / max(job.audio_s, _MIN_AUDIO_S)
        previous = self._rtf.get(job.kind)
        self._rtf[job.kind] = sample if previous is None else previous + _EWMA * (sample - previous)
        if not job.future.done():
            if done.cancelled():
                job.future.cancel()
            elif (err := done.exception()) is not None:
                job.future.set_exception(err)
            else:
                job.future.set_result(done.result())
        if not self._closed:
            self._dispatch()

    def shutdown(self) -> None:
        """Stop accepting work; running jobs finish, waiting ones are cancelled."""
        self._closed = True
        for queue in self._lanes.values():
            for job in queue:
                job.future.cancel()
            queue.clear()
        self.executor.shutdown(wait=False)

    async def aclose(self) -> None:
        """:meth:`shutdown`, then wait for the running jobs and join the threads."""
        self.shutdown()
        await self.executor.aclose()


class PoolLane:
    """One session's handle on the pool: the same calls, queued on the session's own lane."""

    def __init__(self, pool: InferencePool, key: str) -> None:
        self.pool = pool
        self.key = key

    @property
    def idle(self) -> bool:
        """True when a worker of the shared pool is free right now."""
        return self.pool.idle

    @property
    def spare(self) -> bool:
        """True when work can start and still leave a worker free for a final transcript."""
        return self.pool.spare

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` in a worker, queued on this lane."""
        return await self.pool.submit(self.key, fn, *args, **kwargs)

    async def run_if_spare(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run ``fn`` only if that still leaves a worker for finals; ``None`` when skipped."""
        if not self.pool.spare:
            return None
        return await self.run(fn, *args, **kwargs)

    def close(self) -> None:
        """The session is gone: drop the lane once it is empty."""
        self.pool.release(self.key)
