"""Radio channels for training: band limits, rates, G.711, gain and AGC, clipping, noise
(white, pink, babble, engine, siren) from 0 to 25 dB SNR, dropouts, PTT clicks and squelch
tails. Applied on the fly, so every epoch hears a new channel. All 16 kHz float32."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

RATE = 16000


def prepared(audio: np.ndarray) -> np.ndarray | None:
    """A rendered utterance as the corpus keeps it: 0.2 s of silence either side, peak 0.7;
    None when it is silent or longer than Whisper's window allows."""
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    if peak < 1e-3 or len(audio) > 29 * RATE:
        return None
    pad = np.zeros(int(0.2 * RATE), dtype=np.float32)
    return np.concatenate([pad, (audio / peak * 0.7).astype(np.float32), pad])


def _band(x: np.ndarray, low: float, high: float) -> np.ndarray:
    sos = butter(4, (low, min(high, RATE / 2 - 100)), btype="bandpass", fs=RATE, output="sos")
    return np.asarray(sosfilt(sos, x), dtype=np.float32)


def mulaw_codes(x: np.ndarray) -> np.ndarray:
    """G.711 u-law: samples in [-1, 1] as signed 8-bit codes."""
    y = np.sign(x) * np.log1p(255 * np.minimum(np.abs(x), 1.0)) / np.log1p(255)
    return np.round(y * 127).astype(np.int8)


def from_mulaw_codes(q: np.ndarray) -> np.ndarray:
    """Inverse of :func:`mulaw_codes`."""
    y = q.astype(np.float64) / 127
    return np.asarray(np.sign(y) * np.expm1(np.abs(y) * np.log1p(255)) / 255, dtype=np.float32)


def mulaw(x: np.ndarray) -> np.ndarray:
    """Through G.711 u-law and back (8-bit companding)."""
    return from_mulaw_codes(mulaw_codes(x))


def alaw(x: np.ndarray) -> np.ndarray:
    """Through G.711 A-law and back."""
    a = 87.6
    ax = np.minimum(np.abs(x), 1.0)
    norm = 1 + np.log(a)
    y = np.where(ax < 1 / a, a * ax / norm, (1 + np.log(np.maximum(a * ax, 1e-9))) / norm)
    q = np.round(y * 127) / 127
    back = np.where(q < 1 / (1 + np.log(a)), q * (1 + np.log(a)) / a, np.exp(q * (1 + np.log(a)) - 1) / a)
    return np.asarray(np.sign(x) * back, dtype=np.float32)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    out = np.fft.irfft(spec / np.sqrt(np.maximum(freqs, 40.0)), n)
    return out / (out.std() + 1e-9)


def _engine(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    f0 = rng.uniform(25, 60)
    hum = sum(np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6)) / k for k in range(1, 8))
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(400) / 400, mode="same")
    mix = hum / (np.std(hum) + 1e-9) + brown / (np.std(brown) + 1e-9)
    return mix / (mix.std() + 1e-9)


def _siren(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    rate = rng.uniform(0.2, 3.0)  # sweeps per second (wail to yelp)
    freq = 1000 + 450 * np.sin(2 * np.pi * rate * t)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    return np.sqrt(2) * np.sin(phase)


def _babble(n: int, rng: np.random.Generator, others: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(n)
    for other in rng.choice(len(others), size=min(len(others), int(rng.integers(3, 7))), replace=False):
        clip = others[other]
        start = int(rng.integers(0, max(1, n - len(clip))))
        seg = clip[: n - start]
        out[start:start + len(seg)] += seg
    return out / (out.std() + 1e-9) if out.any() else _pink(n, rng)


def radio(clean: np.ndarray, rng: np.random.Generator, others: list[np.ndarray] | None = None) -> np.ndarray:
    """``clean`` (speech with some silence around it) through a random radio channel."""
    x = clean.astype(np.float64)
    if rng.random() < 0.15:
        return (x * 10 ** (rng.uniform(-12, 4) / 20)).astype(np.float32)
    n = len(x)
    active = np.abs(x) > 0.02 * np.abs(x).max()
    p_speech = float(np.mean(x[active] ** 2)) if active.any() else float(np.mean(x ** 2)) + 1e-9
    kind = rng.choice(("white", "pink", "babble", "engine", "siren"), p=(0.15, 0.3, 0.2, 0.2, 0.15))
    noise = {"white": lambda: rng.standard_normal(n), "pink": lambda: _pink(n, rng),
             "engine": lambda: _engine(n, rng), "siren": lambda: _siren(n, rng),
             "babble": lambda: _babble(n, rng, others or [])}[kind]()
    snr = rng.uniform(0, 25)
    x = x + noise * np.sqrt(p_speech / 10 ** (snr / 10))
    low, high = rng.choice(((300, 3400), (200, 3800), (400, 3000), (100, 7000)))
    x = _band(x, low, high)
    if rng.random() < 0.6:  # narrowband codec path at 8 kHz
        x8 = resample_poly(x, 1, 2)
        x8 = x8 / (np.abs(x8).max() + 1e-9) * rng.uniform(0.3, 0.95)
        x8 = mulaw(x8) if rng.random() < 0.5 else alaw(x8)
        x = resample_poly(x8, 2, 1)[:n]
    if rng.random() < 0.3:  # AGC: gain follows a slow envelope
        env = np.sqrt(np.convolve(x ** 2, np.ones(1600) / 1600, mode="same")) + 1e-3
        x = x / env * np.sqrt(p_speech)
    if rng.random() < 0.3:  # overdrive
        drive = rng.uniform(2, 8)
        x = np.tanh(x * drive / (np.abs(x).max() + 1e-9)) / np.tanh(drive)
    if rng.random() < 0.2:  # dropouts of 20-80 ms
        for _ in range(int(rng.integers(1, 4))):
            s = int(rng.integers(0, max(1, n - 1300)))
            x[s:s + int(rng.integers(320, 1300))] = 0
    if rng.random() < 0.3:  # PTT click at the start and squelch tail at the end
        x[: 80] += rng.uniform(0.2, 0.6) * np.sign(rng.standard_normal(80))
        tail = int(rng.uniform(0.1, 0.3) * RATE)
        x = np.concatenate([x, 0.05 * rng.standard_normal(tail)])
    peak = np.abs(x).max() + 1e-9
    return (x / peak * 10 ** (rng.uniform(-15, -1) / 20)).astype(np.float32)
