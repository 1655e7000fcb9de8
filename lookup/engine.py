"""The lookup API the intent router calls: understand an utterance, run the check, close.

Everything here is synchronous and meant for a worker thread::

    engine = LookupEngine.from_url("sqlite:///var/patrol.sqlite3")
    query = engine.understand("run plate seven x-ray yankee zulu 456", alternatives=["7XYZ456"])
    result = engine.check(query)   # CheckResult(status, alerts, candidates, readback, record_ids)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine

from common.errors import PatrolError
from lookup.chain import ChainOptions, CheckChain
from lookup.db import make_engine
from lookup.errors import IntentError, RegistryError
from lookup.parser import ParseOptions
from lookup.parser import understand as parse
from lookup.readback import clarify_readback
from lookup.render import render_spelled, spelling_style, with_doubles
from lookup.rerank import (
    PersonCandidate,
    SpokenCandidate,
    by_audio,
    name_contexts,
    near_miss_by_audio,
    person_by_audio,
    with_decoys,
)
from lookup.spoken import canonical_alnum
from lookup.store import RegistryStore, SqlRegistryStore
from lookup.turns import opening
from lookup.types import CheckResult, Query

logger = logging.getLogger(__name__)

__all__ = ["CheckResult", "LookupEngine", "PersonCandidate", "Query", "SpokenCandidate"]


class LookupEngine:
    """Spoken-query understanding plus registry checks over one registry store."""

    def __init__(
        self,
        store: RegistryStore,
        *,
        parse_options: ParseOptions | None = None,
        chain_options: ChainOptions | None = None,
    ) -> None:
        self.store = store
        self.parse_options = parse_options or ParseOptions()
        self.chain = CheckChain(store, chain_options)

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> LookupEngine:
        """An engine over the registry at ``url`` (migrated already: :mod:`lookup.migrate`),
        on connections of its own that only read (:func:`lookup.db.make_engine`)."""
        return cls.from_engine(make_engine(url, echo=echo, read_only=True))

    @classmethod
    def from_engine(cls, engine: Engine) -> LookupEngine:
        """An engine over an existing SQLAlchemy engine (shared with the service's own tables)."""
        return cls(SqlRegistryStore(engine))

    def understand(
        self, text: str, *, alternatives: Sequence[str] = (), asr_confidence: float = 1.0
    ) -> Query:
        """Parse an utterance (and the recogniser's other readings of it) into a typed Query."""
        try:
            alts = [a for a in alternatives if isinstance(a, str)][:8]
            return parse(text, alternatives=alts, asr_confidence=asr_confidence, options=self.parse_options)
        except (ValueError, TypeError, RecursionError, OverflowError) as err:
            # A parser bug must not take the session down; say it as a bad query.
            logger.warning("parser failed on an utterance: %s", type(err).__name__)
            raise IntentError("query could not be understood") from err

    def spoken_candidates(
        self, query: Query, *, heard: str, readings: int = 6, on_file: int = 6
    ) -> list[SpokenCandidate]:
        """Candidate values for a plate/licence query, written as the officer spoke them.

        The parser's n-best readings and the registry records the check would offer for
        them (confusables, near misses), each rendered in the spelling style ``heard`` used,
        for scoring against the audio. Empty for other intents and for partial plates.
        """
        if query.intent not in ("plate_lookup", "licence_lookup") or query.slots.get("partial"):
            return []
        offered = list(self.check(query).candidates[:on_file]) if on_file else []
        values = _values(query, readings, offered)
        style = spelling_style(heard)
        return [SpokenCandidate(v, render_spelled(v, style), known) for v, known in values.items()]

    def near_miss_candidates(
        self, query: Query, *, heard: str, readings: int = 3, on_file: int = 6
    ) -> list[SpokenCandidate]:
        """For a plate or licence none of whose readings is on file: the top readings and the
        records on file one symbol from them (the check's near-miss offers), written as the
        officer spoke them, to let the audio choose (:meth:`rerank_near_miss`). Empty otherwise."""
        if (query.intent not in ("plate_lookup", "licence_lookup") or query.slots.get("partial")
                or not query.readings):
            return []
        offered = [c for c in self.check(query).candidates[:on_file] if "edit" in str(c.get("why", ""))]
        if not offered:
            return []
        style = spelling_style(heard)
        out = []
        for value, known in _values(query, readings, offered).items():
            spoken = render_spelled(value, style)
            # Also "double 8 7" for "887": each value keeps its better-scoring form.
            forms = dict.fromkeys((spoken, with_doubles(spoken)))
            out += [SpokenCandidate(value, form, known) for form in forms]
        return out

    def rerank_near_miss(
        self, query: Query, candidates: Sequence[SpokenCandidate], scores: Sequence[float]
    ) -> Query:
        """The query naming the plate or licence on file the audio clearly prefers
        (:func:`rerank.near_miss_by_audio`)."""
        return near_miss_by_audio(query, candidates, scores)

    def rerank(
        self, query: Query, candidates: Sequence[SpokenCandidate], scores: Sequence[float], *,
        on_file_prior: float = 0.0,
    ) -> Query:
        """The query with the reading the audio supports best first (:func:`rerank.by_audio`)."""
        return by_audio(query, candidates, scores, on_file_prior=on_file_prior)

    def person_candidates(
        self, query: Query, *, heard: str, limit: int = 40
    ) -> tuple[str, list[PersonCandidate], list[str]]:
        """Names on file to score against the audio of a person check.

        Returns ``(prefix, candidates, continuations)``: the transcript before the spoken
        name, up to ``limit`` persons born on the heard date of birth, then those whose family
        name sounds like the heard one (best text agreement first), then the decoy names
        (:func:`rerank.with_decoys`), and for each the rest of the
        transcript with that name in place of the heard one, then the transcript's own
        continuation last. Empty when the query is not a person check, the transcript holds
        no date to anchor the name, or the heard name and date already name one person exactly.
        """
        contexts = name_contexts(heard) if query.intent == "person_lookup" else []
        if not contexts or self._names_one_person(query):
            return "", [], []
        with self.store.unit():
            ranked = self.chain.person_rows(query)
        # Born on the heard date first (the surer anchor), then by the heard name's sound.
        dobs = set(query.dob_readings[:1])
        ranked = [s for s in ranked if s.row["dob"] in dobs] + [s for s in ranked if s.row["dob"] not in dobs]
        on_file = list(dict.fromkeys(
            PersonCandidate(str(s.row["given"]), str(s.row["family"]), str(s.row["dob"])) for s in ranked
        ))[:limit]
        if not on_file:
            return "", [], []
        candidates = with_decoys(on_file)
        texts = []
        first = contexts[0][0]
        for before, name, after in contexts:  # each starts with the first one's words before the name
            joint = after if name else ", " + after
            texts += [before[len(first):] + c.spoken + joint for c in candidates]
        before, name, after = contexts[0]
        texts.append(name + after if name else after)
        return before.rstrip(), candidates, texts

    def _names_one_person(self, query: Query) -> bool:
        if not (query.slots.get("given") and query.slots.get("family")):
            return False
        result = self.check(query)
        why = str(result.candidates[0].get("why", "")) if result.candidates else ""
        return result.status in ("hit", "clear") and "family exact" in why and "given exact" in why

    def rerank_person(
        self, query: Query, candidates: Sequence[PersonCandidate], scores: Sequence[float]
    ) -> Query:
        """The query naming the person the audio supports (:func:`rerank.person_by_audio`);
        ``scores`` follow :meth:`person_candidates`' continuations, the heard one last. Where
        the name was split two ways, each candidate keeps its better score."""
        n = len(candidates)
        if not n or len(scores) < n + 1 or (len(scores) - 1) % n:
            return query
        ways = np.asarray(scores[:-1], dtype=np.float64).reshape(-1, n)
        return person_by_audio(query, candidates, ways.max(axis=0).tolist(), scores[-1])

    def check(self, query: Query) -> CheckResult:
        """Run the registry check for ``query``; ``unknown`` gives ``clarify``.

        Raises:
            IntentError: for intents that are not checks (confirm, cancel, repeat).
            RegistryError: when the registry cannot be read.
        """
        if query.intent == "unknown":
            return CheckResult("clarify", readback=clarify_readback("query"))
        if not query.is_check:
            raise IntentError(f"'{query.intent}' is not a registry check")
        try:
            result = self.chain.check(query)
        except PatrolError:
            raise
        except (KeyError, ValueError, TypeError) as err:
            logger.warning("check failed: %s", type(err).__name__)
            raise RegistryError("registry record could not be read", code="registry_error") from err
        logger.info("check %s -> %s (%d candidates)", query.intent, result.status, len(result.candidates))
        return result

    def opening(self, text: str, query: Query | None = None) -> str | None:
        """What a bare opening waits for (:func:`lookup.turns.opening`); ``query``: ``text`` parsed."""
        return opening(text, query)

    def close(self) -> None:
        """Release database connections."""
        self.store.close()


def _values(query: Query, readings: int, offered: Sequence[dict[str, object]]) -> dict[str, bool]:
    """The query's top ``readings`` (not on file) and the ``offered`` records' values (on file),
    each once, in that order."""
    field = "plate" if query.intent == "plate_lookup" else "number"
    values: dict[str, bool] = {}
    for reading in query.readings[:readings]:
        if reading.text:
            values.setdefault(reading.text, False)
    for cand in offered:
        value = canonical_alnum(str(cand.get(field, "")))
        if value:
            values[value] = True
    return values
