"""The transaction-graph AML model: boosted trees on edge features, reports ranked by their flows.

Trained on the past part of a :func:`analytics.aml.typologies.generate_world` world (a time
split): a ``HistGradientBoostingClassifier`` on :data:`analytics.aml.graph.FEATURES` of
every past transaction (ordinary ones subsampled to 5 % and re-weighted), its decision threshold set
for the best F1 on the last 15 days of the past, which the trees did not see. A report's
graph score is the highest score of the transactions (flows) it touches. For explanations
the model keeps the standardised features of past laundering transactions with the name
and typology of their case, so each score comes with its nearest past cases and its top
features (occlusion against a typical ordinary transaction).

The artefact (``<data_dir>/models/aml_graph/model.pkl`` + ``meta.json`` with its SHA-256)
is trained on first use if missing (see docs/benchmarks.md for the time it takes).
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from analytics.aml.artefact import load_artefact, save_artefact
from analytics.aml.graph import FEATURES, RAW_FEATURES, Edges, edge_features
from analytics.aml.typologies import World, generate_world, time_split

logger = logging.getLogger(__name__)

VERSION = 1
WORLD_SEED = 20231
CONFIRM_LAG_H = 168.0  # a case is confirmed a week after its first laundering transaction
VALID_H = 15 * 24.0
NEG_SHARE = 0.05
WORLD_KW: dict[str, float] = {}  # overrides of generate_world's size (tests train a small world)
_lock = threading.Lock()
_cache: dict[Path, GraphModel] = {}


def world_edges(world: World) -> Edges:
    """A world's transactions as graph edges."""
    return Edges(world.src, world.dst, world.hours, world.amount, world.fmt, world.n_accounts)


def confirmed_at(world: World, before: float) -> np.ndarray:
    """Per account, the hour its laundering was confirmed (labels before ``before`` only)."""
    out = np.full(world.n_accounts, np.inf)
    known = (world.label == 1) & (world.hours < before)
    for col in (world.src, world.dst):
        np.minimum.at(out, col[known], world.hours[known] + CONFIRM_LAG_H)
    return out


@dataclass
class GraphModel:
    """Fitted trees, the threshold, and the past cases used to explain scores."""

    gbm: HistGradientBoostingClassifier
    columns: tuple[int, ...]  # indices into FEATURES the trees use
    threshold: float
    mean: np.ndarray
    std: np.ndarray
    case_x: np.ndarray  # standardised features of past laundering transactions
    case_names: list[str]
    case_typologies: list[str]
    reference: np.ndarray  # median features of ordinary transactions
    meta: dict[str, object] = field(default_factory=dict)
    confirmed_accounts: frozenset[str] = frozenset()  # accounts of confirmed past cases

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Probability that each transaction is laundering."""
        if len(x) == 0:
            return np.zeros(0)
        return np.asarray(self.gbm.predict_proba(x[:, self.columns])[:, 1], dtype=np.float64)

    def top_features(self, x: np.ndarray, top: int = 3) -> list[tuple[tuple[str, float, float], ...]]:
        """Per row, the features whose replacement by a typical value lowers the log-odds most."""
        cols = np.asarray(self.columns)
        base = self.gbm.decision_function(x[:, cols])
        k = cols.size
        probes = np.repeat(x, k, axis=0)
        which = np.tile(cols, len(x))
        probes[np.arange(len(probes)), which] = self.reference[which]
        drop = base[:, None] - self.gbm.decision_function(probes[:, cols]).reshape(len(x), k)
        out = []
        for i in range(len(x)):
            order = np.argsort(-drop[i])[:top]
            out.append(tuple((FEATURES[cols[j]], round(float(x[i, cols[j]]), 3), round(float(drop[i, j]), 3))
                             for j in order if drop[i, j] > 0.05))
        return out

    def nearest_cases(self, x: np.ndarray, k: int = 3) -> list[list[tuple[str, str, float]]]:
        """Per row, the ``k`` nearest past cases as ``(case name, typology, similarity)``."""
        if len(self.case_x) == 0:
            return [[] for _ in range(len(x))]
        z = ((x - self.mean) / self.std).astype(np.float32)
        d = np.sqrt(np.maximum((z * z).sum(1)[:, None] - 2 * z @ self.case_x.T
                               + (self.case_x ** 2).sum(1)[None, :], 0.0))
        out = []
        for i in range(len(x)):
            seen: dict[str, tuple[str, str, float]] = {}
            for j in np.argsort(d[i]):
                name = self.case_names[j]
                if name not in seen:
                    seen[name] = (name, self.case_typologies[j], round(float(1.0 / (1.0 + d[i, j])), 3))
                if len(seen) == k:
                    break
            out.append(list(seen.values()))
        return out


def _fit(x: np.ndarray, y: np.ndarray, columns: tuple[int, ...], seed: int) -> HistGradientBoostingClassifier:
    rng = np.random.default_rng(seed)
    # Ordinary transactions subsampled to 5 % and re-weighted: the fit stays in seconds.
    keep = (y == 1) | (rng.random(y.size) < NEG_SHARE)
    weight = np.where(y[keep] == 1, 1.0, 1.0 / NEG_SHARE)
    gbm = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, max_leaf_nodes=31,
                                         l2_regularization=1.0, random_state=0)
    gbm.fit(x[keep][:, columns], y[keep], sample_weight=weight)
    return gbm


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The score threshold with the best F1 (ties: the higher threshold)."""
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order] == 1)
    k = np.arange(1, p.size + 1)
    f1 = 2 * tp / (k + max(int((y == 1).sum()), 1))
    i = int(np.argmax(f1))
    return float(p[order][i]) if p.size else 0.5


