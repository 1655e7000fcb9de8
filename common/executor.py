"""The one bounded thread pool every blocking stage runs in.

Inference, the spelling model's side pass, registry lookups and embeddings, skills and
speech synthesis each get a :class:`BoundedExecutor`, created in the service's lifespan and
closed there. At most ``workers`` calls run at once (one thread each) and at most
``max_queue`` more wait; past that a call is refused with ``busy`` at once instead of
queueing without bound.

A slot is counted back when the thread finishes, never when a waiter gives up: cancelling
an ``await`` cannot stop a thread that is already decoding, so a cancelled job that has
started keeps its slot until it really ends (a job still waiting is dropped and frees its
slot at once). ``running`` is counted inside the worker thread, around the call itself,
and ``peak`` remembers its highest value, so the gauges show what the cores really did.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from common.errors import OverloadedError

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExecutorStats:
    """A snapshot of one executor: what runs, what waits, and the most that ever ran at once."""

    name: str
    workers: int
    running: int
    waiting: int
    peak: int


class BoundedExecutor:
    """A thread pool with a bound on waiting work and honest slot accounting (thread-safe)."""

    def __init__(self, name: str, workers: int, *, max_queue: int = 0,
                 busy_message: str | None = None) -> None:
        if workers < 1:
            raise ValueError("an executor needs at least one worker")
        self.name = name
        self.workers = workers
        self.max_queue = max(0, max_queue)
        self.busy_message = busy_message or f"the {name} pool is at capacity; retry shortly"
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._admitted: set[Future[Any]] = set()
        self._running = 0
        self._peak = 0
        self._closed = False

    # --- state ------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        """Calls that may be running or waiting at once."""
        return self.workers + self.max_queue

    @property
    def depth(self) -> int:
        """Calls running or waiting (a started call counts until its thread returns)."""
        with self._lock:
            return len(self._admitted)

    @property
    def running(self) -> int:
        """Calls whose thread is executing them right now."""
        with self._lock:
            return self._running

    @property
    def peak(self) -> int:
        """The most calls that ever ran at once in this executor (never above ``workers``)."""
        with self._lock:
            return self._peak

    @property
    def closed(self) -> bool:
        """True once :meth:`shutdown` or :meth:`aclose` was called."""
        return self._closed

    def stats(self) -> ExecutorStats:
        """A consistent snapshot of the gauges."""
        with self._lock:
            depth, running = len(self._admitted), self._running
            return ExecutorStats(self.name, self.workers, running, depth - running, self._peak)

    # --- submitting -------------------------------------------------------------------

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn`` and return its future; raises ``busy`` past the bound or once closed.

        Safe from any thread (a worker of another executor may hand work on). Cancelling
        the future drops a call that has not started; one that has started runs to its end
        and holds its slot until then.
        """
        call = functools.partial(fn, *args, **kwargs)
        with self._lock:
            if self._closed:
                raise OverloadedError(f"the {self.name} pool is shutting down")
            if len(self._admitted) >= self.capacity:
                raise OverloadedError(self.busy_message)
            future: Future[T] = self._threads.submit(self._call, call)
            self._admitted.add(future)
        future.add_done_callback(self._release)
        return future

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` in a worker and await its result (cancellable; see :meth:`submit`)."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def _call(self, call: Callable[[], T]) -> T:
        with self._lock:
            self._running += 1
            self._peak = max(self._peak, self._running)
        try:
            return call()
        finally:
            with self._lock:
                self._running -= 1

    def _release(self, future: Future[Any]) -> None:
        # Runs in the worker thread once the call returned (or at once for a cancelled
        # call that never started): the only place a slot is given back.
        with self._lock:
            self._admitted.discard(future)

    # --- closing ----------------------------------------------------------------------

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking work, drop what waits, and (``wait``) join the threads after the
        running calls end. Blocking when ``wait``: from async code use :meth:`aclose`."""
        with self._lock:
            self._closed = True
        self._threads.shutdown(wait=wait, cancel_futures=True)

    async def aclose(self) -> None:
        """:meth:`shutdown` without blocking the event loop: waiting calls are dropped, the
        running ones are awaited, then the idle threads are joined (which is immediate)."""
        with self._lock:
            self._closed = True
            pending = list(self._admitted)
        for future in pending:
            future.cancel()  # only those not started; the rest run to their end
        running = [asyncio.wrap_future(f) for f in pending if not f.cancelled()]
        # Their outcome belongs to their own callers; here only their end matters.
        await asyncio.gather(*running, return_exceptions=True)
        self._threads.shutdown(wait=True, cancel_futures=True)


def submit_or_run(executor: BoundedExecutor | None, fn: Callable[[], T]) -> Future[T]:
    """``fn`` submitted to ``executor``, or, without one (or when it is full), already run
    in the calling thread: a future either way, so a caller can start side work and collect
    it after its own."""
    if executor is not None:
        try:
            return executor.submit(fn)
        except OverloadedError:
            pass
    done: Future[T] = concurrent.futures.Future()
    try:
        done.set_result(fn())
    except BaseException as err:  # handed to whoever reads the future, as submit would
        done.set_exception(err)
    return done
