"""Choosing among readings by how well the audio supports each one.

The router scores candidate texts against the utterance's audio (forced alignment,
:meth:`voice.stt.WhisperTranscriber.score`). For plates and licences, :func:`by_audio` turns
the log-likelihoods of :class:`SpokenCandidate` readings into probabilities and puts the
best-supported reading first. For person checks, the names of the persons on file for the
heard date of birth (or the heard name's sound) are put in place of the name as heard
(:func:`name_context`), and :func:`person_by_audio` takes a name only when the audio prefers
it clearly over every other one and about as much as what was transcribed. Pure code: no
registry access here (the engine gathers the candidates).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from common.tencodes import TEN_CODE
from lookup.alnum_parse import alnum_length_ok, nbest_confidence
from lookup.dates import parse_date
from lookup.normalise import CALLSIGN
from lookup.person_parse import DOB_MARKER, FIRST_DATE_WORD, is_name_word
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
    probs = _softmax(np.asarray(scores, dtype=np.float64) + on_file_prior * known)
    order = np.argsort(-probs, kind="stable")
    return rerank(query, [(candidates[i].value, float(probs[i])) for i in order])


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Log-likelihoods to probabilities among the candidates."""
    probs = np.exp(logits - logits.max())
    return probs / probs.sum()


def near_miss_by_audio(
    query: Query, candidates: Sequence[SpokenCandidate], scores: Sequence[float], *, margin: float = 8.0
) -> Query:
    """The plate (or licence) query naming the record on file the audio supports over every
    reading, or unchanged.

    ``candidates`` are the heard readings (``on_file`` false) and the plates on file one symbol
    from them (on file), with the log-likelihoods ``scores`` of each said after the words
    before the plate. A plate on file is taken only when it leads the best heard reading and
    every other plate on file by ``margin`` nats: the transcript misheard a spelling word
    ("Ida" as "9") and the audio says so. A plate that is not on file and was heard right
    keeps the transcript's reading, which the audio supports best. The margin was set with
    impostors: one-symbol neighbours of correctly heard tune plates, scored as if on file, led
    the reading by at most 4.4 nats (51 clips); the right plates taken led by 15.
    """
    if query.intent not in ("plate_lookup", "licence_lookup") or len(scores) != len(candidates):
        return query
    key = "plate" if query.intent == "plate_lookup" else "licence"
    by_value: dict[str, tuple[float, SpokenCandidate]] = {}  # a value's best-scoring form
    for cand, score in zip(candidates, scores, strict=True):
        if cand.value not in by_value or score > by_value[cand.value][0]:
            by_value[cand.value] = (float(score), cand)
    heard = [s for s, c in by_value.values() if not c.on_file]
    on_file = sorted(((s, c) for s, c in by_value.values() if c.on_file), key=lambda sc: -sc[0])
    if not heard or not on_file:
        return query
    best, top = on_file[0]
    rival = max(max(heard), on_file[1][0] if len(on_file) > 1 else -np.inf)
    if best - rival < margin:
        return query
    probs = _softmax(np.asarray([s for s, _ in by_value.values()], dtype=np.float64))
    second = float(np.sort(probs)[-2]) if len(probs) > 1 else 0.0
    readings = (Reading(top.value, 1.0, "acoustic"),
                *(r for r in query.readings if r.text != top.value))
    confidence = max(query.confidence, nbest_confidence(query.asr_confidence, float(probs.max()), second))
    return replace(query, slots={**query.slots, key: top.value}, readings=readings,
                   confidence=confidence, reason=None, heard_value=str(query.slots.get(key) or ""))


# -- person checks ---------------------------------------------------------------------------

