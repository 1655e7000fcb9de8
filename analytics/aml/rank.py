"""Turn reports (JSON objects or CSV rows) into a ranked triage queue.

Parsing builds the columnar :class:`~analytics.aml.features.Batch` once; scoring is
vectorised over the whole batch; explanations (top contributing features, nearest past
cases) are computed only for the entries actually returned.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from analytics.aml.features import CHANNEL_CODE, FEATURES, HIGH_RISK, Batch, currency_columns, text_flag_count
from analytics.aml.graph_model import GraphModel
from analytics.aml.graph_rank import GraphScores, graph_scores
from analytics.aml.model import KNN_K, MODEL_WEIGHT, AmlModel, features_for
from analytics.errors import SkillError

logger = logging.getLogger(__name__)

CSV_COLUMNS = ("report_id", "amount", "currency", "time", "direction")


@dataclass(frozen=True)
class Contribution:
    """How much one feature raised the model's probability (occlusion against a typical non-case)."""

    feature: str
    value: float
    contribution: float


@dataclass(frozen=True)
class Neighbour:
    """One similar past confirmed case."""

    case_id: str
    similarity: float
    typologies: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One row of the triage queue."""

    rank: int
    report_id: str
    score: float
    model_score: float
    similarity_score: float
    rules_fired: int
    top_features: tuple[Contribution, ...]
    nearest_cases: tuple[Neighbour, ...]
    report_score: float = 0.0  # the per-report model's combined score (``score`` before the graph)
    graph_score: float | None = None  # best transaction score on the batch's transaction graph
    graph_features: tuple[Contribution, ...] = ()
    graph_cases: tuple[Neighbour, ...] = ()


def _hours(values: Sequence[str]) -> np.ndarray:
    """Hours since the epoch (UTC) of ISO 8601 date-times; a vectorised parse, then a slow path."""
    try:
        with warnings.catch_warnings():
            # numpy only warns on other UTC offsets; those take the exact slow path below.
            warnings.simplefilter("error")
            arr = np.array([v.strip().removesuffix("Z").removesuffix("+00:00") for v in values],
                           dtype="datetime64[s]")
        return arr.astype(np.int64) / 3600.0
    except (ValueError, UserWarning, DeprecationWarning):
        pass
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            d = datetime.fromisoformat(v.strip())
        except ValueError as err:
            raise SkillError("a transaction time is not an ISO 8601 date-time", code="bad_input") from err
        if d.tzinfo is None:
            d = d.replace(tzinfo=UTC)
        out[i] = d.timestamp() / 3600.0
    return out


def batch_from_columns(
    *, report_ids: list[str], t_rep: list[int], amount: list[float], currency: list[str], time: list[str],
    channel: list[str], direction: list[str], counterparty: list[str], country: list[str],
    last_active: list[str | None], parties: list[list[str]], texts: list[str],
    account: list[str] | None = None,
) -> Batch:
    """Build a :class:`Batch` from per-transaction lists (shared by the JSON and CSV readers)."""
    n = len(report_ids)
    rep = np.asarray(t_rep, dtype=np.int64)
    amt = np.asarray(amount, dtype=np.float64)
    if np.any(~np.isfinite(amt)) or np.any(amt < 0):
        raise SkillError("transaction amounts must be finite and not negative", code="bad_input")
    cur = np.array([c.strip().upper() for c in currency])
    rate, thr, unit = currency_columns(cur)
    hours = _hours(time)
    bad_dir = {d for d in direction if d not in ("in", "out")}
    if bad_dir:
        raise SkillError("transaction direction must be 'in' or 'out'", code="bad_input")
    # Accounts and counterparties share one vocabulary: an account paid in one report may
    # be the counterparty of another, which is what the transaction graph links up.
    accts = account if account is not None else [report_ids[r] for r in t_rep]
    vocab_nodes, codes = np.unique(np.array(list(accts) + list(counterparty), dtype=str), return_inverse=True)
    acct_code, cp = codes[:len(accts)], codes[len(accts):]
    countries = np.array([c.strip().upper() for c in country])
    first = np.full(n, np.inf)
    np.minimum.at(first, rep, hours)
    dormancy = np.zeros(n)
    for i, la in enumerate(last_active):
        if la and np.isfinite(first[i]):
            dormancy[i] = max(0.0, (first[i] - float(_hours([la])[0])) / 24.0)
    vocab: dict[str, int] = {}
    p_rep: list[int] = []
    p_party: list[int] = []
    for i, ps in enumerate(parties):
        for p in dict.fromkeys(ps):
            p_rep.append(i)
            p_party.append(vocab.setdefault(p, len(vocab)))
    return Batch(
        report_ids=report_ids, t_rep=rep, t_amount=amt, t_usd=amt * rate, t_threshold=thr, t_round_unit=unit,
        t_hours=hours, t_channel=np.array([CHANNEL_CODE.get(c.strip().lower(), CHANNEL_CODE["other"])
                                           for c in channel], dtype=np.int8),
        t_in=np.array([d == "in" for d in direction], dtype=bool), t_cp=cp.astype(np.int64),
        t_high_risk=np.isin(countries, list(HIGH_RISK)), dormancy_days=dormancy,
        p_rep=np.asarray(p_rep, dtype=np.int64), p_party=np.asarray(p_party, dtype=np.int64),
        party_vocab=list(vocab), text_flags=np.array([text_flag_count(t) for t in texts], dtype=np.float64),
        t_acct=acct_code.astype(np.int64), node_vocab=[str(v) for v in vocab_nodes],
    )


def batch_from_reports(reports: Sequence[Mapping[str, Any]]) -> Batch:
    """Build a batch from report dicts in the JSON input form (see ``analytics.aml_triage``)."""
    cols: dict[str, list] = {k: [] for k in ("t_rep", "amount", "currency", "time", "channel", "direction",
                                              "counterparty", "country", "account")}
    ids, last_active, parties, texts = [], [], [], []
    for i, r in enumerate(reports):
        ids.append(str(r["id"]))
        accounts = r.get("accounts") or []
        stamps = [str(a["last_active"]) for a in accounts if a.get("last_active")]
        last_active.append(min(stamps) if stamps else None)
        parties.append([str(p.get("id") or p.get("name") or "") for p in r.get("parties") or []])
        texts.append(str(r.get("text") or ""))
        default_account = str(accounts[0].get("id")) if accounts and accounts[0].get("id") else str(r["id"])
        for t in r.get("transactions") or []:
            cols["account"].append(str(t.get("account") or default_account))
            cols["t_rep"].append(i)
            cols["amount"].append(float(t["amount"]))
            cols["currency"].append(str(t.get("currency") or "USD"))
            cols["time"].append(str(t["time"]))
            cols["channel"].append(str(t.get("channel") or "other"))
            cols["direction"].append(str(t["direction"]))
            cols["counterparty"].append(str(t.get("counterparty") or ""))
            cols["country"].append(str(t.get("counterparty_country") or ""))
    return batch_from_columns(report_ids=ids, last_active=last_active, parties=parties, texts=texts,
                              **cols)


def batch_from_csv_rows(rows: Sequence[Mapping[str, str]]) -> Batch:
    """Build a batch from CSV rows, one per transaction, grouped by ``report_id``."""
    index: dict[str, int] = {}
    cols: dict[str, list] = {k: [] for k in ("t_rep", "amount", "currency", "time", "channel", "direction",
                                              "counterparty", "country", "account")}
    last_active: list[str | None] = []
    parties: list[list[str]] = []
    texts: list[str] = []
    for n, row in enumerate(rows, start=2):
        rid = row["report_id"].strip()
        if not rid:
            raise SkillError(f"malformed CSV: row {n} has no report_id", code="bad_csv")
        i = index.get(rid)
        if i is None:
            i = index[rid] = len(index)
            last_active.append(None)
            parties.append([])
            texts.append("")
        la = (row.get("account_last_active") or "").strip()
        if la and (last_active[i] is None or la < str(last_active[i])):
            last_active[i] = la
        parties[i].extend(p.strip() for p in (row.get("parties") or "").split(";") if p.strip())
        texts[i] += row.get("text") or ""
        try:
            cols["amount"].append(float(row["amount"]))
        except ValueError as err:
            raise SkillError(f"malformed CSV: row {n} has a non-numeric amount", code="bad_csv") from err
        cols["t_rep"].append(i)
        cols["account"].append((row.get("account") or "").strip() or rid)
        cols["currency"].append(row["currency"] or "USD")
        cols["time"].append(row["time"])
        cols["channel"].append(row.get("channel") or "other")
        cols["direction"].append(row["direction"].strip().lower())
        cols["counterparty"].append(row.get("counterparty") or "")
        cols["country"].append(row.get("counterparty_country") or "")
    return batch_from_columns(report_ids=list(index), last_active=last_active, parties=parties, texts=texts,
                              **cols)


def _contributions(model: AmlModel, x: np.ndarray, top: int = 3) -> list[tuple[Contribution, ...]]:
    # Log-odds, not probability: near-certain cases would otherwise show no contribution.
    base = model.model_logit(x)
    k = x.shape[1]
    probes = np.repeat(x, k, axis=0)
    cols = np.tile(np.arange(k), len(x))
    probes[np.arange(len(probes)), cols] = model.benign_reference[cols]
    drop = base[:, None] - model.model_logit(probes).reshape(len(x), k)
    out = []
    for i in range(len(x)):
        order = np.argsort(-drop[i])[:top]
        out.append(tuple(Contribution(FEATURES[j], round(float(x[i, j]), 3), round(float(drop[i, j]), 3))
                         for j in order if drop[i, j] > 0.05))
    return out


def _prune_knn(
    model: AmlModel, x: np.ndarray, p: np.ndarray, limit: int, step: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest-neighbour scores only where they can change the top ``limit`` (exact).

    The combined score is ``w * p + (1 - w) * knn`` with ``knn`` in [0, 1], so a report whose
    ``w * p + (1 - w)`` is below the ``limit``-th best combined score found so far cannot
    enter the queue. Reports are visited by descending model score until that bound holds;
    the rest keep ``knn = 0`` (not computed, never returned).
    """
    w = MODEL_WEIGHT
    order = np.argsort(-p, kind="stable")
    combined = w * p  # lower bound for the rest
    s = np.zeros(len(p))
    nearest = np.zeros((len(p), KNN_K), dtype=np.int64)
    done = 0
    while done < len(order):
        idx = order[done:done + step]
        si, ni = model.knn(x[idx])
        s[idx], nearest[idx] = si, ni
        combined[idx] = w * p[idx] + (1 - w) * si
        done += len(idx)
        if done >= len(order) or done < limit:
            continue
        kth = np.partition(combined[order[:done]], -limit)[-limit]
        if w * p[order[done]] + (1 - w) < kth:
            break
    return combined, s, nearest


