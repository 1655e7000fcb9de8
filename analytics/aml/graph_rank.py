"""Score an uploaded batch of reports through the transaction graph they form together.

Every transaction of the batch becomes an edge between its account and its counterparty
(``in``: counterparty -> account, ``out``: account -> counterparty), in one graph across all
reports, so a cycle or a scatter-gather that spans several reports is seen as one. Each
edge is scored by :class:`~analytics.aml.graph_model.GraphModel`; a report's graph score is
its highest-scoring transaction, explained by that transaction's top features and nearest
past cases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from analytics.aml.features import CHANNELS, Batch
from analytics.aml.graph import Edges, edge_features
from analytics.aml.graph_model import GraphModel
from analytics.aml.typologies import FORMAT_CODE

logger = logging.getLogger(__name__)

_CHANNEL_TO_FORMAT = np.array([FORMAT_CODE.get(c, FORMAT_CODE["wire"]) for c in CHANNELS], dtype=np.int8)


@dataclass(frozen=True)
class GraphScores:
    """Per report: the graph score and the index of the transaction that set it (-1: none)."""

    score: np.ndarray
    best_edge: np.ndarray
    x: np.ndarray  # edge features of every transaction


def batch_edges(batch: Batch) -> Edges:
    """The batch's transactions as graph edges; unnamed counterparties stay distinct nodes."""
    n_vocab = len(batch.node_vocab or [])
    acct = batch.t_acct if batch.t_acct is not None else batch.t_rep + n_vocab + batch.t_cp.size
    cp = batch.t_cp.copy()
    if batch.node_vocab is not None and "" in batch.node_vocab:
        blank = batch.node_vocab.index("")
        unnamed = cp == blank
        cp[unnamed] = n_vocab + np.flatnonzero(unnamed)
    src = np.where(batch.t_in, cp, acct)
    dst = np.where(batch.t_in, acct, cp)
    n_nodes = int(max(src.max(initial=0), dst.max(initial=0))) + 1
    return Edges(src.astype(np.int64), dst.astype(np.int64), batch.t_hours, batch.t_usd,
                 _CHANNEL_TO_FORMAT[batch.t_channel], n_nodes)


def graph_scores(batch: Batch, model: GraphModel) -> GraphScores:
    """Score every transaction on the batch's graph and take each report's best."""
    e = batch_edges(batch)
    conf = np.full(e.n_nodes, np.inf)
    if batch.node_vocab is not None and model.confirmed_accounts:
        known = np.fromiter((v in model.confirmed_accounts for v in batch.node_vocab), dtype=bool,
                            count=len(batch.node_vocab))
        conf[:len(known)][known] = -np.inf
    x = edge_features(e, confirmed_at=conf)
    p = model.proba(x)
    n = batch.n_reports
    score = np.zeros(n)
    np.maximum.at(score, batch.t_rep, p)
    best = np.full(n, -1)
    order = np.lexsort((-p, batch.t_rep))  # per report, highest score first
    first = np.ones(order.size, dtype=bool)
    first[1:] = batch.t_rep[order][1:] != batch.t_rep[order][:-1]
    best[batch.t_rep[order][first]] = order[first]
    return GraphScores(score, best, x)
