"""The triage network, a small MLP over the parcel's material and shape features, and its loader.

The features (``features.py``) turn a 2 x 96 x 96 dual-energy image into 34 numbers; they
are standardised with the training split's mean and spread (kept in the weights file as
buffers) and fed to two hidden layers of 64 units and a linear layer giving the logits of
paper / general / threat. About 7 k parameters: it trains in seconds on the project's
CPU. A CNN over the raw image was planned first and dropped for lack of CPU here (see
``docs/experiments.md``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from analytics.errors import SkillError
from analytics.xray.features import NAMES, feature_matrix
from analytics.xray.simulate import SIZE

_lock = threading.Lock()
_cache: dict[Path, TriageModel] = {}


class TriageNet(nn.Module):
    """Logits of (paper, general, threat) for a batch of raw feature rows (N x len(NAMES))."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, n_features: int = len(NAMES), hidden: int = 64) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 3),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits."""
        return self.layers((x - self.mean) / self.std)


@dataclass
class TriageModel:
    """The network in eval mode with its calibration (temperature and policy thresholds)."""

    net: TriageNet
    meta: dict[str, Any]

    @property
    def temperature(self) -> float:
        """Softmax temperature fitted on the calibration split."""
        return float(self.meta.get("temperature", 1.0))

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, N x 3, for N x 2 x SIZE x SIZE images."""
        if images.ndim != 4 or images.shape[1:] != (2, SIZE, SIZE):
            raise SkillError(
                f"an X-ray image must be 2 x {SIZE} x {SIZE} (low, high energy)", code="bad_media"
            )
        return self.probabilities_of_features(feature_matrix(images))

    def probabilities_of_features(self, feats: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for feature rows."""
        with torch.inference_mode():
            logits = self.net(torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32)))
            return torch.softmax(logits / self.temperature, dim=1).numpy().astype(np.float64)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(weights: Path, *, sha256: str) -> TriageModel:
    """Load the weights (checked against ``sha256`` first) and the calibration JSON beside them, once."""
    with _lock:
        cached = _cache.get(weights)
        if cached is not None:
            return cached
        if not weights.is_file():
            raise SkillError(
                "the X-ray triage weights are missing; run python -m analytics.xray.train",
                code="model_unavailable",
                http_status=503,
            )
        digest = sha256_of(weights)
        if digest != sha256:
            raise RuntimeError(f"checksum mismatch for {weights.name}: {digest} != {sha256}")
        net = TriageNet()
        state = torch.load(weights, map_location="cpu", weights_only=True)
        net.load_state_dict(state)
        net.eval()
        meta = json.loads(weights.with_suffix(".json").read_text())
        model = TriageModel(net=net, meta=meta)
        _cache[weights] = model
        return model
