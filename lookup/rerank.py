"""Choosing among plate/licence readings by how well the audio supports each one.

The router scores :class:`SpokenCandidate` texts against the utterance's audio (forced
alignment, :meth:`voice.stt.WhisperTranscriber.score`); :func:`by_audio` turns those
log-likelihoods into probabilities and puts the best-supported reading first. Pure code:
no registry access here (the engine gathers the candidates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lookup.parser import alnum_length_ok, nbest_confidence
from lookup.spoken import Reading, canonical_alnum
from lookup.types import Query


@dataclass(frozen=True, slots=True)
class SpokenCandidate:
    """A candidate plate/licence value, how it would be transcribed, and whether it is on file."""

    value: str
    spoken: str
    on_file: bool


def rerank(query: Query, posteriors: Sequence[tuple[str, float]]) -> Query:
    """Put the reading the audio supports best first.

    ``posteriors`` are candidate values for the plate/licence slot with their probability
    among the candidates, best first. The slot takes the best; the confidence is the ASR
    confidence times that probability, discounted by the margin over the runner-up (as for
    the parser's own n-best), so a close call comes back as ``clarify`` rather than a guess.
    """
    if query.intent not in ("plate_lookup", "licence_lookup") or not posteriors:
        return query
    best, prob = canonical_alnum(posteriors[0][0]), posteriors[0][1]
    if not best:
        return query
    key = "plate" if query.intent == "plate_lookup" else "licence"
    readings = [Reading(canonical_alnum(t), round(p, 4), "acoustic") for t, p in posteriors]
    seen = {r.text for r in readings}
    readings += [r for r in query.readings if r.text not in seen]
    ok = alnum_length_ok(query.intent, best, partial=bool(query.slots.get("partial")))
    second = posteriors[1][1] if len(posteriors) > 1 else 0.0
    return replace(
        query,
        slots={**query.slots, key: best},
        readings=tuple(readings),
        confidence=nbest_confidence(query.asr_confidence, prob, second, length_ok=ok),
        reason=None if ok else "bad_length",
    )


def by_audio(
    query: Query,
    candidates: Sequence[SpokenCandidate],
    scores: Sequence[float],
    *,
    on_file_prior: float = 0.0,
) -> Query:
    """:func:`rerank` with probabilities from a softmax over the audio log-likelihoods
    ``scores`` of ``candidates`` (plus ``on_file_prior`` for records on file)."""
    if len(scores) != len(candidates) or not candidates:
        return query
    known = np.array([c.on_file for c in candidates], dtype=np.float64)
    logits = np.asarray(scores, dtype=np.float64) + on_file_prior * known
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    order = np.argsort(-probs, kind="stable")
    return rerank(query, [(candidates[i].value, float(probs[i])) for i in order])
