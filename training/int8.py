"""Float tensors as int8 rows with a scale each, and back: how start weights travel to a
training host and what it learned travels back (:mod:`training.pack`, :mod:`training.remote`).
Rows are scaled to their own largest magnitude, as CTranslate2's int8 weights are."""

from __future__ import annotations

import numpy as np

QUANTISED_FROM = 65536  # matrices with at least this many values travel as int8 rows


def quantise(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Large float matrices as ``q:`` int8 rows with ``s:`` float32 scales; the rest as ``f:``."""
    out: dict[str, np.ndarray] = {}
    for name, value in tensors.items():
        if value.dtype.kind == "f" and value.ndim == 2 and value.size >= QUANTISED_FROM:
            scale = np.abs(value.astype(np.float32)).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            out["q:" + name] = np.round(value / scale).astype(np.int8)
            out["s:" + name] = scale.astype(np.float32)
        else:
            out["f:" + name] = value.astype(np.float16) if value.dtype.kind == "f" else value
    return out


def dequantise(stored: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Inverse of :func:`quantise`, as float32 (other dtypes as stored)."""
    out: dict[str, np.ndarray] = {}
    for key, value in stored.items():
        kind, name = key.split(":", 1)
        if kind == "q":
            out[name] = value.astype(np.float32) * stored["s:" + name]
        elif kind == "f":
            out[name] = value.astype(np.float32) if value.dtype.kind == "f" else value
    return out
