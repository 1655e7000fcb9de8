"""Last stage of the drug-post screen, learned from the hand-written rounds (the "hand stack").

The rules are tuned on every hand round once it is scored, so on the next, blind round their
false alarms are hard benign posts with drug words in lawful senses (a pet named Molly, cereal
"Special K", ice bags). A character n-gram model trained on the generated posts *plus* the hand
rounds scores most of those low. This module combines the two:

* a hand n-gram model: the featuriser of :mod:`analytics.drug.learned`, logistic regression on
  :func:`analytics.drug.corpus.generate` posts plus the post-hoc rounds
  ``fixtures/skills/drug_posts_posthoc_r{1..LAST_ROUND}.jsonl``, the hand rows weighing
  :data:`HAND_FACTOR` times as much in total as the generated ones;
* a stacker over (shipped combined log-odds, shipped says sale, lexicon alone says sale, hand
  model log-odds), fitted only on *blind* pairs: for each round k in :data:`STACK_ROUNDS`, the
  verdicts of the rules frozen before round k (``fixtures/skills/drug_frozen_rules.json``) and the
  hand model trained on generated + rounds ``< k``. It thus learns how far to trust the rules on
  posts they were not tuned on, not on posts they were.

Chosen by a rolling-origin check (``python -m tests.bench.bench_drug_rolling``): the hand-model
weighting on rounds 11..17, this stacker over a veto rule on rounds 16..18, checked on rounds
19..20, where English sale precision went 0.820 -> 0.926 with recall 0.912 -> 0.938 (Japanese
0.930 -> 1.000, recall 1.000 -> 0.988).

The artefact is ``analytics/drug/model/screen_hand.npz`` with ``screen_hand.json`` (its SHA-256).
Rebuild it with ``python -m analytics.drug.handstack`` (deterministic, under a minute on CPU).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from analytics.drug.corpus import SALE, generate
from analytics.drug.learned import (
    MODEL_DIR,
    N_FEATURES,
    TRAIN_SEED,
    TRAIN_SIZE,
    prepare,
    read_artefact,
    vectorizer,
    write_artefact,
)

logger = logging.getLogger(__name__)

VERSION = 1
LAST_ROUND = 20  # the hand model learns rounds 1..LAST_ROUND
STACK_ROUNDS = range(11, LAST_ROUND + 1)  # blind (frozen rules, rolling hand model) pairs
HAND_FACTOR = 4.0  # total hand weight / total generated weight
NGRAM_C, STACK_C = 4.0, 1.0
THRESHOLD = 0.5
_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "skills"
FROZEN_RULES = _FIXTURES / "drug_frozen_rules.json"


@dataclass(frozen=True)
class HandStack:
    """Weights of the hand n-gram model and of the stacker over it and the rules."""

    coef: np.ndarray  # (N_FEATURES,) float32
    intercept: float
    stack_coef: np.ndarray  # (4,): shipped z, shipped sale, lexicon sale, hand logit
    stack_intercept: float
    threshold: float
    meta: dict[str, object]

    def logits(self, texts: list[str]) -> np.ndarray:
        """The hand n-gram model's log-odds of a sale offer for each text."""
        x = vectorizer().transform(prepare(texts))
        return np.asarray(x @ self.coef, dtype=np.float64) + self.intercept

    def probability(self, shipped_score: np.ndarray, shipped_sale: np.ndarray, lexicon_sale: np.ndarray,
                    logits: np.ndarray) -> np.ndarray:
        """The stacker's probability of a sale offer."""
        z = stack_features(shipped_score, shipped_sale, lexicon_sale, logits) @ self.stack_coef
        return np.asarray(1.0 / (1.0 + np.exp(-(z + self.stack_intercept))), dtype=np.float64)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def stack_features(shipped_score: np.ndarray, shipped_sale: np.ndarray, lexicon_sale: np.ndarray,
                   logits: np.ndarray) -> np.ndarray:
    """The stacker's inputs (the same at fitting and at scoring time)."""
    return np.column_stack([_logit(shipped_score), np.asarray(shipped_sale, dtype=np.float64),
                            np.asarray(lexicon_sale, dtype=np.float64), np.clip(logits, -12, 12)])


