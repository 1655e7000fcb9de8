"""Graph features of transactions over the account graph (numpy + scipy sparse, vectorised).

Each transaction is an edge ``src -> dst`` at a time with an amount. Its features describe
the edge itself (:data:`RAW_FEATURES`, what a per-transaction model sees) and the graph
around it (:data:`GRAPH_FEATURES`):

* fan-out / fan-in of both ends in 24-hour and 7-day windows around the edge;
* how often the pair transacts (laundering flows are one-offs, bills repeat) and how many
  one-off ("novel") flows each end has in the 7-day window;
* pass-on: the receiver sends on a similar amount (70-100 %) within 72 hours, or the
  sender received one in the 72 hours before;
* on the graph of novel flows in 10-day buckets: cycle membership (both ends in one small
  strongly connected component), scatter-gather / stack (parallel two-step paths between
  the same two accounts), gather-scatter (an account with many novel flows in and out),
  bipartite (four-cycles of the undirected novel graph through the edge);
* the neighbourhood of confirmed past cases: either end was already a confirmed
  laundering account, and how many of their novel-graph neighbours were.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

logger = logging.getLogger(__name__)

RAW_FEATURES: tuple[str, ...] = ("log_amount", "format", "hour_of_day", "round_amount")
GRAPH_FEATURES: tuple[str, ...] = (
    "src_out_24h", "src_out_7d", "src_in_7d", "dst_in_24h", "dst_in_7d", "dst_out_7d", "pair_count",
    "src_novel_out_7d", "dst_novel_in_7d", "passes_on", "passed_on", "cycle_scc_size", "two_paths",
    "hub_in_out", "four_cycles", "src_confirmed", "dst_confirmed", "confirmed_neighbours",
)
FEATURES = RAW_FEATURES + GRAPH_FEATURES
BUCKET_H = 240.0
SMALL_SCC = 12


@dataclass(frozen=True)
class Edges:
    """Transactions as flat columns; node ids are dense indices ``0 .. n_nodes - 1``."""

    src: np.ndarray
    dst: np.ndarray
    hours: np.ndarray
    amount: np.ndarray
    fmt: np.ndarray
    n_nodes: int


def _window_counts(node: np.ndarray, hours: np.ndarray, q_node: np.ndarray, q_hours: np.ndarray,
                   half_width: float) -> np.ndarray:
    """For each query, how many (node, hour) events of ``q_node`` lie within ``half_width`` hours."""
    if node.size == 0:
        return np.zeros(q_node.size)
    span = float(hours.max() - hours.min()) + 4 * half_width + 1.0
    base = hours.min() - 2 * half_width
    key = np.sort(node.astype(np.float64) * span + (hours - base))
    q = q_node.astype(np.float64) * span + (q_hours - base)
    hi = np.searchsorted(key, q + half_width, "right")
    return (hi - np.searchsorted(key, q - half_width, "left")).astype(np.float64)


def _pass_on(e: Edges, forward: bool) -> np.ndarray:
    """1.0 where a similar amount leaves ``dst`` within 72 h after (or reached ``src`` before)."""
    n = e.src.size
    out = np.zeros(n)
    if n == 0:
        return out
    # Outgoing (forward) or incoming (backward) transactions of each node, sorted by node then time.
    key_node = e.src if forward else e.dst
    order = np.lexsort((e.hours, key_node))
    nodes, times, amts = key_node[order], e.hours[order], e.amount[order]
    q_node = e.dst if forward else e.src
    lo_t = e.hours if forward else e.hours - 72.0
    hi_t = e.hours + 72.0 if forward else e.hours
    span = float(e.hours.max() - e.hours.min()) + 200.0
    base = e.hours.min() - 100.0
    key = nodes.astype(np.float64) * span + (times - base)
    lo = np.searchsorted(key, q_node * span + (lo_t - base), "right")
    hi = np.searchsorted(key, q_node * span + (hi_t - base), "right")
    cnt = np.minimum(hi - lo, 50)  # a hub's flood of payments says nothing more
    rep = np.repeat(np.arange(n), cnt)
    if rep.size == 0:
        return out
    offs = np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    cand = lo[rep] + offs
    if forward:
        ratio = amts[cand] / np.maximum(e.amount[rep], 0.01)
    else:
        ratio = e.amount[rep] / np.maximum(amts[cand], 0.01)
    ok = (ratio >= 0.7) & (ratio <= 1.0)
    np.maximum.at(out, rep[ok], 1.0)
    return out


def _best_paths(adj: sparse.csr_matrix, a2: sparse.csr_matrix, s: np.ndarray, d: np.ndarray, *,
                first: bool) -> np.ndarray:
    """Per edge, the most two-step paths through it between one pair of accounts."""
    pivot = d if first else s
    deg = np.diff(adj.indptr)[pivot]
    rep = np.repeat(np.arange(s.size), deg)
    out = np.zeros(s.size)
    if rep.size == 0:
        return out
    offs = np.arange(rep.size) - np.repeat(np.cumsum(deg) - deg, deg)
    other = adj.indices[adj.indptr[pivot][rep] + offs]
    vals = np.asarray(a2[s[rep], other]).ravel() if first else np.asarray(a2[other, d[rep]]).ravel()
    np.maximum.at(out, rep, vals)
    return out


def _bucket_motifs(e: Edges, novel: np.ndarray, confirmed: np.ndarray) -> np.ndarray:
    """Cycle, two-path, hub, four-cycle and confirmed-neighbour features on novel-flow buckets."""
    n = e.src.size
    feats = np.zeros((n, 5))
    if n == 0:
        return feats
    bucket = np.floor((e.hours - e.hours.min()) / BUCKET_H).astype(np.int64)
    for b in np.unique(bucket):
        idx = np.flatnonzero((bucket == b) & novel)
        if idx.size == 0:
            continue
        nodes, inv = np.unique(np.concatenate([e.src[idx], e.dst[idx]]), return_inverse=True)
        s, d = inv[:idx.size], inv[idx.size:]
        k = nodes.size
        a = sparse.csr_matrix((np.ones(idx.size), (s, d)), shape=(k, k))
        a.data[:] = 1.0
        a.sum_duplicates()
        a.data = np.minimum(a.data, 1.0)
        _, comp = connected_components(a, directed=True, connection="strong")
        size = np.bincount(comp)
        same = comp[s] == comp[d]
        csize = size[comp[s]]
        feats[idx, 0] = np.where(same & (csize <= SMALL_SCC), csize, 0)
        a2 = (a @ a).tocsr()
        at = a.T.tocsr()
        # Parallel two-step paths x -> m -> y (scatter-gather, stack): an edge s->d is the first
        # step (best y among d's successors) or the second (best x among s's predecessors).
        two = np.maximum(_best_paths(a, a2, s, d, first=True), _best_paths(at, a2, s, d, first=False))
        outdeg, indeg = np.diff(a.indptr), np.diff(at.indptr)
        via = np.asarray(a2[s, d]).ravel()  # two-step paths parallel to this very edge
        feats[idx, 1] = np.maximum(two, via)
        feats[idx, 2] = np.maximum(indeg[d] * outdeg[d], indeg[s] * outdeg[s])
        m = (a @ at @ a).tocsr()
        four = np.asarray(m[s, d]).ravel() - indeg[d] - outdeg[s] + 1
        feats[idx, 3] = np.maximum(four, 0)
        conf = confirmed[nodes].astype(np.float64)
        und = (a + at).tocsr()
        und.data[:] = 1.0
        nb = und @ conf
        feats[idx, 4] = nb[s] + nb[d]
    return feats


def edge_features(e: Edges, *, confirmed_at: np.ndarray | None = None) -> np.ndarray:
    """The ``(n_edges, len(FEATURES))`` float32 matrix.

    ``confirmed_at[node]`` is the hour the node was confirmed as a laundering account (inf
    if never); an edge sees only confirmations before its own time.
    """
    n = e.src.size
    conf_at = np.full(e.n_nodes, np.inf) if confirmed_at is None else confirmed_at
    amt = np.maximum(e.amount, 0.0)
    pair = e.src.astype(np.int64) * e.n_nodes + e.dst.astype(np.int64)
    _, pinv, pcount = np.unique(pair, return_inverse=True, return_counts=True)
    pair_count = pcount[pinv].astype(np.float64)
    novel = pair_count == 1
    w = {"24h": 12.0, "7d": 84.0}
    cols = {
        "log_amount": np.log1p(amt), "format": e.fmt.astype(np.float64),
        "hour_of_day": np.mod(e.hours, 24.0), "round_amount": (np.mod(amt, 100.0) == 0).astype(np.float64),
        "src_out_24h": _window_counts(e.src, e.hours, e.src, e.hours, w["24h"]),
        "src_out_7d": _window_counts(e.src, e.hours, e.src, e.hours, w["7d"]),
        "src_in_7d": _window_counts(e.dst, e.hours, e.src, e.hours, w["7d"]),
        "dst_in_24h": _window_counts(e.dst, e.hours, e.dst, e.hours, w["24h"]),
        "dst_in_7d": _window_counts(e.dst, e.hours, e.dst, e.hours, w["7d"]),
        "dst_out_7d": _window_counts(e.src, e.hours, e.dst, e.hours, w["7d"]),
        "pair_count": np.log1p(pair_count),
        "src_novel_out_7d": _window_counts(e.src[novel], e.hours[novel], e.src, e.hours, w["7d"]),
        "dst_novel_in_7d": _window_counts(e.dst[novel], e.hours[novel], e.dst, e.hours, w["7d"]),
        "passes_on": _pass_on(e, True), "passed_on": _pass_on(e, False),
    }
    confirmed_now = conf_at < np.inf
    motifs = _bucket_motifs(e, novel, confirmed_now)
    cols.update(cycle_scc_size=motifs[:, 0], two_paths=motifs[:, 1], hub_in_out=np.log1p(motifs[:, 2]),
                four_cycles=np.log1p(motifs[:, 3]),
                src_confirmed=(conf_at[e.src] < e.hours).astype(np.float64),
                dst_confirmed=(conf_at[e.dst] < e.hours).astype(np.float64),
                confirmed_neighbours=motifs[:, 4])
    x = np.column_stack([cols[f] for f in FEATURES]) if n else np.zeros((0, len(FEATURES)))
    return np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
