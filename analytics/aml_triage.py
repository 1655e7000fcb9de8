"""Skill ``aml_triage``: rank suspicious-transaction reports against past confirmed cases.

Input is a batch of reports as JSON (``reports``) or CSV text (``csv``, one row per
transaction). Each report is featurised for the known laundering typologies and scored by
a gradient-boosting model trained on labelled history combined with a nearest-neighbour
vote over past cases. The output is a ranked queue: score, top contributing features and
the most similar past confirmed cases. Decision support only: an analyst decides.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from analytics._batch import check_text, empty_batch, read_csv, too_large, utf8_text
from analytics.aml.graph_model import default_dir as graph_root
from analytics.aml.graph_model import load_or_train as load_or_train_graph
from analytics.aml.model import default_dir, load_or_train
from analytics.aml.rank import CSV_COLUMNS, batch_from_csv_rows, batch_from_reports, rank
from analytics.errors import SkillError

logger = logging.getLogger(__name__)

MAX_REPORTS = 200_000


class Party(BaseModel):
    """A person or company named in a report."""

    id: str = Field(..., min_length=1, max_length=200)
    name: str | None = Field(None, max_length=300)
    role: str | None = Field(None, max_length=100)


class Account(BaseModel):
    """An account in the report; ``last_active`` is the last activity before this report."""

    id: str = Field(..., min_length=1, max_length=200)
    opened: date | None = None
    last_active: datetime | None = None


class Transaction(BaseModel):
    """One transaction on a reported account."""

    account: str | None = Field(None, max_length=200)
    amount: float = Field(..., ge=0, allow_inf_nan=False)
    currency: str = Field("USD", pattern=r"^[A-Za-z]{3}$")
    time: datetime
    channel: str = Field("other", max_length=20, description="cash, wire, card, crypto, ach, cheque, other")
    direction: Literal["in", "out"]
    counterparty: str | None = Field(None, max_length=200)
    counterparty_country: str = Field("", pattern=r"^([A-Za-z]{2})?$")


class Report(BaseModel):
    """One suspicious-transaction report."""

    id: str = Field(..., min_length=1, max_length=200)
    parties: list[Party] = Field(default_factory=list)
    accounts: list[Account] = Field(default_factory=list)
    transactions: list[Transaction] = Field(..., min_length=1)
    text: str = Field("", max_length=20_000)

    _utf8 = field_validator("id", "text")(utf8_text)


class AmlTriageInput(BaseModel):
    """Reports as JSON (``reports``) or as CSV text (``csv``), and how many queue entries to return."""

    model_config = ConfigDict(extra="forbid")

    reports: list[Report] | None = None
    csv: str | None = Field(None, description="CSV, one row per transaction: " + ",".join(CSV_COLUMNS)
                            + " (+ parties, account, account_last_active, channel, counterparty, "
                              "counterparty_country, text)")
    limit: int = Field(50, ge=1, le=1000, description="queue entries to return")
    use_graph: bool = Field(True, description="also score the transaction graph the batch forms")

    _utf8 = field_validator("csv")(utf8_text)


class ContributionOut(BaseModel):
    """A feature that raised the score (log-odds it added against a typical non-case)."""

    feature: str
    value: float
    contribution: float


class NeighbourOut(BaseModel):
    """A similar past confirmed case."""

    case_id: str
    similarity: float
    typologies: tuple[str, ...]


class QueueEntry(BaseModel):
    """One ranked report."""

    rank: int
    report_id: str
    score: float
    model_score: float
    similarity_score: float
    rules_fired: int
    top_features: list[ContributionOut]
    nearest_cases: list[NeighbourOut]
    report_score: float = Field(0.0, description="the per-report model's score alone")
    graph_score: float | None = Field(None, description="best transaction score on the batch's graph")
    graph_features: list[ContributionOut] = Field(default_factory=list)
    graph_cases: list[NeighbourOut] = Field(default_factory=list, description="nearest past laundering cases")


class AmlTriageOutput(BaseModel):
    """The ranked queue (highest risk first)."""

    queue: list[QueueEntry]
    total_reports: int
    model: dict[str, object]


def graph_dir(model_dir: Path) -> Path:
    """The graph model's directory beside the report model's (``<data_dir>/models/aml_graph``)."""
    return model_dir.parent / graph_root(Path()).name


def _utc(d: datetime) -> str:
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d.isoformat(timespec="seconds")


def _report_dicts(reports: list[Report]) -> list[dict[str, object]]:
    return [{
        "id": r.id,
        "parties": [{"id": p.id} for p in r.parties],
        "accounts": [{"id": a.id, "last_active": _utc(a.last_active) if a.last_active else None}
                     for a in r.accounts],
        "transactions": [dict(t.model_dump(), time=_utc(t.time)) for t in r.transactions],
        "text": r.text,
    } for r in reports]


class AmlTriage:
    """The ``aml_triage`` skill object."""

    name: ClassVar[str] = "aml_triage"
    description: ClassVar[str] = (
        "Rank suspicious-transaction reports by money-laundering risk against past confirmed cases; "
        "returns scores, top contributing features and the most similar past cases."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "triage these suspicious transaction reports",
        "rank the money laundering reports",
        "which reports look like laundering",
        "show the top 20 suspicious reports",
    )
    input_model: ClassVar[type[BaseModel]] = AmlTriageInput
    output_model: ClassVar[type[BaseModel]] = AmlTriageOutput
    roles: ClassVar[frozenset[str]] = frozenset({"operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 120.0

    def __init__(self, model_dir: Path | None = None) -> None:
        # None until the host binds a data directory (``with_data_dir``); running refuses until then.
        self.model_dir = model_dir

    def with_data_dir(self, data_dir: Path) -> AmlTriage:
        """This skill with its artefact under ``data_dir`` (``<data_dir>/models/aml``)."""
        return AmlTriage(default_dir(data_dir))

    def run(self, payload: BaseModel) -> AmlTriageOutput:
        """Rank the batch and return the top ``limit`` entries."""
        if not isinstance(payload, AmlTriageInput):
            payload = AmlTriageInput.model_validate(payload.model_dump())
        if payload.reports is not None and payload.csv is not None:
            raise SkillError("give either 'reports' or 'csv', not both", code="bad_input")
        if payload.csv is not None:
            check_text(payload.csv, what="CSV")
            batch = batch_from_csv_rows(read_csv(payload.csv, required=CSV_COLUMNS))
        else:
            if not payload.reports:
                raise empty_batch("reports")
            if len(payload.reports) > MAX_REPORTS:
                raise too_large("batch", f"{MAX_REPORTS} reports")
            for r in payload.reports:
                check_text(r.text, what="report text")
            batch = batch_from_reports(_report_dicts(payload.reports))
        if len(set(batch.report_ids)) != batch.n_reports:
            raise SkillError("report ids must be unique within a batch", code="bad_input")
        if self.model_dir is None:
            raise SkillError("aml_triage has no model directory configured", code="not_configured",
                             http_status=503)
        model = load_or_train(self.model_dir)
        graph = load_or_train_graph(graph_dir(self.model_dir)) if payload.use_graph else None
        entries, total = rank(batch, model, limit=payload.limit, graph=graph)
        return AmlTriageOutput(
            queue=[QueueEntry.model_validate(asdict(e)) for e in entries],
            total_reports=total,
            model={k: v for k, v in model.meta.items() if k in ("version", "history", "seed", "trained_s")}
            | ({"graph": {k: graph.meta[k] for k in ("version", "seed", "threshold", "trained_s")}}
               if graph is not None else {}),
        )

    def from_text(self, text: str) -> AmlTriageInput | None:
        """Voice or typed requests cannot carry a batch of reports, so none builds an input."""
        if re.search(r"\b(launder|aml|suspicious transaction)", text, re.IGNORECASE):
            logger.debug("aml_triage asked for by text; a batch must be uploaded")
        return None


SKILL = AmlTriage()
