"""Second looks at an utterance's audio, when its first reading does not settle the check.

A mixin of :class:`service.router.IntentRouter`: the on-demand spelling pass for a plate or
licence whose first reading is unclear, then (by the router's options) forced alignment to
choose among the n-best readings and the records they point at, among the plates on file one
symbol from an unmatched reading, or among the names on file for a person check. Registry
calls run in the router's bounded ``blocking`` executor; scoring runs in the inference pool
through the utterance's own :class:`~service.context.Heard` callbacks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from common.errors import PatrolError
from common.executor import BoundedExecutor
from lookup.rerank import SpokenCandidate
from lookup.types import Query
from service import metrics
from service.context import Heard
from service.lookup_protocol import LookupEngine
from service.protocol import IntentName
from voice.spelling_pass import spelled_prefix

logger = logging.getLogger(__name__)


class SecondLooks:
    """The second looks of :class:`~service.router.IntentRouter` (which sets these fields)."""

    lookup: LookupEngine | None
    blocking: BoundedExecutor
    clear_confidence: float
    rescore: bool
    on_file_prior: float
    names_limit: int
    near_miss_by_sound: bool

    async def _refine_if_unclear(self, heard: Heard, query: Query) -> Query:
        """Run the on-demand spelling pass unless the first reading of a plate or licence is
        confident and names exactly one record on file; then parse again with both readings."""
        assert heard.refine is not None and self.lookup is not None
        if str(query.intent) not in (IntentName.PLATE, IntentName.LICENCE):
            return query
        if float(query.confidence) >= self.clear_confidence:
            first = await self.blocking.run(self.lookup.check, query)
            top = list(first.candidates)[:2]
            if (str(first.status) in ("hit", "clear") and len(top) == 1
                    and str(top[0].get("why", "")).startswith("exact")):
                return query
        t0 = time.perf_counter()
        alternatives = await heard.refine()
        metrics.observe_stage("spelling_pass", time.perf_counter() - t0)
        if alternatives:
            query = await self.blocking.run(self.lookup.understand, heard.text,
                                            alternatives=tuple(heard.alternatives) + tuple(alternatives),
                                            asr_confidence=heard.confidence)
        spoken = " ".join((heard.text, *alternatives))
        if (self.rescore and heard.rescore is not None
                and str(query.intent) in (IntentName.PLATE, IntentName.LICENCE)):
            return await self._rescore(heard, query, spoken)
        if (self.near_miss_by_sound and heard.rescore is not None
                and str(query.intent) in (IntentName.PLATE, IntentName.LICENCE)):
            return await self._near_miss(heard, query, spoken)
        return query

    async def _rescore(self, heard: Heard, query: Query, spoken: str) -> Query:
        """Let the audio choose among the n-best readings and the registry records they point
        at: each candidate is scored by forced alignment after the words before the span."""
        assert self.lookup is not None
        lookup = self.lookup
        return await self._by_audio(
            heard, query, lambda: lookup.spoken_candidates(query, heard=spoken),
            lambda cands, scores: lookup.rerank(query, cands, scores, on_file_prior=self.on_file_prior),
            "readings")

    async def _near_miss(self, heard: Heard, query: Query, spoken: str) -> Query:
        """When no reading of a plate or licence is on file but records one symbol away are,
        score the readings and those records against the audio, and take one on file only when
        the audio clearly prefers it to every reading ("Queen Ida Boy" heard as "Queen 9 Boy")."""
        assert self.lookup is not None
        lookup = self.lookup
        return await self._by_audio(
            heard, query, lambda: lookup.near_miss_candidates(query, heard=spoken),
            lambda cands, scores: lookup.rerank_near_miss(query, cands, scores), "near misses")

    async def _by_audio(self, heard: Heard, query: Query, gather: Callable[[], list[SpokenCandidate]],
                        choose: Callable[[list[SpokenCandidate], list[float]], Query], what: str) -> Query:
        """Score the plate/licence candidates ``gather`` finds, each said after the words before
        the spelled run, and let ``choose`` decide; the query as parsed when there are fewer than
        two candidates or scoring fails (the candidates are still offered by the check)."""
        assert heard.rescore is not None
        prefix = spelled_prefix(heard.text)
        if prefix is None:
            return query
        t0 = time.perf_counter()
        candidates = await self.blocking.run(gather)
        if len(candidates) < 2:
            return query
        try:
            scores = await heard.rescore(prefix, tuple(c.spoken + "." for c in candidates), True)
        except PatrolError as err:
            logger.warning("scoring %s against the audio failed: %s", what, err)
            return query
        chosen = await self.blocking.run(choose, candidates, scores)
        metrics.observe_stage("rescore", time.perf_counter() - t0)
        return chosen

    async def _rescore_person(self, heard: Heard, query: Query) -> Query:
        """Unless the heard name and date already name one person exactly, score the names of
        the persons on file for the heard date of birth (or the name's sound) in place of the
        heard name, and take one only when the audio clearly prefers it."""
        assert heard.rescore is not None and self.lookup is not None
        t0 = time.perf_counter()
        prefix, candidates, texts = await self.blocking.run(self.lookup.person_candidates, query,
                                                            heard=heard.text, limit=self.names_limit)
        if not candidates:
            return query
        try:
            scores = await heard.rescore(prefix, tuple(texts), False)
        except PatrolError as err:  # the transcript still answers: check the name as heard
            logger.warning("scoring names against the audio failed: %s", err)
            return query
        chosen = await self.blocking.run(self.lookup.rerank_person, query, candidates, scores)
        metrics.observe_stage("rescore", time.perf_counter() - t0)
        return chosen
