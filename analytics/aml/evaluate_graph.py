"""Figures of the AML models on the typology generator's time split (tests and the bench).

:func:`evaluate` builds one world, splits it in time (first 60 of 90 days past, the rest
future), trains the graph model and the raw-feature baseline on the past, and scores the
future: per transaction (minority-class F1 at the model's own threshold, precision@100,
F1 per typology) and per report (alert reports on the future's accounts, scored by the
graph model through the flows they touch, by today's per-report model as shipped, and by
the per-report model retrained on the past's reports).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from analytics.aml.features import CHANNEL_CODE, Batch, features
from analytics.aml.graph import Edges, edge_features
from analytics.aml.graph_model import GraphModel, best_threshold, confirmed_at, train, world_edges
from analytics.aml.model import features_for, load_or_train
from analytics.aml.typologies import (
    FORMATS,
    TYPOLOGIES,
    Reports,
    World,
    alert_reports,
    generate_world,
    time_split,
)

logger = logging.getLogger(__name__)


@dataclass
class Figures:
    """What :func:`evaluate` measured (all on the future part of the time split)."""

    edge: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> metric -> value
    per_typology: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> typology -> F1
    report: dict[str, dict[str, float]] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)


def f1_at(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """``(precision, recall, F1)`` of boolean predictions."""
    tp = float((pred & (y == 1)).sum())
    p = tp / max(float(pred.sum()), 1.0)
    r = tp / max(float((y == 1).sum()), 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def precision_at(scores: np.ndarray, y: np.ndarray, k: int) -> float:
    """Share of laundering among the ``k`` highest scores."""
    top = np.argsort(-scores, kind="stable")[:k]
    return float((y[top] == 1).mean()) if top.size else 0.0


def reports_batch(world: World, reps: Reports) -> Batch:
    """Reports as today's per-report :class:`~analytics.aml.features.Batch` (one account each)."""
    acc = reps.account[reps.t_report]
    i = reps.t_index
    t_in = world.dst[i] == acc
    cp = np.where(t_in, world.src[i], world.dst[i])
    channel = np.array([CHANNEL_CODE[f] for f in FORMATS], dtype=np.int8)[world.fmt[i]]
    order = np.argsort(reps.t_report, kind="stable")
    n = reps.n
    amount, hours = world.amount[i][order], world.hours[i][order]
    return Batch(
        report_ids=[f"R{k:06d}" for k in range(n)], t_rep=reps.t_report[order], t_amount=amount,
        t_usd=amount, t_threshold=np.full(i.size, 10_000.0), t_round_unit=np.full(i.size, 1_000.0),
        t_hours=hours, t_channel=channel[order], t_in=t_in[order], t_cp=cp[order].astype(np.int64),
        t_high_risk=np.zeros(i.size, bool), dormancy_days=np.zeros(n), p_rep=np.arange(n, dtype=np.int64),
        p_party=np.arange(n, dtype=np.int64), party_vocab=[f"P{k}" for k in range(n)], text_flags=np.zeros(n),
    )


def report_scores(edge_scores: np.ndarray, reps: Reports) -> np.ndarray:
    """A report's score: the highest score of the transactions it touches."""
    out = np.zeros(reps.n)
    np.maximum.at(out, reps.t_report, edge_scores[reps.t_index])
    return out


def _edge_figures(name: str, model: GraphModel, x: np.ndarray, fut: World, figs: Figures) -> np.ndarray:
    p = model.proba(x)
    y = fut.label
    prec, rec, f1 = f1_at(p >= model.threshold, y)
    figs.edge[name] = {"f1": f1, "precision": prec, "recall": rec,
                       "precision_at_100": precision_at(p, y, 100)}
    typ = fut.typology
    figs.per_typology[name] = {}
    for t in TYPOLOGIES:
        m = (y == 0) | (typ == t)
        figs.per_typology[name][t] = f1_at(p[m] >= model.threshold, y[m])[2]
    return p


def evaluate(*, seed: int = 20231, aml_dir: Path | None = None, **world_kw: float) -> Figures:
    """Train on the past of a seeded world and measure every model on its future."""
    t0 = time.perf_counter()
    world = generate_world(seed=seed, **world_kw)  # type: ignore[arg-type]
    past, _, cut = time_split(world)
    x_past = edge_features(world_edges(past), confirmed_at=confirmed_at(past, cut))
    x_all = edge_features(world_edges(world), confirmed_at=confirmed_at(world, cut))
    future_mask = world.hours >= cut
    fut, x_fut = world.subset(future_mask), x_all[future_mask]
    figs = Figures(sizes={"transactions": float(world.src.size), "illicit_rate": float(world.label.mean()),
                          "future_transactions": float(fut.src.size),
                          "future_illicit": float(fut.label.sum())})
    graph = train(world=world, past_x=x_past, seed=seed)
    raw = train(world=world, past_x=x_past, seed=seed, raw_only=True)
    figs.sizes["train_s_graph"] = float(str(graph.meta["trained_s"]))
    p_graph = _edge_figures("graph", graph, x_fut, fut, figs)
    p_raw = _edge_figures("raw", raw, x_fut, fut, figs)
    # Reports: the future's alerts, and the past's for the retrained per-report model.
    reps, past_reps = alert_reports(fut, seed=seed), alert_reports(past, seed=seed + 1)
    figs.sizes.update(reports=float(reps.n), positive_reports=float(reps.label.sum()))
    scores = {"graph": report_scores(p_graph, reps), "raw": report_scores(p_raw, reps)}
    thresholds = {"graph": graph.threshold, "raw": raw.threshold}
    xb, xb_past = features(reports_batch(fut, reps)), features(reports_batch(past, past_reps))
    gbm = HistGradientBoostingClassifier(max_iter=120, max_leaf_nodes=15, random_state=0).fit(xb_past,
                                                                                              past_reps.label)
    scores["per_report_retrained"] = gbm.predict_proba(xb)[:, 1]
    thresholds["per_report_retrained"] = best_threshold(gbm.predict_proba(xb_past)[:, 1], past_reps.label)
    if aml_dir is not None:
        today = load_or_train(aml_dir)
        batch = reports_batch(fut, reps)
        scores["per_report_today"] = today.score(features_for(today, batch))[0]
        past_batch = reports_batch(past, past_reps)
        thresholds["per_report_today"] = best_threshold(today.score(features_for(today, past_batch))[0],
                                                        past_reps.label)
    if "per_report_today" in scores:
        # How the skill ranks by default: the mean of the report model's and the graph's scores.
        scores["combined"] = 0.5 * scores["per_report_today"] + 0.5 * scores["graph"]
        thresholds["combined"] = 0.5 * thresholds["per_report_today"] + 0.5 * graph.threshold
    for name, s in scores.items():
        prec, rec, f1 = f1_at(s >= thresholds[name], reps.label)
        figs.report[name] = {"f1": f1, "precision": prec, "recall": rec,
                             "precision_at_100": precision_at(s, reps.label, 100)}
    figs.sizes["evaluate_s"] = round(time.perf_counter() - t0, 1)
    return figs


def edges_of(world: World) -> Edges:
    """Alias of :func:`analytics.aml.graph_model.world_edges` for callers of this module."""
    return world_edges(world)
