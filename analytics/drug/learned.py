"""The learned half of the drug-post screen: character n-gram logistic regression + calibration.

Posts are normalised first (:func:`analytics.drug.normalize.normalize`, the same folding the
lexicon sees), then hashed into character 2-4-grams (``HashingVectorizer``: no vocabulary
to store, Japanese needs no word segmentation). A logistic regression trained on
:func:`analytics.drug.corpus.generate` posts gives ``model_logit``; a small second logistic
regression (the stacker) turns ``(lexicon log-odds, lexicon says sale, model_logit, lexicon
found a sale cue)`` into a calibrated probability of a sale offer. The stacker is fitted on
generated posts from another seed plus hand-written posts: the ``tune`` split of
``fixtures/skills/drug_posts.jsonl`` and the post-hoc sets listed in :data:`POSTHOC_TUNING`
(each became tuning data once its untouched figures were recorded), never on the fixture's
``heldout`` split.

The artefact is ``analytics/drug/model/screen_ngram.npz`` (non-zero weights only) with
``screen_ngram.json`` beside it holding the SHA-256 of the npz, checked before loading.
Rebuild it with ``python -m analytics.drug.learned`` (deterministic, a few seconds on CPU).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from analytics.drug.corpus import SALE, generate
from analytics.drug.normalize import normalize
from analytics.drug.screen import screen

logger = logging.getLogger(__name__)

T = TypeVar("T")
VERSION = 2  # 2: the stacker also sees whether the lexicon found any sale cue
N_FEATURES = 1 << 18
TRAIN_SEED, TRAIN_SIZE = 20261202, 9000
STACK_SEED, STACK_SIZE = 777, 2000
MODEL_DIR = Path(__file__).with_name("model")
_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "skills"
TUNE_FIXTURE = _FIXTURES / "drug_posts.jsonl"
# Post-hoc sets become tuning data once their untouched figures are recorded.
POSTHOC_TUNING = tuple(_FIXTURES / f"drug_posts_posthoc_r{k}.jsonl" for k in range(1, 11))
STACK_C = 0.1


@lru_cache(maxsize=1)
def vectorizer() -> HashingVectorizer:
    """The stateless featuriser (same settings at training and at scoring time)."""
    return HashingVectorizer(analyzer="char", ngram_range=(2, 4), n_features=N_FEATURES,
                             alternate_sign=False, norm="l2", lowercase=False, dtype=np.float32)


def prepare(texts: list[str]) -> list[str]:
    """Normalised texts with whitespace padding (so word edges make n-grams too)."""
    return [" " + " ".join(normalize(t).text.split()) + " " for t in texts]


@dataclass(frozen=True)
class NgramModel:
    """Weights of the n-gram model and of the calibrating stacker."""

    coef: np.ndarray  # (N_FEATURES,) float32
    intercept: float
    stack_coef: np.ndarray  # (4,) float64: lexicon z, lexicon sale flag, model logit, lexicon cue flag
    stack_intercept: float
    threshold: float
    meta: dict[str, object]

    def logits(self, texts: list[str]) -> np.ndarray:
        """The n-gram model's log-odds of a sale offer for each text."""
        x = vectorizer().transform(prepare(texts))
        return np.asarray(x @ self.coef, dtype=np.float64) + self.intercept

    def calibrated(self, lexicon_z: np.ndarray, lexicon_sale: np.ndarray, logits: np.ndarray,
                   lexicon_cue: np.ndarray) -> np.ndarray:
        """The stacker's calibrated probability of a sale offer."""
        f = _stack_features(lexicon_z, lexicon_sale, logits, lexicon_cue)
        z = f @ self.stack_coef + self.stack_intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def _stack_features(lexicon_z: np.ndarray, lexicon_sale: np.ndarray, logits: np.ndarray,
                    lexicon_cue: np.ndarray) -> np.ndarray:
    # The cue flag: drug words with no sale cue at all (price, contact, offer word) are talk,
    # however many; without it the stacker's intercept carried such posts towards an offer.
    return np.column_stack([lexicon_z, lexicon_sale.astype(np.float64), np.clip(logits, -12, 12),
                            lexicon_cue.astype(np.float64)])


