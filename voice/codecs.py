"""Decoding at the edge: PCM16 LE and G.711 (u-law, A-law) into 16 kHz mono float32.

Everything past this module sees one format (``INTERNAL_RATE`` float32 in [-1, 1]).
Resampling is band-limited (libsoxr's windowed-sinc polyphase filters) and streaming:
its state carries across frames, so 20 ms frames resample exactly like one long buffer
and nothing above the lower Nyquist frequency aliases into the speech band.
"""

from __future__ import annotations

import numpy as np
import soxr

from voice.errors import AudioError

INTERNAL_RATE = 16000
SUPPORTED_RATES = (8000, 16000, 44100, 48000)
SUPPORTED_ENCODINGS = ("pcm_s16le", "mulaw", "alaw")


def _ulaw_table() -> np.ndarray:
    """ITU-T G.711 u-law to linear PCM16, all 256 codes."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> np.ndarray:
    """ITU-T G.711 A-law to linear PCM16, all 256 codes."""
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


ULAW_TO_PCM16 = _ulaw_table()
ALAW_TO_PCM16 = _alaw_table()


def decode_g711(data: bytes, encoding: str) -> np.ndarray:
    """Expand G.711 bytes to int16 samples."""
    table = ULAW_TO_PCM16 if encoding == "mulaw" else ALAW_TO_PCM16
    return table[np.frombuffer(data, dtype=np.uint8)]


class StreamingResampler:
    """Band-limited (sinc, libsoxr "HQ") resampler that keeps its filter state between frames.

    20 ms frames resample exactly like one long buffer; :meth:`flush` emits the samples
    still held back by the filter delay at the end of the stream.
    """

    def __init__(self, rate_in: int, rate_out: int = INTERNAL_RATE) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        self._stream = (
            soxr.ResampleStream(rate_in, rate_out, 1, dtype="float32", quality="HQ")
            if rate_in != rate_out else None
        )

    def process(self, x: np.ndarray) -> np.ndarray:
        """Resample the next chunk of float samples and return what is ready."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if self._stream is None:
            return x
        out: np.ndarray = self._stream.resample_chunk(x)
        return out

    def flush(self) -> np.ndarray:
        """The samples still held in the filter at the end of the stream."""
        if self._stream is None:
            return np.zeros(0, dtype=np.float32)
        out: np.ndarray = self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return out


class Decoder:
    """Decodes one session's binary frames into 16 kHz float32, with state across frames."""

    def __init__(self, encoding: str, rate: int) -> None:
        if encoding not in SUPPORTED_ENCODINGS:
            raise AudioError(
                f"unsupported encoding; use one of {', '.join(SUPPORTED_ENCODINGS)}", code="bad_encoding"
            )
        if rate not in SUPPORTED_RATES:
            raise AudioError(
                f"unsupported rate; use one of {', '.join(map(str, SUPPORTED_RATES))} Hz", code="bad_rate"
            )
        self.encoding = encoding
        self.rate = rate
        self._resampler = StreamingResampler(rate, INTERNAL_RATE)
        self._carry = b""

    def decode(self, data: bytes) -> np.ndarray:
        """Decode one frame. PCM16 frames of odd length are refused (the byte stream would desync)."""
        if self.encoding == "pcm_s16le":
            if len(data) % 2:
                raise AudioError("pcm_s16le frames must hold whole 16-bit samples (even length)",
                                 code="odd_length")
            pcm = np.frombuffer(data, dtype="<i2")
        else:
            pcm = decode_g711(data, self.encoding)
        return self._resampler.process(pcm.astype(np.float32) / 32768.0)

    def flush(self) -> np.ndarray:
        """Samples still held in the resampler at the end of the stream."""
        return self._resampler.flush()


def to_internal(pcm: np.ndarray, rate: int) -> np.ndarray:
    """Resample a whole float signal to 16 kHz in one go (files, tests)."""
    if rate == INTERNAL_RATE:
        return np.ascontiguousarray(pcm, dtype=np.float32)
    out: np.ndarray = soxr.resample(np.ascontiguousarray(pcm, dtype=np.float32), rate, INTERNAL_RATE,
                                    quality="HQ")
    return out