def _round_rows(n: int) -> list[dict[str, object]]:
    text = (_FIXTURES / f"drug_posts_posthoc_r{n}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class _Data:
    """Generated and hand features, computed once per training run."""

    def __init__(self) -> None:
        posts = generate(TRAIN_SIZE, seed=TRAIN_SEED)
        self.xg = sparse.csr_matrix(vectorizer().transform(prepare([p.text for p in posts])))
        self.yg = np.array([p.label == SALE for p in posts])
        self.rows = {n: _round_rows(n) for n in range(1, LAST_ROUND + 1)}
        self.x = {n: sparse.csr_matrix(vectorizer().transform(prepare([str(r["text"]) for r in rows])))
                  for n, rows in self.rows.items()}
        self.y = {n: np.array([r["label"] == SALE for r in rows]) for n, rows in self.rows.items()}

    def fit(self, upto: int) -> LogisticRegression:
        """The hand n-gram model on generated posts + rounds ``1..upto``."""
        xh = sparse.vstack([self.x[k] for k in range(1, upto + 1)])
        yh = np.concatenate([self.y[k] for k in range(1, upto + 1)])
        w = HAND_FACTOR * self.xg.shape[0] / xh.shape[0]
        lr = LogisticRegression(C=NGRAM_C, solver="liblinear", max_iter=200)
        lr.fit(sparse.vstack([self.xg, xh]), np.concatenate([self.yg, yh]),
               sample_weight=np.concatenate([np.ones(self.xg.shape[0]), np.full(xh.shape[0], w)]))
        return lr


def _frozen() -> dict[int, dict[str, list[object]]]:
    data = json.loads(FROZEN_RULES.read_text(encoding="utf-8"))
    if data["fields"] != ["lex_label", "lex_score", "label", "score"]:
        raise ValueError("unexpected fields in the frozen-rule cache")
    return {int(k): v["posts"] for k, v in data["rounds"].items()}


def train() -> HandStack:
    """Train the hand model and its stacker deterministically (under a minute on CPU)."""
    t0 = time.perf_counter()
    data, frozen = _Data(), _frozen()
    feats, ys = [], []
    for k in STACK_ROUNDS:
        lr = data.fit(k - 1)
        logits = lr.decision_function(data.x[k])
        cells = [frozen[k][str(r["id"])] for r in data.rows[k]]
        feats.append(stack_features(np.array([float(str(c[3])) for c in cells]),
                                    np.array([c[2] == SALE for c in cells]),
                                    np.array([c[0] == SALE for c in cells]), logits))
        ys.append(data.y[k])
    stack = LogisticRegression(C=STACK_C, max_iter=500).fit(np.vstack(feats), np.concatenate(ys))
    full = data.fit(LAST_ROUND)
    coef = full.coef_[0].astype(np.float32)
    coef[np.abs(coef) < 1e-4] = 0.0
    meta: dict[str, object] = {
        "version": VERSION, "last_round": LAST_ROUND,
        "stack_rounds": [STACK_ROUNDS.start, STACK_ROUNDS.stop - 1], "hand_factor": HAND_FACTOR,
        "ngram_c": NGRAM_C, "stack_c": STACK_C, "n_features": N_FEATURES,
        "nonzero": int(np.count_nonzero(coef)), "trained_s": round(time.perf_counter() - t0, 2)}
    logger.info("drug hand stack trained in %.1f s", meta["trained_s"])
    return HandStack(coef, float(full.intercept_[0]), stack.coef_[0].astype(np.float64),
                     float(stack.intercept_[0]), THRESHOLD, meta)


def save(model: HandStack, directory: Path = MODEL_DIR) -> Path:
    """Write ``screen_hand.npz`` and ``screen_hand.json`` (with the npz's SHA-256)."""
    return write_artefact(model, "screen_hand", directory)


def load(directory: Path = MODEL_DIR) -> HandStack:
    """Load the artefact, refusing one whose checksum or version does not match."""
    return read_artefact(HandStack, "screen_hand", VERSION, directory)


@lru_cache(maxsize=1)
def default_hand() -> HandStack | None:
    """The packaged hand stack, or ``None`` (the combined screen as before) if missing or failing."""
    try:
        return load()
    except (OSError, ValueError, KeyError) as err:
        logger.warning("drug hand stack unavailable (%s); combined screen without it", type(err).__name__)
        return None


if __name__ == "__main__":  # pragma: no cover - artefact rebuild
    logging.basicConfig(level=logging.INFO)
    print(save(train()))
