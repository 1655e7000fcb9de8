"""The bounded executors of one service instance, created in the lifespan and closed there.

Every blocking call of the service runs in one of these :class:`~common.executor.BoundedExecutor`
objects, never in asyncio's unbounded default executor: ``inference`` (ASR, denoise,
alignment; the fair :class:`~voice.pool.InferencePool` schedules onto it), ``speller`` (the
spelling model's pass beside the recogniser's, one per inference worker), ``lookup``
(registry parses and checks, embeddings, database startup work), ``skills`` and ``tts``.
``GET /metrics`` exports each one's gauges (``patrol_pool_running``, ``_waiting``,
``_peak_running``, ``_workers``); :meth:`Pools.aclose` waits for running calls and joins
every thread, so a stopped service leaves no thread behind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from common.executor import BoundedExecutor
from service import metrics
from service.settings import Settings


@dataclass(frozen=True)
class Pools:
    """All bounded executors of one instance."""

    inference: BoundedExecutor
    speller: BoundedExecutor
    lookup: BoundedExecutor
    skills: BoundedExecutor
    tts: BoundedExecutor

    @classmethod
    def from_settings(cls, settings: Settings) -> Pools:
        """One executor per kind of blocking work, sized by the settings."""
        return cls(
            inference=BoundedExecutor("inference", settings.stt.workers),
            # Refines run inside the inference pool: at most one side decode per inference worker.
            speller=BoundedExecutor("speller", settings.stt.workers),
            lookup=BoundedExecutor("lookup", settings.registry.workers, max_queue=settings.registry.max_queue,
                                   busy_message="too many registry lookups are waiting; retry shortly"),
            skills=BoundedExecutor("skills", settings.skills.workers, max_queue=settings.skills.max_queue,
                                   busy_message="too many skill calls are running; retry shortly"),
            tts=BoundedExecutor("tts", settings.tts.workers, max_queue=settings.tts.max_queue),
        )

    def all(self) -> tuple[BoundedExecutor, ...]:
        """Every executor, in a fixed order."""
        return (self.inference, self.speller, self.lookup, self.skills, self.tts)

    def export(self) -> None:
        """Set each executor's gauges (called when ``/metrics`` is scraped)."""
        for pool in self.all():
            stats = pool.stats()
            metrics.set_pool(stats.name, workers=stats.workers, running=stats.running,
                             waiting=stats.waiting, peak=stats.peak)

    async def aclose(self) -> None:
        """Stop taking work, wait for what runs, and join every thread."""
        await asyncio.gather(*(pool.aclose() for pool in self.all()))
