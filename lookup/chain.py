"""The check chain: plate -> vehicle -> owner -> licence -> alerts; person -> alerts + licence;
licence -> holder -> alerts. Builds the ``CheckResult`` with alerts first.

Status: ``hit`` when the resolved record (or any listed candidate) carries an active alert,
``clear`` when it resolved with none, ``no_match`` when nothing is on file for a confident
reading, and ``clarify`` when the reading was too uncertain or several records compete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from lookup import readback as rb
from lookup.errors import StaleConnection
from lookup.matching import Scored, decide, rank_alnum, rank_persons, rank_prefix
from lookup.models import ALERT_PRIORITY
from lookup.names import name_key, name_similarity, phonetic_key
from lookup.spoken import Reading, skeleton
from lookup.store import RegistryStore, Row
from lookup.types import CheckResult, Query, Status

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChainOptions:
    """Decision thresholds of the check chain.

    Attributes:
        min_confidence: below this query confidence the query is not run at all (clarify).
        accept: the top candidate needs at least this score to be taken as the answer.
        margin: ... and must lead the next candidate by this much.
        max_candidates: candidates returned in a result.
        readings: n-best readings looked up in the registry.
        person_accept: a person resolves from at least this score (family name and full date of
            birth agreeing reach it; a given name alone with a date of birth does not).
    """

    min_confidence: float = 0.15
    accept: float = 0.55
    margin: float = 0.12
    max_candidates: int = 5
    readings: int = 24
    person_accept: float = 0.65


def sort_alerts(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Officer-safety alerts first, then by kind priority, newest first."""
    alerts.sort(key=lambda a: a.get("issued") or "", reverse=True)
    alerts.sort(key=lambda a: (not a.get("officer_safety"), ALERT_PRIORITY.get(a["kind"], 9)))
    return alerts


def _alert_view(a: Row) -> dict[str, Any]:
    subject = f"person:{a['person_id']}" if a.get("person_id") else f"vehicle:{a['vehicle_id']}"
    return {
        "id": f"alert:{a['id']}",
        "kind": a["kind"],
        "officer_safety": bool(a["officer_safety"]),
        "subject": subject,
        "details": a.get("details"),
        "issued": a["issued"],
        "expires": a.get("expires"),
    }


def _status(record: dict[str, Any]) -> Status:
    return "hit" if record["alerts"] else "clear"


