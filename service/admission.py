"""Latency-aware admission for ``WS /v1/radio``: refuse before latency runs away.

The estimate is the wait a new utterance would meet: decode work queued in the inference
pool and utterances that ended but were not yet taken up by their session, in audio
seconds, divided by the pool's measured throughput (:meth:`InferencePool.estimate_wait_s`).

- A new session is refused with ``busy`` (close 1013) when the estimate passes the bound
  (``PATROL_STT__ADMIT_WAIT_S``, default 1.5 s), or when ``max_sessions`` are open.
- A session already open is told once, with an ``error`` event of code ``degraded``, when
  one of its utterances is queued while the estimate is past the bound, so its gateway can
  fall back to a human dispatcher. It is told again only after the estimate fell back
  below ``clear_ratio`` of the bound.
- While the estimate is past the bound the service sheds optional work (the constrained
  spelling and scoring passes), so admitted sessions still get their first-pass answer in
  time. No utterance is dropped for load.

The estimate, refusals and per-session queue depths are exported to ``/metrics``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from common.errors import OverloadedError, PatrolError
from service import metrics
from service.errors import DegradedError
from voice.pool import InferencePool

logger = logging.getLogger(__name__)

Notify = Callable[[PatrolError], Awaitable[None]]


@dataclass
class _Watched:
    backlog: Callable[[], float]  # audio seconds queued in the session, not yet in the pool
    notify: Notify
    degraded: bool = False


class Admission:
    """Admission and overload signalling over one inference pool. Event loop only."""

    def __init__(self, pool: InferencePool, *, bound_s: float, max_sessions: int,
                 clear_ratio: float = 0.6) -> None:
        self.pool = pool
        self.bound_s = bound_s
        self.max_sessions = max_sessions
        self.clear_ratio = clear_ratio
        self._sessions: dict[str, _Watched] = {}
        self.refused = 0
        self.degraded_sent = 0

    @property
    def open_sessions(self) -> int:
        """Sessions admitted and not yet closed."""
        return len(self._sessions)

    def estimate_s(self) -> float:
        """The wait, in seconds, a new utterance would meet now."""
        backlog = sum(w.backlog() for w in self._sessions.values())
        return self.pool.estimate_wait_s(backlog)

    @property
    def shedding(self) -> bool:
        """True while optional work should be skipped to hold latency."""
        return self.bound_s > 0 and self.estimate_s() > self.bound_s

    def admit(self) -> OverloadedError | None:
        """None to admit a new session, or the ``busy`` error to refuse it with."""
        if self.open_sessions >= self.max_sessions:
            reason = "sessions"
        elif self.pool.overloaded or (self.bound_s > 0 and self.estimate_s() > self.bound_s):
            reason = "latency"
        else:
            return None
        self.refused += 1
        metrics.count_refusal(reason)
        logger.info("session refused (%s): estimate %.2f s, %d open", reason, self.estimate_s(),
                    self.open_sessions)
        return OverloadedError("the service is at capacity; retry shortly")

    def register(self, key: str, backlog: Callable[[], float], notify: Notify) -> None:
        """Watch an admitted session."""
        self._sessions[key] = _Watched(backlog, notify)

    def unregister(self, key: str) -> None:
        """The session closed."""
        self._sessions.pop(key, None)
        metrics.forget_session_queue(key)

    async def queued(self, key: str) -> None:
        """One of ``key``'s utterances was queued: tell it once when the wait passes the bound."""
        watched = self._sessions.get(key)
        if watched is None or self.bound_s <= 0:
            return
        estimate = self.estimate_s()
        if estimate > self.bound_s and not watched.degraded:
            watched.degraded = True
            self.degraded_sent += 1
            metrics.count_degraded()
            await watched.notify(DegradedError(
                f"the service is overloaded: answers may take over {self.bound_s:g} s and come from "
                "the first recognition pass only"))
        elif estimate < self.bound_s * self.clear_ratio:
            watched.degraded = False

    def export(self) -> None:
        """Push the estimate and per-session queue depths to the metrics registry."""
        metrics.set_wait_estimate(self.estimate_s())
        lanes = self.pool.lane_depths()
        for key, watched in self._sessions.items():
            metrics.set_session_queue(key, lanes.get(key, 0), watched.backlog())
