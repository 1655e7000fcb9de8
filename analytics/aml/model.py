"""The AML risk model: gradient boosting on labelled history plus nearest past cases.

The artefact (``<data_dir>/models/aml/model.pkl`` with ``meta.json`` beside it) holds the
fitted scikit-learn ``HistGradientBoostingClassifier``, the standardised feature rows of the
labelled history (the nearest-neighbour reference), and the parties of confirmed cases.
``meta.json`` records the SHA-256 of the pickle, which is checked before unpickling. If the
artefact is missing, :func:`load_or_train` trains one deterministically (a few seconds).
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
from analytics.aml.features import FEATURES, Batch, features
from analytics.aml.synth import generate

logger = logging.getLogger(__name__)

VERSION = 1
HISTORY_SIZE = 6_000
HISTORY_SEED = 20240
KNN_K = 15
MODEL_WEIGHT = 0.7  # the rest is the nearest-neighbour vote
_lock = threading.Lock()
_cache: dict[Path, AmlModel] = {}


@dataclass
class AmlModel:
    """Everything needed to score reports."""

    gbm: HistGradientBoostingClassifier
    mean: np.ndarray
    std: np.ndarray
    ref_x: np.ndarray  # standardised history features, float32
    ref_y: np.ndarray  # int8 labels
    ref_ids: list[str]
    ref_typologies: list[tuple[str, ...]]
    confirmed_parties: frozenset[str]
    benign_reference: np.ndarray  # median feature row of non-cases (for explanations)
    meta: dict[str, object] = field(default_factory=dict)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """Features on the history's scale (float32)."""
        return ((x - self.mean) / self.std).astype(np.float32)

    def model_proba(self, x: np.ndarray) -> np.ndarray:
        """The gradient-boosting probability of a confirmed case."""
        return np.asarray(self.gbm.predict_proba(x)[:, 1], dtype=np.float64)

    def model_logit(self, x: np.ndarray) -> np.ndarray:
        """The gradient-boosting log-odds (used for feature contributions)."""
        return np.asarray(self.gbm.decision_function(x), dtype=np.float64)

    def knn(self, x: np.ndarray, *, k: int = KNN_K, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """Distance-weighted share of confirmed cases among the ``k`` nearest past cases.

        Returns ``(score, nearest)`` with ``nearest[i]`` the indices of the k neighbours,
        nearest first.
        """
        z = self.standardise(x)
        ref = self.ref_x
        ref_sq = (ref * ref).sum(axis=1)
        y = self.ref_y.astype(np.float32)
        scores = np.empty(len(z))
        nearest = np.empty((len(z), k), dtype=np.int64)
        for a in range(0, len(z), chunk):
            q = z[a:a + chunk]
            d2 = (q * q).sum(axis=1)[:, None] - 2.0 * (q @ ref.T) + ref_sq[None, :]
            idx = np.argpartition(d2, k, axis=1)[:, :k]
            dk = np.take_along_axis(d2, idx, axis=1)
            order = np.argsort(dk, axis=1)
            idx = np.take_along_axis(idx, order, axis=1)
            dk = np.sqrt(np.maximum(np.take_along_axis(dk, order, axis=1), 0.0))
            w = 1.0 / (dk + 0.5)
            scores[a:a + chunk] = (w * y[idx]).sum(axis=1) / w.sum(axis=1)
            nearest[a:a + chunk] = idx
        return scores, nearest

    def score(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(combined, model_proba, knn_score, nearest)`` for a feature matrix."""
        p = self.model_proba(x)
        s, nearest = self.knn(x)
        return MODEL_WEIGHT * p + (1 - MODEL_WEIGHT) * s, p, s, nearest


def train(*, n: int | None = None, seed: int = HISTORY_SEED) -> AmlModel:
    """Train deterministically on a generated labelled history (``HISTORY_SIZE`` cases by default)."""
    t0 = time.perf_counter()
    n = HISTORY_SIZE if n is None else n
    syn = generate(n, seed=seed, positive_rate=0.25, prefix="H")
    confirmed = frozenset(
        syn.batch.party_vocab[p] for p, r in zip(syn.batch.p_party, syn.batch.p_rep, strict=True)
        if syn.labels[r] == 1
    )
    x = features(syn.batch)
    # "Known parties" in training counts a case's parties seen in OTHER confirmed cases, so
    # a case never vouches for itself; new reports are checked against the whole set.
    b = syn.batch
    own = syn.labels[b.p_rep].astype(np.float64)
    per_party = np.bincount(b.p_party, weights=own, minlength=len(b.party_vocab))
    seen_elsewhere = (per_party[b.p_party] - own) > 0
    known = np.bincount(b.p_rep, weights=seen_elsewhere.astype(np.float64), minlength=b.n_reports)
    x[:, FEATURES.index("known_parties")] = np.log1p(known)
    gbm = HistGradientBoostingClassifier(max_iter=120, learning_rate=0.1, max_leaf_nodes=15,
                                         l2_regularization=1.0, random_state=0)
    gbm.fit(x, syn.labels)
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-6
    model = AmlModel(
        gbm=gbm, mean=mean, std=std, ref_x=((x - mean) / std).astype(np.float32),
        ref_y=syn.labels.astype(np.int8), ref_ids=list(syn.batch.report_ids), ref_typologies=syn.typologies,
        confirmed_parties=confirmed, benign_reference=np.median(x[syn.labels == 0], axis=0),
        meta={"version": VERSION, "history": n, "seed": seed, "features": list(FEATURES),
              "trained_s": round(time.perf_counter() - t0, 2)},
    )
    logger.info("aml model trained on %d synthetic cases in %.1f s", n, model.meta["trained_s"])
    return model


def save(model: AmlModel, directory: Path) -> Path:
    """Write ``model.pkl`` and ``meta.json`` (with the pickle's SHA-256) under ``directory``."""
    return save_artefact(model, model.meta, directory)


def load(directory: Path) -> AmlModel:
    """Load an artefact, refusing one whose checksum or version does not match."""
    return load_artefact(directory, AmlModel, VERSION, "AML model")


def default_dir(data_dir: Path) -> Path:
    """Where the artefact lives under the service's data directory: ``<data_dir>/models/aml``."""
    return Path(data_dir) / "models" / "aml"


def load_or_train(directory: Path) -> AmlModel:
    """The cached model for ``directory``: loaded if saved there, else trained and saved."""
    with _lock:
        if directory in _cache:
            return _cache[directory]
        if (directory / "model.pkl").exists():
            try:
                model = load(directory)
            except (ValueError, OSError, pickle.UnpicklingError, AttributeError) as err:
                logger.warning("AML artefact unusable (%s); retraining", type(err).__name__)
                model = train()
                save(model, directory)
        else:
            model = train()
            try:
                save(model, directory)
            except OSError as err:
                logger.warning("could not save AML model to %s: %s", directory, err)
        _cache[directory] = model
        return model


def features_for(model: AmlModel, batch: Batch) -> np.ndarray:
    """Features of a new batch, with parties checked against the model's confirmed cases."""
    return features(batch, known_parties=model.confirmed_parties)