class CheckChain:
    """Runs a :class:`Query` against a :class:`RegistryStore`."""

    def __init__(self, store: RegistryStore, options: ChainOptions | None = None) -> None:
        self.store = store
        self.opts = options or ChainOptions()

    # -- linking -----------------------------------------------------------------------------

    def _link_persons(self, persons: list[Row]) -> None:
        """Attach each person's licence (best one: valid first) in place."""
        ids = [p["id"] for p in persons if "licences" not in p]
        held = [dict(lic, holder_id=p["id"]) for p in persons for lic in p.get("licences", ())]
        by_holder: dict[int, Row] = {}
        for lic in [*held, *(self.store.licences_by_holder(ids) if ids else ())]:
            cur = by_holder.get(lic["holder_id"])
            if cur is None or (cur["status"] != "valid" and lic["status"] == "valid"):
                by_holder[lic["holder_id"]] = lic
        for p in persons:
            best = by_holder.get(p["id"])
            p["licence"] = self._licence_view(best) if best else None

    @staticmethod
    def _person_view(p: Row) -> dict[str, Any]:
        keep = ("given", "family", "dob", "sex", "address", "region", "aliases")
        return {"kind": "person", "id": f"person:{p['id']}", **{k: p.get(k) for k in keep}}

    @staticmethod
    def _licence_view(lic: Row) -> dict[str, Any]:
        return {
            "id": f"licence:{lic['id']}",
            "number": lic["number"],
            "class": lic["class"],
            "status": lic["status"],
            "expiry": lic["expiry"],
            "region": lic["region"],
        }

    def _alerts(
        self, person_ids: Sequence[int], vehicle_ids: Sequence[int]
    ) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for a in self.store.alerts_for(person_ids, vehicle_ids):
            view = _alert_view(a)
            grouped.setdefault(view["subject"], []).append(view)
        return grouped

    def _answer(
        self,
        kind: str,
        records: list[dict[str, Any]],
        scored: Sequence[Scored],
        alerts_by: dict[str, list[Any]],
        resolved: bool,
        *,
        options: Callable[[dict[str, Any]], str],
        readback: Callable[[dict[str, Any], Sequence[dict[str, Any]]], str],
        spelling: str = "nato",
    ) -> CheckResult:
        """Rank and link the candidates; ask which one when unresolved, else read back the top."""
        candidates, alerts, ids = self._finish(records, scored, alerts_by, resolved)
        if not resolved:
            choices = [options(c) for c in candidates]
            asked = rb.clarify_readback(kind, choices, spelling)
            return CheckResult("clarify", alerts, candidates, asked, ids)
        top = candidates[0]
        return CheckResult(_status(top), alerts, candidates, readback(top, top["alerts"]), ids)

    def _finish(
        self,
        records: list[dict[str, Any]],
        scored: Sequence[Scored],
        alerts_by: dict[str, list[Any]],
        resolved: bool,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
        """Candidates with their own alerts, the sorted union of alerts, and audit record ids."""
        candidates, all_alerts, ids = [], [], []
        for rec, s in zip(records, scored, strict=True):
            subjects = [rec["id"]]
            owner = rec.get("owner") or rec.get("holder")
            if owner:
                subjects.append(owner["id"])
            rec_alerts = sort_alerts([a for subj in subjects for a in alerts_by.get(subj, [])])
            rec["alerts"] = rec_alerts
            candidates.append({"score": s.score, "why": s.why, **rec})
            all_alerts.extend(rec_alerts)
            ids.extend(subjects)
            lic = (owner or rec).get("licence")
            if lic:
                ids.append(lic["id"])
            ids.extend(a["id"] for a in rec_alerts)
        return candidates, sort_alerts(all_alerts), list(dict.fromkeys(ids))

    # -- checks ------------------------------------------------------------------------------

    def check(self, query: Query) -> CheckResult:
        """Run the check for a plate, person or licence query."""
        kind = {"plate_lookup": "plate", "person_lookup": "person", "licence_lookup": "licence"}[query.intent]
        if query.confidence < self.opts.min_confidence or query.reason in (
            "no_reading",
            "no_name",
            "bad_length",
        ):
            logger.debug("clarify %s: confidence %.2f reason %s", kind, query.confidence, query.reason)
            return CheckResult("clarify", readback=rb.clarify_readback(kind))
        try:
            return self._run(kind, query)
        except StaleConnection:
            # Reads only, so safe to repeat; the pool has replaced the dead connections.
            logger.warning("registry connection lost during a check; retrying it once")
            return self._run(kind, query)

    def _run(self, kind: str, query: Query) -> CheckResult:
        with self.store.unit():
            if kind == "plate":
                if query.slots.get("partial"):
                    return self._partial_plate(query)
                return self._plate(query)
            if kind == "licence":
                return self._licence(query)
            return self._person(query)

    def _plate(self, query: Query) -> CheckResult:
        readings = list(query.readings[: self.opts.readings])
        # The confusable skeletons on file; else one non-confusable slip of the first reading
        # (a misheard spelling word), else two: offered as candidates, never taken
        # (PostgreSQL's trigram neighbours last).
        rows = self.store.vehicles_exact_or_near([skeleton(r.text) for r in readings],
                                                 limit=self.opts.max_candidates)
        scored = self._ranked(query, rows, readings, slot="plate", field="plate")
        if not scored:
            return self._none("plate", query, str(query.slots.get("plate", "")))
        resolved = self._resolved(scored)
        vehicles = [dict(s.row) for s in scored]
        owner_ids = [v["owner_id"] for v in vehicles if v["owner_id"]]
        owners = {p["id"]: p for p in self.store.persons_with_licences(owner_ids)}
        self._link_persons(list(owners.values()))
        records = []
        for v in vehicles:
            owner = owners.get(v.pop("owner_id"))
            rec = {"kind": "vehicle", "id": f"vehicle:{v.pop('id')}", **v}
            if owner:
                rec["owner"] = {**self._person_view(owner), "licence": owner.get("licence")}
            else:
                rec["owner"] = None
            records.append(rec)
        alerts_by = self._alerts(list(owners), [int(r["id"].split(":")[1]) for r in records])
        return self._answer("plate", records, scored, alerts_by, resolved,
                            options=lambda c: c["plate"],
                            readback=partial(rb.vehicle_readback, spelling=query.spelling),
                            spelling=query.spelling)

    def _ranked(self, query: Query, rows: Sequence[dict[str, Any]], readings: Sequence[Reading], *,
                slot: str, field: str) -> list[Scored]:
        """Plate or licence rows ranked against the readings, the best ``max_candidates``."""
        scored = rank_alnum(rows, readings, field=field, asr_confidence=query.asr_confidence)
        return self._heard_note(query, scored[: self.opts.max_candidates], slot, field)

    def _resolved(self, scored: list[Scored]) -> bool:
        """Whether the top candidate is taken: clearly ahead, and not reached only through a
        non-confusable edit (the one-off and trigram fallbacks offer, never take)."""
        opts = self.opts
        return "edit" not in scored[0].why and decide(scored, accept=opts.accept, margin=opts.margin)

    @staticmethod
    def _heard_note(query: Query, scored: list[Scored], slot: str, field: str) -> list[Scored]:
        """Say so where the value came from the audio (near miss by sound), not the transcript."""
        if not query.heard_value:
            return scored
        note = f"{slot} chosen by sound, heard as '{query.heard_value}'"
        return [replace(s, why=f"{s.why}, {note}") if s.row[field] == query.slots.get(slot) else s
                for s in scored]

    def _partial_plate(self, query: Query) -> CheckResult:
        pattern = str(query.slots.get("plate", ""))
        suffix = query.slots.get("match") == "suffix"
        key = skeleton(pattern)
        rows = self.store.vehicles_by_prefix(key[::-1] if suffix else key, reverse=suffix, limit=200)
        wanted = {k: str(query.slots[k]) for k in ("colour", "make") if query.slots.get(k)}
        scored = rank_prefix(rows, pattern, field="plate", suffix=suffix, wanted=wanted)
        if not scored:
            return self._none("plate", query, None)
        count = len(scored)
        scored = scored[: self.opts.max_candidates * 2]
        vehicles = [dict(s.row) for s in scored]
        owner_ids = [v["owner_id"] for v in vehicles if v["owner_id"]]
        owners = {p["id"]: p for p in self.store.persons_by_ids(owner_ids)}
        records = []
        for v in vehicles:
            owner = owners.get(v.pop("owner_id"))
            records.append(
                {
                    "kind": "vehicle",
                    "id": f"vehicle:{v.pop('id')}",
                    **v,
                    "owner": self._person_view(owner) if owner else None,
                }
            )
        alerts_by = self._alerts(list(owners), [int(r["id"].split(":")[1]) for r in records])
        candidates, alerts, ids = self._finish(records, scored, alerts_by, False)
        status: Status = "hit" if alerts else "clear"
        return CheckResult(
            status, alerts, candidates, rb.partial_readback(pattern, count, alerts, suffix), ids
        )

    def _licence(self, query: Query) -> CheckResult:
        readings = list(query.readings[: self.opts.readings])
        # On file, else one non-confusable slip, else two, as for plates: offered, never taken.
        rows = self.store.licences_exact_or_near([skeleton(r.text) for r in readings],
                                                 limit=self.opts.max_candidates)
        scored = self._ranked(query, rows, readings, slot="licence", field="number")
        if not scored:
            return self._none("licence", query, str(query.slots.get("licence", "")))
        resolved = self._resolved(scored)
        holders = {p["id"]: p for p in self.store.persons_by_ids([s.row["holder_id"] for s in scored])}
        records = []
        for s in scored:
            lic = s.row
            holder = holders.get(lic["holder_id"])
            records.append(
                {
                    "kind": "licence",
                    **self._licence_view(lic),
                    "holder": self._person_view(holder) if holder else None,
                }
            )
        alerts_by = self._alerts(list(holders), [])
        return self._answer("licence", records, scored, alerts_by, resolved,
                            options=lambda c: c["number"],
                            readback=partial(rb.licence_readback, spelling=query.spelling),
                            spelling=query.spelling)

    def person_rows(self, query: Query) -> list[Scored]:
        """Persons born on a heard date of birth or sharing the family name's sound, ranked
        by name and date agreement (all of them, however weak; call inside ``store.unit``)."""
        given = query.slots.get("given")
        family = query.slots.get("family")
        dobs = list(query.dob_readings) or ([query.slots["dob"]] if query.slots.get("dob") else [])
        rows: list[Row] = []
        if dobs:
            rows.extend(self.store.persons_by_dob(dobs[:3]))
        if family:
            rows.extend(
                self.store.persons_by_name(
                    phonetic_key(family), name_key(family), phonetic_key(given) if given else None
                )
            )
        return rank_persons(rows, given=given, family=family, dobs=dobs, asr_confidence=query.asr_confidence)

    def _person(self, query: Query) -> CheckResult:
        given = query.slots.get("given")
        family = query.slots.get("family")
        dobs = list(query.dob_readings) or ([query.slots["dob"]] if query.slots.get("dob") else [])
        ranked = self.person_rows(query)
        scored = [s for s in ranked if s.score >= 0.5][: self.opts.max_candidates]
        if query.heard_name:
            # Say so where the name came from the audio, not from the transcript.
            note = f"name chosen by sound, heard as '{query.heard_name}'"
            chosen = (given, family)
            scored = [replace(s, why=f"{s.why}, {note}") if (s.row["given"], s.row["family"]) == chosen
                      else s for s in scored]
        if not scored and not query.suggested:
            return self._none("person", query, None)
        # A family name alone is not enough to name one person: ask for more.
        enough = bool(family) and bool(given or dobs)
        if given and scored:
            similar = name_similarity(str(given), scored[0].row["given"])
            # A plainly different given name is another person: ask. Without a date of birth
            # to anchor it, the given name must nearly agree ("Africa Ryan" is not Adrian Ryan).
            if similar < 0.4 or (not dobs and similar < 0.85):
                enough = False
        resolved = enough and decide(
            scored, accept=max(self.opts.accept, self.opts.person_accept), margin=self.opts.margin
        )
        if not resolved and query.suggested:
            scored = self._suggest_first(query, ranked, scored)
        persons = [dict(s.row) for s in scored]
        self._link_persons(persons)
        records = [{**self._person_view(p), "licence": p.get("licence")} for p in persons]
        alerts_by = self._alerts([p["id"] for p in persons], [])
        return self._answer("person", records, scored, alerts_by, resolved,
                            options=lambda c: f"{c['given']} {c['family']} born {c['dob']}",
                            readback=rb.person_readback)

    def _suggest_first(self, query: Query, ranked: Sequence[Scored], scored: list[Scored]) -> list[Scored]:
        """The person the audio leans to (``query.suggested``) first among the choices offered."""
        lean = next((s for s in ranked
                     if (s.row["given"], s.row["family"], str(s.row["dob"])) == query.suggested), None)
        if lean is None:
            return scored
        heard = query.spoken_name
        lean = replace(lean, why=f"{lean.why}, closest by sound to '{heard or '(no name)'}'")
        rest = [s for s in scored if s.row["id"] != lean.row["id"]]
        return [lean, *rest][: self.opts.max_candidates]

    def _none(self, kind: str, query: Query, value: str | None) -> CheckResult:
        if query.confidence < self.opts.accept:
            return CheckResult("clarify", readback=rb.clarify_readback(kind))
        return CheckResult("no_match", readback=rb.no_match_readback(kind, value, query.spelling))
