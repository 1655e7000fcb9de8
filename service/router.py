"""The intent router: text in, wire events out, every decision audited first.

Order of decisions for one utterance (radio, typed or ``POST /v1/query``):

1. **Skill by rule**: the text names a skill ("DASH risk for case 42", "screen this post: ...").
2. **Lookup parser**: ``LookupEngine.understand`` gives a typed query (plate, person,
   licence, confirm, cancel, repeat or unknown).
3. **Skill by meaning**: for ``unknown``, MiniLM similarity to each skill's examples above
   ``router.skill_threshold``.
4. Otherwise ``clarify``: the readback asks the officer to say it again.

Skill matching lives in :mod:`service.skill_match`, second looks at the audio (spelling
pass, rescoring) in :mod:`service.second_looks`, and the protocol of the check chain in
:mod:`service.lookup_protocol`; this module is the dispatch.

Dispatch is a table from :class:`~service.protocol.IntentName` to a handler. Each handler
returns an :class:`Outcome`; the router writes the audit entry *before* it hands back the
``intent`` and ``result`` events, and if the audit write fails it raises
:class:`~service.errors.AuditError` so no answer is sent (fail closed).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from common.errors import PatrolError
from common.executor import BoundedExecutor
from lookup.errors import RegistryError
from lookup.types import Query, Reading
from service import metrics
from service.audit import AuditLog, AuditRecord
from service.context import Heard, QueryContext
from service.lookup_protocol import LookupEngine
from service.protocol import IntentEvent, IntentName, ResultEvent, ServerEvent
from service.second_looks import SecondLooks
from service.skill_match import SkillMatcher
from service.skills_runtime import SkillRunner

logger = logging.getLogger(__name__)

__all__ = ["IntentRouter", "LookupEngine", "Outcome", "SkillMatcher", "Understood", "jsonable"]

_SAY_AGAIN = "Say again: I could not make out the query."
_UNCLEAR_CONFIRM = "Say again: affirm or negative?"
UNCLEAR_CONFIRM = "confirm heard unclearly"
_REPEAT_MEMORY = 4096


@dataclass
class Outcome:
    """What a handler decided, before it is audited and turned into events."""

    intent: IntentName
    slots: dict[str, Any]
    confidence: float
    status: str
    action: str
    alerts: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    readback: str = ""
    record_ids: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class Understood:
    """The parsed query plus, when the text named a skill, which one and how."""

    query: Query | None
    skill: str | None = None
    skill_match: str | None = None
    skill_score: float = 0.0


@dataclass(frozen=True)
class Pending:
    """A check that ended in ``clarify`` with candidates: "affirm" runs the first of them."""

    intent: IntentName
    query: Query
    slots: dict[str, Any]


Handler = Callable[[QueryContext, Heard, Understood], Awaitable[Outcome]]


def _resolved_slots(intent: IntentName, record: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical slots of the record a check resolved to: the plate or licence number and
    the names as spelled in the registry (DESIGN v1), so the ``intent`` event carries what
    the officer will hear read back rather than the raw reading."""
    keys = {IntentName.PLATE: {"plate": "plate"}, IntentName.LICENCE: {"licence": "number"},
            IntentName.PERSON: {"given": "given", "family": "family", "dob": "dob"}}.get(intent, {})
    return {slot: jsonable(record[field]) for slot, field in keys.items() if record.get(field)}


