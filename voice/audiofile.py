"""Reading whole audio files (WAV PCM/G.711, FLAC, OGG) into 16 kHz mono float32."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile

from voice.codecs import to_internal
from voice.errors import AudioError

MAX_SECONDS = 600.0


def read_audio(source: Path | bytes) -> np.ndarray:
    """Decode a file (path or bytes) and resample it to 16 kHz mono float32."""
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else source
        data, rate = soundfile.read(handle, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as err:
        raise AudioError("not a readable audio file (WAV, FLAC or OGG expected)",
                         code="bad_audio_file") from err
    if len(data) / rate > MAX_SECONDS:
        raise AudioError(f"audio longer than {MAX_SECONDS:.0f} s", code="audio_too_long", http_status=413)
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return to_internal(mono, int(rate))
