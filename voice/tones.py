"""Alert tones: a short, distinct pattern per class of answer, played before the speech.

An officer with eyes on a car hears the class of the answer in half a second, before a
word is spoken (the way ViQi and dispatch consoles key a hit tone). Four classes:

- ``alert``: officer safety or wanted: a fast high/low warble (1400 / 1000 Hz);
- ``stolen``: two long 850 Hz beeps;
- ``clear``: one short rising pair (600 then 900 Hz);
- ``say_again``: no match or too unclear to run: a falling pair (700 then 450 Hz).

Every frequency sits inside the 300-3400 Hz telephone band, so the patterns survive
G.711 at 8 kHz. Each burst has 5 ms raised-cosine edges (no clicks). Patterns are pure
functions of (class, rate), rendered once and cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np


class AnswerClass(StrEnum):
    """What kind of answer a result is, for its tone."""

    ALERT = "alert"
    STOLEN = "stolen"
    CLEAR = "clear"
    SAY_AGAIN = "say_again"


# (frequency Hz, length ms); frequency 0 is a silent gap.
PATTERNS: dict[AnswerClass, tuple[tuple[float, int], ...]] = {
    AnswerClass.ALERT: ((1400, 70), (1000, 70), (1400, 70), (1000, 70), (1400, 70), (1000, 70)),
    AnswerClass.STOLEN: ((850, 170), (0, 70), (850, 170)),
    AnswerClass.CLEAR: ((600, 110), (0, 30), (900, 150)),
    AnswerClass.SAY_AGAIN: ((700, 150), (0, 30), (450, 200)),
}
TONE_LEVEL = 0.35  # peak amplitude, about -9 dBFS: clearly heard, well under full scale
_RAMP_MS = 5
# Alert kinds that count as officer safety even without the flag.
_DANGER_KINDS = frozenset({"wanted", "caution", "protection_order"})


def classify(status: str, alerts: Sequence[Mapping[str, Any]]) -> AnswerClass:
    """The tone class of a result: officer safety / wanted first, then stolen, clear, say again."""
    if any(a.get("officer_safety") or a.get("kind") in _DANGER_KINDS for a in alerts):
        return AnswerClass.ALERT
    if any(a.get("kind") in ("stolen", "missing") for a in alerts):
        return AnswerClass.STOLEN
    if status in ("hit", "clear"):
        return AnswerClass.CLEAR if not alerts else AnswerClass.STOLEN
    return AnswerClass.SAY_AGAIN


def _burst(freq: float, n: int, rate: int) -> np.ndarray:
    if freq <= 0:
        return np.zeros(n, dtype=np.float32)
    t = np.arange(n, dtype=np.float64) / rate
    wave = np.sin(2 * np.pi * freq * t)
    ramp = min(n // 2, rate * _RAMP_MS // 1000)
    if ramp > 0:
        edge = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
        wave[:ramp] *= edge
        wave[n - ramp:] *= edge[::-1]
    return (TONE_LEVEL * wave).astype(np.float32)


@lru_cache(maxsize=64)
def _render(kind: AnswerClass, rate: int) -> np.ndarray:
    parts = [_burst(freq, rate * ms // 1000, rate) for freq, ms in PATTERNS[kind]]
    out = np.concatenate(parts)
    out.setflags(write=False)
    return out


def tone(kind: AnswerClass, rate: int) -> np.ndarray:
    """The tone pattern of ``kind`` as float32 samples at ``rate`` (cached, read-only)."""
    return _render(AnswerClass(kind), rate)


def tone_ms(kind: AnswerClass) -> int:
    """Length of a pattern in milliseconds."""
    return sum(ms for _, ms in PATTERNS[AnswerClass(kind)])