_SPELLED = re.compile(r"\bspel[lt]", re.IGNORECASE)
_CHUNK = re.compile(r"[^,.?!;:]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_ASK = re.compile(
    r"\b(for (?:me|us)|person|check|run|query|subject|individual|on|for|about|named|called|name"
    r"|surname|warrants|10-?29|twenty-nine)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    """A person on file (or, with ``on_file`` false, a decoy name), as an officer would say it."""

    given: str
    family: str
    dob: str
    on_file: bool = True

    @property
    def spoken(self) -> str:
        """The name as spoken: given then family."""
        return f"{self.given} {self.family}"


# Common names of the registry's locales, scored beside the names on file: a name on file is
# taken only when the audio prefers it over all of them too, so a lone person who merely shares
# the heard birthday is not taken for someone who is not on file.
DECOY_NAMES: tuple[tuple[str, str], ...] = (
    ("John", "Smith"), ("Maria", "Garcia"), ("David", "Jones"), ("Sarah", "Wilson"),
    ("Michael", "Taylor"), ("Emma", "Brown"), ("Hiroshi", "Tanaka"), ("Yuki", "Suzuki"),
)


def with_decoys(candidates: Sequence[PersonCandidate]) -> list[PersonCandidate]:
    """``candidates`` followed by the decoy names that none of them bears."""
    taken = {c.spoken for c in candidates}
    decoys = [PersonCandidate(g, f, "", on_file=False) for g, f in DECOY_NAMES]
    return [*candidates, *(d for d in decoys if d.spoken not in taken)]


def name_context(text: str) -> tuple[str, str, str] | None:
    """A person check's transcript split around the spoken name: ``(before, name, after)``.

    The name runs from just after the last word of the request ("person check on", "run")
    to the last name word before the date of birth, or before the first date word when
    "born" itself was misheard (a call sign such as "Control" is not a name). ``name``
    is empty when no name word was heard there (a candidate then goes just before the date).
    None when the text holds no date at all, or no words before it.
    """
    marker = DOB_MARKER.search(text)
    end = marker.start() if marker else None
    if end is None:
        codes = [m.span() for m in TEN_CODE.finditer(text)]
        dates = (m.start() for m in FIRST_DATE_WORD.finditer(text))
        end = next((d for d in dates if not any(a <= d < b for a, b in codes)), None)
        if end is None:
            return None
    head = text[:end]
    if not _WORD.search(head):
        return None  # nothing before the date: no request, no name to stand in for
    call = CALLSIGN.match(head)
    lead = call.end() if call else 0
    # "Ichiro Suzuki, spelled Sierra Uniform ...": the spelling is not part of the spoken name.
    spelled = _SPELLED.search(head, lead)
    names = [w for w in _WORD.finditer(head, lead, spelled.start() if spelled else len(head))
             if is_name_word(w.group().strip("'-"))]
    if not names:
        return _name_after_date(text, marker) or (head, "", text[end:])
    stop = names[-1].end()
    # The name starts after the last word of the request ("person check on", "run") before
    # it: misheard words between belong to the name ("you and Matt Loud" for "Ewan MacLeod").
    asks = [m for m in _ASK.finditer(head, lead, stop) if m.end() <= names[-1].start()]
    if asks:
        start = _WORD.search(head, asks[-1].end()).start()  # type: ignore[union-attr]
    else:
        chunk_start = max((m.start() for m in _CHUNK.finditer(head, lead) if m.start() <= names[-1].start()),
                           default=lead)
        start = next(w.start() for w in names if w.start() >= chunk_start)
    return text[:start], text[start:stop], text[stop:]


def name_contexts(text: str) -> list[tuple[str, str, str]]:
    """:func:`name_context`, and other splits of the same words: when the name has three
    words or more, one that keeps its last two only (the request misheard as name words: "1
    support from Joe Anderson" for "wants and warrants on Joe Anderson"); and when no
    date-of-birth marker was heard ("born", "DOB") but the name has two words or more, one
    that leaves its last word out: the marker was most likely misheard as a name word
    ("Ryokamura Foreign February 14th" for "Ryo Nakamura, born February fourteenth"; "Gerald
    BOB 2 7 0 5 96"). Every split starts with the first one's words before the name; the
    candidates are scored each way and each keeps its best score."""
    context = name_context(text)
    if context is None:
        return []
    before, name, after = context
    words = list(_WORD.finditer(name))
    out = [context]
    if len(words) >= 3:
        # "1 support from Joe Anderson" ("wants and warrants on"): the request misheard into
        # name words; the last two may be the whole name.
        cut = words[-2].start()
        out.append((before + name[:cut], name[cut:], after))
    if not DOB_MARKER.search(text) and len(words) >= 2:
        cut = words[-2].end()
        out.append((before, name[:cut], name[cut:] + after))
    return out


def _name_after_date(text: str, marker: re.Match[str] | None) -> tuple[str, str, str] | None:
    """"Date of birth 4th of March 1985, Hiroshi Sato": the name words of the last chunk after
    the date, when a date was said there."""
    if marker is None or not parse_date(text[marker.end() :]):
        return None
    for chunk in reversed(list(_CHUNK.finditer(text, marker.end()))):
        words = [w for w in _WORD.finditer(chunk.group()) if is_name_word(w.group().strip("'-"))]
        if words:
            start, stop = chunk.start() + words[0].start(), chunk.start() + words[-1].end()
            return text[:start], text[start:stop], text[stop:]
    return None


def person_by_audio(
    query: Query,
    candidates: Sequence[PersonCandidate],
    scores: Sequence[float],
    heard_score: float,
    *,
    margin: float = 5.0,
    slack: float = 8.0,
    dob_prior: float = 4.0,
) -> Query:
    """The query naming the person on file whose name the audio supports best, or unchanged.

    ``scores`` are the log-likelihoods of each candidate's name in place of the heard one,
    and ``heard_score`` that of the name as transcribed. Dates are heard far more reliably
    than names, so a person born on the heard date of birth gains ``dob_prior`` nats (half
    that for an alternative reading of the date). A name is taken only when it leads every
    other name by ``margin`` nats and its audio score trails the transcript's by at most
    ``slack`` nats, plus half of what its lead exceeds the margin by (1.5 ``slack`` at most:
    a garbled transcript is the decoder's own best guess and outscores even the right name).
    A subject who is not on file leaves the query as heard, to be answered from the
    transcript. Decoy candidates (``on_file`` false, :func:`with_decoys`) count
    for the margin by their audio score alone: a lone person born on the heard date must
    still sound more like the name than common names do. Persons sharing the name stay apart
    by date of birth in the check.
    A lean of half the margin (within twice the slack) only marks the person ``suggested``:
    the check offers it first when it asks which person, and never takes it.
    """
    if query.intent != "person_lookup" or len(scores) != len(candidates) or not candidates:
        return query
    dobs = list(query.dob_readings)
    by_name: dict[str, tuple[float, float, PersonCandidate]] = {}
    decoys: list[tuple[float, PersonCandidate]] = []
    for cand, score in zip(candidates, scores, strict=True):
        if not cand.on_file:
            decoys.append((float(score), cand))
            continue
        prior = dob_prior if dobs and cand.dob == dobs[0] else dob_prior / 2 if cand.dob in dobs else 0.0
        if cand.spoken not in by_name or score + prior > by_name[cand.spoken][0]:
            by_name[cand.spoken] = (float(score) + prior, float(score), cand)
    if not by_name:
        return query
    ranked = sorted(by_name.values(), key=lambda sc: -sc[0])
    best, audio, top = ranked[0]
    # The lead over the other names on file (date prior included) and over the decoys (audio
    # only) that share no name with it ("Hiroshi Tanaka" is no test of "Hiroshi Sato").
    decoy = max((s for s, d in decoys if d.given != top.given and d.family != top.family), default=-np.inf)
    lead = min(best - (ranked[1][0] if len(ranked) > 1 else -np.inf), audio - decoy)
    # A clearer lead buys a longer trail: a garbled transcript ("the show off" for Michele
    # Osborne) is the decoder's own best guess and outscores even the right name.
    slack = min(1.5 * slack, slack + max(0.0, lead - margin) / 2)
    if lead < margin or audio < heard_score - slack:
        if lead >= margin / 2 and audio >= heard_score - 2 * slack:
            # A lean, not a choice: offered first for the officer to confirm, never taken.
            return replace(query, suggested=(top.given, top.family, top.dob))
        return query
    probs = _softmax(np.array([s for s, _, _ in ranked], dtype=np.float64))
    slots = {**query.slots, "given": top.given, "family": top.family}
    if not slots.get("dob") and top.dob in query.dob_readings:
        slots["dob"] = top.dob
    p2 = float(probs[1]) if len(probs) > 1 else 0.0
    confidence = max(query.confidence, nbest_confidence(query.asr_confidence, float(probs[0]), p2))
    heard = query.spoken_name
    return replace(query, slots=slots, confidence=confidence, reason=None, heard_name=heard or "(no name)")