def jsonable(value: Any) -> Any:
    """Plain JSON data from pydantic models, dataclasses and containers (used at the edge)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class IntentRouter(SecondLooks):
    """Routes one utterance to a check, a skill or a clarification, and audits it."""

    def __init__(self, *, lookup: LookupEngine | None, matcher: SkillMatcher, runner: SkillRunner,
                 audit: AuditLog, min_confidence: float = 0.35, clear_confidence: float = 0.8,
                 rescore: bool = False, on_file_prior: float = 0.0, rescore_names: bool = True,
                 names_limit: int = 40, near_miss_by_sound: bool = True, confirm_confidence: float = 0.5,
                 blocking: BoundedExecutor | None = None) -> None:
        self.lookup = lookup
        # Registry calls and embeddings run here: bounded, beside the inference pool (the
        # lifespan's ``lookup`` executor; a router built alone gets a small one of its own).
        self.blocking = blocking or BoundedExecutor("lookup", 4, max_queue=64)
        self.matcher = matcher
        self.runner = runner
        self.audit = audit
        self.min_confidence = min_confidence
        # At or above this parse confidence an exact single registry match skips the spelling pass.
        self.clear_confidence = clear_confidence
        # Choose among plate/licence readings by forced alignment (see _rescore), and the
        # log-odds added to a candidate that names a record on file when the audio chooses.
        self.rescore = rescore
        self.on_file_prior = on_file_prior
        # Choose the person on file whose name the audio supports (see _rescore_person).
        self.rescore_names = rescore_names
        self.names_limit = names_limit
        # Take a plate on file one symbol from an unmatched reading when the audio prefers it.
        self.near_miss_by_sound = near_miss_by_sound
        # A spoken "affirm" runs the offered record only when the recogniser is this sure of it
        # (a misheard "Negative" must not run it); below, the offer stands and is asked again.
        self.confirm_confidence = confirm_confidence
        # The hook carries no session object, so "repeat" and "affirm" need a small bounded
        # memory here: the last answer, and the check a ``clarify`` left waiting for a yes or no.
        self._last: OrderedDict[str, ResultEvent] = OrderedDict()
        self._pending: OrderedDict[str, Pending] = OrderedDict()
        self.table: dict[IntentName, Handler] = {
            IntentName.PLATE: self._check,
            IntentName.PERSON: self._check,
            IntentName.LICENCE: self._check,
            IntentName.SKILL: self._skill,
            IntentName.CONFIRM: self._confirm,
            IntentName.CANCEL: self._cancel,
            IntentName.REPEAT: self._repeat,
            IntentName.UNKNOWN: self._clarify,
        }

    async def handle(self, ctx: QueryContext, heard: Heard) -> list[ServerEvent]:
        """The ``Services.handle_utterance`` hook: intent and result events for one utterance."""
        t0 = time.perf_counter()
        understood = await self.understand(heard)
        intent = self._intent_of(understood)
        outcome = await self.table[intent](ctx, heard, understood)
        await self.audit.write(AuditRecord(
            action=outcome.action, status=outcome.status, source=ctx.source, officer=ctx.officer,
            role=ctx.role, unit=ctx.unit, channel=ctx.channel, session=ctx.session,
            intent=outcome.intent.value, query_text=heard.text, slots=outcome.slots,
            record_ids=outcome.record_ids, reason=outcome.reason,
        ))
        result = ResultEvent(utterance=ctx.utterance, status=outcome.status,
                             alerts=outcome.alerts, candidates=outcome.candidates, readback=outcome.readback)
        if outcome.intent is not IntentName.REPEAT:
            self._remember(ctx.session, result)
            self._hold(ctx.session, outcome, understood)
        metrics.observe_stage("route", time.perf_counter() - t0)
        logger.debug("routed utterance %d of %s to %s: %s", ctx.utterance, ctx.session, intent,
                     outcome.status)
        return [
            IntentEvent(utterance=ctx.utterance, name=outcome.intent, slots=outcome.slots,
                        confidence=round(min(max(outcome.confidence, 0.0), 1.0), 3)),
            result,
        ]

    async def understand(self, heard: Heard) -> Understood:
        """Decide what the text asks for (rules, parser, then meaning)."""
        name = self.matcher.by_rule(heard.text)
        if name is not None:
            return Understood(query=None, skill=name, skill_match="rule", skill_score=1.0)
        query = None
        if self.lookup is not None:
            t0 = time.perf_counter()
            query = await self.blocking.run(self.lookup.understand, heard.text,
                                            alternatives=tuple(heard.alternatives),
                                            asr_confidence=heard.confidence)
            metrics.observe_stage("parse", time.perf_counter() - t0)
        if query is not None and heard.refine is not None and self.lookup is not None:
            query = await self._refine_if_unclear(heard, query)
        if (query is not None and self.rescore_names and heard.rescore is not None
                and self.lookup is not None and str(query.intent) == IntentName.PERSON):
            query = await self._rescore_person(heard, query)
        if query is not None and str(query.intent) != IntentName.UNKNOWN:
            return Understood(query=query)
        if self.matcher.embedder is not None:
            t0 = time.perf_counter()
            name, score = await self.blocking.run(self.matcher.by_meaning, heard.text)
            metrics.observe_stage("embed", time.perf_counter() - t0)
            if name is not None:
                return Understood(query=query, skill=name, skill_match="semantic", skill_score=score)
        return Understood(query=query)

    @staticmethod
    def _intent_of(understood: Understood) -> IntentName:
        if understood.skill is not None:
            return IntentName.SKILL
        if understood.query is None:
            return IntentName.UNKNOWN
        try:
            return IntentName(str(understood.query.intent))
        except ValueError:
            return IntentName.UNKNOWN

    async def _check(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        query = understood.query
        assert query is not None  # the check intents come from a parsed query
        intent = self._intent_of(understood)
        slots = jsonable(dict(query.slots))
        confidence = float(query.confidence)
        if confidence < self.min_confidence:
            return self._go_ahead(ctx, heard, understood, intent, "check") or Outcome(
                intent=intent, slots=slots, confidence=confidence, status="clarify", action="check",
                readback=_SAY_AGAIN, reason="low confidence")
        if self.lookup is None:
            raise RegistryError("the registry is not configured on this instance")
        t0 = time.perf_counter()
        try:
            result = await self.blocking.run(self.lookup.check, query)
        except PatrolError:
            raise
        except Exception as err:
            raise RegistryError("the registry check failed; try again") from err
        finally:
            metrics.observe_stage("check", time.perf_counter() - t0)
        if str(result.status) in ("hit", "clear") and result.candidates:
            slots.update(_resolved_slots(intent, dict(result.candidates[0])))
        return Outcome(
            intent=intent, slots=slots, confidence=confidence, status=str(result.status), action="check",
            alerts=jsonable(list(result.alerts)), candidates=jsonable(list(result.candidates)),
            readback=str(result.readback), record_ids=[str(r) for r in getattr(result, "record_ids", [])],
            reason=getattr(query, "reason", None),
        )

    async def _skill(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        name = understood.skill or ""
        skill = self.matcher.skills[name]
        slots: dict[str, Any] = {"skill": name, "match": understood.skill_match}
        confidence = understood.skill_score
        payload = skill.from_text(heard.text)
        if payload is None:
            return Outcome(intent=IntentName.SKILL, slots=slots, confidence=confidence, status="clarify",
                           action="skill",
                           readback=f"Say again with the details for {name.replace('_', ' ')}.",
                           reason="no input in the text")
        if ctx.role is not None and ctx.role not in skill.roles:
            return Outcome(intent=IntentName.SKILL, slots=slots, confidence=confidence, status="clarify",
                           action="skill", readback="That skill is not available to your role.",
                           reason="forbidden for role")
        output = jsonable(await self.runner.run(skill, payload))
        for key in ("case_ref", "grade", "label", "score"):
            if isinstance(output, dict) and key in output:
                slots[key] = output[key]
        readback = str(output.get("readback") or output.get("summary") or f"{name} done.")
        score = output.get("score", 1.0) if isinstance(output.get("score"), int | float) else 1.0
        return Outcome(intent=IntentName.SKILL, slots=slots, confidence=confidence, status="hit",
                       action="skill", candidates=[{"score": score, "skill": name, "output": output}],
                       readback=readback,
                       record_ids=[str(r) for r in output.get("record_ids", [])],
                       reason=str(output.get("grade") or output.get("label") or "") or None)

    async def _confirm(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        """"Affirm" after a ``clarify`` that offered candidates runs the check on the first one
        (as the readback offered it) and answers with that record; otherwise a plain copy."""
        pending = self._pending.pop(ctx.session, None)
        if pending is None:
            return self._simple(understood, IntentName.CONFIRM, "Copy, confirmed.")
        if heard.confidence < self.confirm_confidence:
            self._pending[ctx.session] = pending
            return Outcome(intent=IntentName.CONFIRM, slots={}, confidence=self._confidence(understood),
                           status="clarify", action="confirm", readback=_UNCLEAR_CONFIRM,
                           reason=UNCLEAR_CONFIRM)
        value = pending.slots.get("plate") or pending.slots.get("licence")
        readings = (Reading(str(value), 1.0, source="confirmed"),) if value else ()
        query = dataclasses.replace(pending.query, slots=pending.slots, confidence=1.0, readings=readings,
                                    dob_readings=(), reason=None, suggested=None, heard_name=None,
                                    heard_value=None, asr_confidence=1.0)
        outcome = await self._check(ctx, heard, Understood(query=query))
        return dataclasses.replace(outcome, intent=IntentName.CONFIRM, action="confirm",
                                   confidence=self._confidence(understood),
                                   reason=f"confirmed {pending.intent.value}")

    async def _cancel(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        dropped = self._pending.pop(ctx.session, None)
        readback = "Copy, dropped." if dropped else "Copy, cancelled."
        return self._simple(understood, IntentName.CANCEL, readback)

    async def _repeat(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        last = self._last.get(ctx.session)
        if last is None:
            return self._simple(understood, IntentName.REPEAT, "Nothing to repeat.", status="clarify")
        return Outcome(intent=IntentName.REPEAT, slots={}, confidence=self._confidence(understood),
                       status=last.status, action="repeat", alerts=last.alerts, candidates=last.candidates,
                       readback=last.readback)

    async def _clarify(self, ctx: QueryContext, heard: Heard, understood: Understood) -> Outcome:
        reason = getattr(understood.query, "reason", None) or "not understood"
        return self._go_ahead(ctx, heard, understood, IntentName.UNKNOWN, "clarify") or Outcome(
            intent=IntentName.UNKNOWN, slots={}, confidence=self._confidence(understood), status="clarify",
            action="clarify", readback=_SAY_AGAIN, reason=reason)

    def _go_ahead(self, ctx: QueryContext, heard: Heard, understood: Understood, intent: IntentName,
                  action: str) -> Outcome | None:
        """"Go ahead with the plate." for a spoken opening ("Control, run plate", "Control."): the
        voice session reads the next utterance with it, so the officer is not told to say again."""
        opening = getattr(self.lookup, "opening", None)
        voice = ctx.source == "voice" and callable(opening)
        awaited = opening(heard.text, understood.query) if voice and opening else None
        if not isinstance(awaited, str):
            return None
        return Outcome(intent=intent, slots={}, confidence=self._confidence(understood), status="clarify",
                       action=action, readback=f"Go ahead with the {awaited}." if awaited else "Go ahead.",
                       reason="opening only")

    def _simple(self, understood: Understood, intent: IntentName, readback: str, *,
                status: str = "clear") -> Outcome:
        return Outcome(intent=intent, slots={}, confidence=self._confidence(understood), status=status,
                       action=intent.value, readback=readback)

    @staticmethod
    def _confidence(understood: Understood) -> float:
        return float(getattr(understood.query, "confidence", 0.0) or 0.0)

    def _hold(self, session: str, outcome: Outcome, understood: Understood) -> None:
        """Keep a check that asked "Confirm plate ...?" for the next "affirm"; any other answer
        (a new query, a confirm, a cancel) leaves nothing waiting, but a confirm heard too
        unclearly to act on leaves the offer standing."""
        if outcome.reason == UNCLEAR_CONFIRM:
            return
        self._pending.pop(session, None)
        query = understood.query
        if (outcome.action != "check" or outcome.status != "clarify" or not outcome.candidates
                or not isinstance(query, Query)):
            return
        slots = _resolved_slots(outcome.intent, outcome.candidates[0])
        if not slots:
            return
        self._pending[session] = Pending(intent=outcome.intent, query=query, slots=slots)
        while len(self._pending) > _REPEAT_MEMORY:
            self._pending.popitem(last=False)

    def _remember(self, session: str, result: ResultEvent) -> None:
        self._last[session] = result
        self._last.move_to_end(session)
        while len(self._last) > _REPEAT_MEMORY:
            self._last.popitem(last=False)
