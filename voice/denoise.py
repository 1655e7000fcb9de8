"""SNR-gated denoising with noisereduce.

``estimate_snr_db`` compares the loud and quiet frames of an utterance (speech versus
the noise floor between words). :class:`SnrGatedDenoiser` applies stationary spectral
gating only below a configured SNR. Whether that helps recognition is measured in
``tests/bench/bench_denoise.py``; on this project's radio clips it did not (README), so
the service default is ``off``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from voice.codecs import INTERNAL_RATE

logger = logging.getLogger(__name__)


class Denoiser(Protocol):
    """Something that may clean up one utterance of 16 kHz float32 audio."""

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Return the (possibly) denoised audio, same length and rate."""
        ...


def estimate_snr_db(audio: np.ndarray, *, frame_ms: int = 20) -> float:
    """Estimate SNR from frame energies: loud frames (90th pct) against quiet ones (10th pct)."""
    frame = INTERNAL_RATE * frame_ms // 1000
    n = len(audio) // frame
    if n < 10:
        return float("inf")
    energies = np.mean(audio[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1) + 1e-12
    noise = float(np.percentile(energies, 10))
    speech = float(np.percentile(energies, 90))
    return 10.0 * float(np.log10(max(speech - noise, 1e-12) / noise))


@dataclass(frozen=True, slots=True)
class SnrGatedDenoiser:
    """Apply noisereduce only where the estimated SNR is below ``snr_threshold_db``.

    Attributes:
        mode: "on" always denoises, "auto" only below the threshold.
        snr_threshold_db: the SNR under which "auto" denoises.
        prop_decrease: how far noise is pulled down (1.0 = fully), noisereduce's knob.
    """

    mode: Literal["auto", "on"] = "auto"
    snr_threshold_db: float = 12.0
    prop_decrease: float = 0.8

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Denoise when the policy says so; otherwise return the audio untouched."""
        if len(audio) < INTERNAL_RATE // 4:
            return audio
        if self.mode == "auto":
            snr = estimate_snr_db(audio)
            if snr >= self.snr_threshold_db:
                return audio
            logger.debug("denoising an utterance at %.1f dB estimated SNR", snr)
        import noisereduce

        cleaned = noisereduce.reduce_noise(y=audio, sr=INTERNAL_RATE, stationary=True,
                                           prop_decrease=self.prop_decrease)
        return np.asarray(cleaned, dtype=np.float32)


def make_denoiser(mode: str, snr_threshold_db: float) -> Denoiser | None:
    """The denoiser for a settings value: ``None`` for "off"."""
    if mode == "off":
        return None
    if mode not in ("auto", "on"):
        raise ValueError(f"denoise mode must be off, auto or on, not {mode!r}")
    return SnrGatedDenoiser(mode="auto" if mode == "auto" else "on", snr_threshold_db=snr_threshold_db)