def _lexicon_features(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    verdicts = [screen(t) for t in texts]
    z = np.array([math.log(max(v.score, 1e-6) / max(1 - v.score, 1e-6)) for v in verdicts])
    return z, np.array([v.label == SALE for v in verdicts]), np.array([v.intent > 0 for v in verdicts])


def _tune_rows() -> list[tuple[str, bool]]:
    lines = TUNE_FIXTURE.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    tune = [(r["text"], r["label"] == SALE) for r in rows if r["split"] == "tune"]
    for path in POSTHOC_TUNING:
        lines = path.read_text(encoding="utf-8").splitlines()
        tune += [(r["text"], r["label"] == SALE) for r in map(json.loads, filter(str.strip, lines))]
    return tune


def train() -> NgramModel:
    """Train both stages deterministically from the project's generated posts (seconds)."""
    t0 = time.perf_counter()
    posts = generate(TRAIN_SIZE, seed=TRAIN_SEED)
    x = vectorizer().transform(prepare([p.text for p in posts]))
    y = np.array([p.label == SALE for p in posts])
    lr = LogisticRegression(C=4.0, solver="liblinear", max_iter=200)
    lr.fit(x, y)
    coef = lr.coef_[0].astype(np.float32)
    coef[np.abs(coef) < 1e-4] = 0.0
    base = NgramModel(coef, float(lr.intercept_[0]), np.zeros(4), 0.0, 0.5, {})
    stack_posts = generate(STACK_SIZE, seed=STACK_SEED)
    hand = _tune_rows()
    texts = [p.text for p in stack_posts] + [t for t, _ in hand]
    ys = np.array([p.label == SALE for p in stack_posts] + [s for _, s in hand])
    # The hand-written posts weigh as much, in total, as the generated ones.
    weights = np.array([1.0] * len(stack_posts) + [len(stack_posts) / max(len(hand), 1)] * len(hand))
    lz, ls, lc = _lexicon_features(texts)
    f = _stack_features(lz, ls, base.logits(texts), lc)
    # Strong regularisation: generated posts are easy, so an unregularised stacker would
    # trust the n-gram model far more than unseen phrasings deserve.
    stack = LogisticRegression(C=STACK_C, solver="lbfgs", max_iter=500)
    stack.fit(f, ys, sample_weight=weights)
    meta: dict[str, object] = {
            "version": VERSION, "train_seed": TRAIN_SEED, "train_size": TRAIN_SIZE, "stack_seed": STACK_SEED,
            "stack_size": STACK_SIZE, "hand_posts": len(hand), "stack_c": STACK_C, "n_features": N_FEATURES,
            "nonzero": int(np.count_nonzero(coef)), "trained_s": round(time.perf_counter() - t0, 2)}
    model = NgramModel(coef, base.intercept, stack.coef_[0].astype(np.float64), float(stack.intercept_[0]),
                       0.5, meta)
    logger.info("drug n-gram model trained in %.1f s", meta["trained_s"])
    return model


def write_artefact(model: Any, stem: str, directory: Path) -> Path:
    """Write ``<stem>.npz`` (the non-zero weights and the stacker) and ``<stem>.json`` (the
    model's metadata with the npz's SHA-256). Shared by this model and the hand stack, which
    carry the same fields."""
    nz = np.flatnonzero(model.coef).astype(np.int32)
    buf = io.BytesIO()
    np.savez_compressed(buf, idx=nz, val=model.coef[nz], intercept=np.array([model.intercept]),
                        stack_coef=model.stack_coef, stack_intercept=np.array([model.stack_intercept]),
                        threshold=np.array([model.threshold]))
    blob = buf.getvalue()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.npz"
    path.write_bytes(blob)
    meta = dict(model.meta, sha256=hashlib.sha256(blob).hexdigest())
    (directory / f"{stem}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return path


def read_artefact(make: Callable[..., T], stem: str, version: int, directory: Path) -> T:
    """Read what :func:`write_artefact` wrote into ``make(coef, intercept, stack_coef,
    stack_intercept, threshold, meta)``, refusing a file whose checksum or version does not match."""
    blob = (directory / f"{stem}.npz").read_bytes()
    meta = json.loads((directory / f"{stem}.json").read_text())
    if hashlib.sha256(blob).hexdigest() != meta.get("sha256") or meta.get("version") != version:
        raise ValueError(f"drug artefact {stem} in {directory} fails its checksum or version check")
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        coef = np.zeros(int(meta["n_features"]), dtype=np.float32)
        coef[z["idx"]] = z["val"]
        return make(coef, float(z["intercept"][0]), z["stack_coef"].astype(np.float64),
                    float(z["stack_intercept"][0]), float(z["threshold"][0]), meta)


def save(model: NgramModel, directory: Path = MODEL_DIR) -> Path:
    """Write ``screen_ngram.npz`` and ``screen_ngram.json`` (with the npz's SHA-256)."""
    return write_artefact(model, "screen_ngram", directory)


def load(directory: Path = MODEL_DIR) -> NgramModel:
    """Load the artefact, refusing one whose checksum or version does not match."""
    return read_artefact(NgramModel, "screen_ngram", VERSION, directory)


@lru_cache(maxsize=1)
def default_model() -> NgramModel | None:
    """The packaged model, or ``None`` (lexicon only) if it is missing or fails its check."""
    try:
        return load()
    except (OSError, ValueError, KeyError) as err:
        logger.warning("drug n-gram model unavailable (%s); lexicon screen only", type(err).__name__)
        return None


if __name__ == "__main__":  # pragma: no cover - artefact rebuild
    logging.basicConfig(level=logging.INFO)
    print(save(train()))
