"""What the router needs from the registry check chain (:class:`lookup.engine.LookupEngine`),
as a protocol typed with the lookup layer's own records, so a test can hand in a fake.

Every method is blocking: the router calls them in its bounded ``lookup`` executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lookup.rerank import PersonCandidate, SpokenCandidate
from lookup.types import CheckResult, Query


class LookupEngine(Protocol):
    """The check chain from :mod:`lookup` (blocking; called in a worker thread)."""

    def understand(self, text: str, *, alternatives: tuple[str, ...] = (),
                   asr_confidence: float = 1.0) -> Query:
        """Parse text into a query with ``intent``, ``slots`` and ``confidence``."""
        ...

    def check(self, query: Query) -> CheckResult:
        """Run a check; the result has status, alerts, candidates, readback and record_ids."""
        ...

    def spoken_candidates(self, query: Query, *, heard: str) -> list[SpokenCandidate]:
        """Candidate slot values with ``value``, ``spoken`` (as transcribed) and ``on_file``."""
        ...

    def rerank(self, query: Query, candidates: Sequence[SpokenCandidate], scores: Sequence[float], *,
               on_file_prior: float = 0.0) -> Query:
        """The query with the reading the audio supports best first and a confidence to match."""
        ...

    def person_candidates(
        self, query: Query, *, heard: str, limit: int = 40
    ) -> tuple[str, list[PersonCandidate], list[str]]:
        """Prefix, persons on file and continuations (the heard one last) to score a name by."""
        ...

    def rerank_person(self, query: Query, candidates: Sequence[PersonCandidate],
                      scores: Sequence[float]) -> Query:
        """The query naming the person on file the audio supports clearly, or unchanged."""
        ...

    def near_miss_candidates(self, query: Query, *, heard: str) -> list[SpokenCandidate]:
        """Heard plate readings and the plates on file one symbol away, as spoken; or none."""
        ...

    def rerank_near_miss(self, query: Query, candidates: Sequence[SpokenCandidate],
                         scores: Sequence[float]) -> Query:
        """The query naming the plate on file the audio clearly prefers, or unchanged."""
        ...

    def opening(self, text: str, query: Query | None = None) -> str | None:
        """What a bare opening ("Control, run plate") waits for; None for anything else."""
        ...
