"""Codecs against reference values: G.711 tables, resampling accuracy and anti-aliasing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from voice.codecs import ALAW_TO_PCM16, ULAW_TO_PCM16, Decoder, StreamingResampler, to_internal
from voice.errors import AudioError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def test_g711_tables_match_the_reference_implementation() -> None:
    codes = bytes(range(256))
    assert np.array_equal(np.frombuffer(audioop.ulaw2lin(codes, 2), "<i2"), ULAW_TO_PCM16)
    assert np.array_equal(np.frombuffer(audioop.alaw2lin(codes, 2), "<i2"), ALAW_TO_PCM16)


@pytest.mark.parametrize(("code", "value"), [(0xFF, 0), (0x7F, 0), (0x00, -32124), (0x80, 32124)])
def test_ulaw_known_values(code: int, value: int) -> None:
    assert ULAW_TO_PCM16[code] == value


@pytest.mark.parametrize(("code", "value"), [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256)])
def test_alaw_known_values(code: int, value: int) -> None:
    assert ALAW_TO_PCM16[code] == value


def _tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _dominant_hz(x: np.ndarray, rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_resampled_tone_keeps_its_frequency_and_level(rate: int) -> None:
    out = to_internal(_tone(1000.0, rate), rate)
    assert abs(len(out) - 16000) <= 2
    assert abs(_dominant_hz(out[1000:-1000]) - 1000.0) < 2.0
    rms = float(np.sqrt(np.mean(out[1000:-1000] ** 2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_content_above_8khz_does_not_alias(rate: int) -> None:
    # A 12 kHz tone cannot be represented at 16 kHz; a linear interpolator would fold it to 4 kHz.
    out = to_internal(_tone(12000.0, rate), rate)
    rms = float(np.sqrt(np.mean(out[1000:-1000] ** 2)))
    assert 20 * np.log10(rms / (0.5 / np.sqrt(2))) < -50.0


@pytest.mark.parametrize("rate", [8000, 44100, 48000])
def test_streaming_20ms_frames_equal_one_shot(rate: int) -> None:
    signal = _tone(700.0, rate) + _tone(2300.0, rate, amp=0.2)
    resampler = StreamingResampler(rate)
    step = rate // 50
    chunks = [resampler.process(signal[i:i + step]) for i in range(0, len(signal), step)]
    streamed = np.concatenate([*chunks, resampler.flush()])
    whole = to_internal(signal, rate)
    n = min(len(streamed), len(whole))
    assert abs(len(streamed) - len(whole)) <= 2
    assert np.max(np.abs(streamed[:n] - whole[:n])) < 1e-4


def test_decoder_mulaw_and_alaw_roundtrip_a_tone() -> None:
    tone = (_tone(500.0, 8000) * 32767).astype("<i2").tobytes()
    for encoding, encode in (("mulaw", audioop.lin2ulaw), ("alaw", audioop.lin2alaw)):
        decoder = Decoder(encoding, 8000)
        out = np.concatenate([decoder.decode(encode(tone, 2)), decoder.flush()])
        assert abs(_dominant_hz(out[800:-800]) - 500.0) < 2.0


def test_decoder_refuses_odd_pcm_and_bad_formats() -> None:
    with pytest.raises(AudioError) as err:
        Decoder("pcm_s16le", 8000).decode(b"\x00\x01\x02")
    assert err.value.code == "odd_length"
    with pytest.raises(AudioError) as err:
        Decoder("opus", 8000)
    assert err.value.code == "bad_encoding"
    with pytest.raises(AudioError) as err:
        Decoder("pcm_s16le", 12345)
    assert err.value.code == "bad_rate"