def _graph_explanations(
    graph: GraphModel | None, gs: GraphScores | None, top: np.ndarray, neighbours: int
) -> tuple[list[tuple[Contribution, ...]], list[tuple[Neighbour, ...]]]:
    """Top features and nearest past cases of each returned report's best transaction."""
    if graph is None or gs is None or not len(top):
        return [()] * len(top), [()] * len(top)
    best = gs.best_edge[top]
    has = best >= 0
    xb = gs.x[np.maximum(best, 0)]
    feats = graph.top_features(xb) if has.any() else [()] * len(top)
    cases = graph.nearest_cases(xb, k=neighbours)
    out_f = [tuple(Contribution(*c) for c in f) if h else () for f, h in zip(feats, has, strict=True)]
    out_c = [tuple(Neighbour(name, sim, (typ,)) for name, typ, sim in c) if h else ()
             for c, h in zip(cases, has, strict=True)]
    return out_f, out_c


def rank(
    batch: Batch, model: AmlModel, *, limit: int = 50, neighbours: int = 3, graph: GraphModel | None = None,
    graph_weight: float = 0.5,
) -> tuple[list[Entry], int]:
    """Score every report and return the top ``limit`` queue entries and the batch size.

    With ``graph``, a report's ``score`` is ``(1 - graph_weight) * report score + graph_weight
    * graph score``; without it, the report score alone (as before the graph model).
    """
    from analytics.aml.features import rules_score

    x = features_for(model, batch)
    p = model.model_proba(x)
    gs = graph_scores(batch, graph) if graph is not None else None
    # The exact top-k pruning of the neighbour vote only holds for the report score alone.
    combined, s, nearest = _prune_knn(model, x, p, limit if gs is None else batch.n_reports)
    report_score = combined
    if gs is not None:
        combined = (1 - graph_weight) * combined + graph_weight * gs.score
    rules = np.rint(rules_score(x) * 7).astype(int)
    top = np.argsort(-combined, kind="stable")[:limit]
    g_feat, g_cases = _graph_explanations(graph, gs, top, neighbours)
    contrib = _contributions(model, x[top]) if len(top) else []
    entries = []
    for r, i in enumerate(top):
        cases = [j for j in nearest[i] if model.ref_y[j] == 1][:neighbours]
        z = model.standardise(x[i:i + 1])[0]
        entries.append(Entry(
            rank=r + 1, report_id=batch.report_ids[i], score=round(float(combined[i]), 4),
            model_score=round(float(p[i]), 4), similarity_score=round(float(s[i]), 4),
            rules_fired=int(rules[i]), top_features=contrib[r],
            nearest_cases=tuple(Neighbour(model.ref_ids[j],
                                          round(float(1.0 / (1.0 + np.linalg.norm(z - model.ref_x[j]))), 3),
                                          model.ref_typologies[j]) for j in cases),
            report_score=round(float(report_score[i]), 4),
            graph_score=None if gs is None else round(float(gs.score[i]), 4),
            graph_features=g_feat[r], graph_cases=g_cases[r],
        ))
    logger.info("aml ranked %d reports, returned %d", batch.n_reports, len(entries))
    return entries, batch.n_reports