def train(*, seed: int = WORLD_SEED, raw_only: bool = False, world: World | None = None,
          past_x: np.ndarray | None = None) -> GraphModel:
    """Train on the past of a generated world (the graph model, or the raw-feature baseline)."""
    t0 = time.perf_counter()
    world = world if world is not None else generate_world(seed=seed, **WORLD_KW)  # type: ignore[arg-type]
    past, _, cut = time_split(world)
    if past_x is None:
        past_x = edge_features(world_edges(past), confirmed_at=confirmed_at(past, cut))
    x = past_x
    y = past.label.astype(np.int8)
    columns = tuple(range(len(RAW_FEATURES))) if raw_only else tuple(range(len(FEATURES)))
    fit_part = past.hours < cut - VALID_H
    gbm = _fit(x[fit_part], y[fit_part], columns, seed)
    model = GraphModel(gbm, columns, 0.5, x.mean(0), x.std(0) + 1e-6, np.zeros((0, x.shape[1]), np.float32),
                       [], [], np.median(x[y == 0], axis=0))
    model.threshold = best_threshold(model.proba(x[~fit_part]), y[~fit_part])
    cases = np.flatnonzero(y == 1)
    model.case_x = ((x[cases] - model.mean) / model.std).astype(np.float32)
    model.case_names = [f"CASE-{int(p):04d}" for p in past.pattern[cases]]
    model.case_typologies = [past.pattern_typology[int(p)] for p in past.pattern[cases]]
    confirmed = np.flatnonzero(confirmed_at(past, cut) < cut)
    model.confirmed_accounts = frozenset(past.account_ids(confirmed))
    model.meta = {"version": VERSION, "seed": seed, "raw_only": raw_only, "past_transactions": int(y.size),
                  "past_cases": len(set(model.case_names)), "threshold": round(model.threshold, 4),
                  "trained_s": round(time.perf_counter() - t0, 2)}
    logger.info("aml graph model (raw_only=%s) trained in %.1f s", raw_only, model.meta["trained_s"])
    return model


def save(model: GraphModel, directory: Path) -> Path:
    """Write ``model.pkl`` and ``meta.json`` (with the pickle's SHA-256)."""
    return save_artefact(model, model.meta, directory)


def load(directory: Path) -> GraphModel:
    """Load an artefact, refusing one whose checksum or version does not match."""
    return load_artefact(directory, GraphModel, VERSION, "AML graph")


def default_dir(data_dir: Path) -> Path:
    """``<data_dir>/models/aml_graph``."""
    return Path(data_dir) / "models" / "aml_graph"


def load_or_train(directory: Path) -> GraphModel:
    """The cached model for ``directory``: loaded if saved there, else trained and saved."""
    with _lock:
        if directory in _cache:
            return _cache[directory]
        model: GraphModel | None = None
        if (directory / "model.pkl").exists():
            try:
                model = load(directory)
            except (ValueError, OSError, pickle.UnpicklingError, AttributeError) as err:
                logger.warning("AML graph artefact unusable (%s); retraining", type(err).__name__)
        if model is None:
            model = train()
            try:
                save(model, directory)
            except OSError as err:
                logger.warning("could not save the AML graph model to %s: %s", directory, err)
        _cache[directory] = model
        return model
