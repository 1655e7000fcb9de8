"""Encoding at the edge, the other way: float audio out to PCM16 LE or G.711 (u-law, A-law).

The inverse of :mod:`voice.codecs`: answers spoken back to a radio gateway leave in the
session's own codec and rate. The G.711 encoders are the ITU-T segment rules written with
numpy (``audioop`` is gone from Python 3.13), so that ``decode(encode(code)) == code``.
"""

from __future__ import annotations

import numpy as np
import soxr

from voice.codecs import SUPPORTED_ENCODINGS, SUPPORTED_RATES
from voice.errors import AudioError

_ULAW_BIAS = 0x21
_ULAW_CLIP = 8159
# Upper ends of the eight segments (searchsorted with side="left" finds the first end >= value).
_ULAW_SEGMENT_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEGMENT_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def check_format(encoding: str, rate: int) -> None:
    """Raise :class:`AudioError` (``bad_encoding`` / ``bad_rate``) for an unsupported output format."""
    if encoding not in SUPPORTED_ENCODINGS:
        raise AudioError(f"unsupported answer encoding; use one of {', '.join(SUPPORTED_ENCODINGS)}",
                         code="bad_encoding")
    if rate not in SUPPORTED_RATES:
        raise AudioError(f"unsupported answer rate; use one of {', '.join(map(str, SUPPORTED_RATES))} Hz",
                         code="bad_rate")


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] to int16, rounded and clipped."""
    scaled = np.rint(np.clip(samples, -1.0, 1.0) * 32767.0)
    return scaled.astype(np.int16)


def encode_ulaw(pcm: np.ndarray) -> bytes:
    """int16 samples to G.711 u-law bytes (the reference g711.c rules on 14-bit samples)."""
    x = pcm.astype(np.int32) >> 2
    mask = np.where(x < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(x), _ULAW_CLIP) + _ULAW_BIAS
    segment = np.searchsorted(_ULAW_SEGMENT_END, magnitude)
    seg = np.minimum(segment, 7)
    codes = np.where(segment >= 8, 0x7F, (seg << 4) | ((magnitude >> (seg + 1)) & 0x0F)) ^ mask
    return bytes(codes.astype(np.uint8))


def encode_alaw(pcm: np.ndarray) -> bytes:
    """int16 samples to G.711 A-law bytes (the reference g711.c rules on 13-bit samples)."""
    x = pcm.astype(np.int32) >> 3
    mask = np.where(x >= 0, 0xD5, 0x55)
    magnitude = np.where(x >= 0, x, -x - 1)
    segment = np.searchsorted(_ALAW_SEGMENT_END, magnitude)
    shift = np.where(segment < 2, 1, segment)
    codes = np.where(segment >= 8, 0x7F,
                     (np.minimum(segment, 7) << 4) | ((magnitude >> np.minimum(shift, 7)) & 0x0F)) ^ mask
    return bytes(codes.astype(np.uint8))


def encode(samples: np.ndarray, encoding: str) -> bytes:
    """Float samples (already at the output rate) to the bytes of ``encoding``."""
    pcm = to_pcm16(samples)
    if encoding == "pcm_s16le":
        return pcm.astype("<i2").tobytes()
    if encoding == "mulaw":
        return encode_ulaw(pcm)
    if encoding == "alaw":
        return encode_alaw(pcm)
    raise AudioError(f"unsupported answer encoding; use one of {', '.join(SUPPORTED_ENCODINGS)}",
                     code="bad_encoding")


def bytes_per_sample(encoding: str) -> int:
    """2 for PCM16, 1 for G.711."""
    return 2 if encoding == "pcm_s16le" else 1


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling of a whole float signal (libsoxr HQ)."""
    if rate_in == rate_out:
        return np.ascontiguousarray(samples, dtype=np.float32)
    out: np.ndarray = soxr.resample(np.ascontiguousarray(samples, dtype=np.float32), rate_in, rate_out,
                                    quality="HQ")
    return out.astype(np.float32, copy=False)
