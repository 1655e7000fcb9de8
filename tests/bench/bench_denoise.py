"""Does noisereduce help recognition? WER with denoise off / auto / on, per radio channel,
tune and held-out clips apart (run by hand; figures go in the README).

The service default (``PATROL_AUDIO__DENOISE``) follows this measurement.
"""

from __future__ import annotations

import json
import time

import numpy as np

from service.settings import SttSettings
from tests.bench.bench_voice import _save
from tests.bench.wer import wer
from tests.voice.helpers import load_clips
from voice.codecs import to_internal
from voice.denoise import SnrGatedDenoiser, estimate_snr_db
from voice.loading import load_transcriber


def test_denoise_effect_on_wer() -> None:
    stt = load_transcriber(**SttSettings().loader_options())
    modes = {"off": None, "auto": SnrGatedDenoiser(mode="auto", snr_threshold_db=12.0),
             "on": SnrGatedDenoiser(mode="on")}
    report: dict[str, dict[str, float]] = {}
    cost: dict[str, float] = {}
    snrs: dict[str, list[float]] = {}
    for clip in load_clips():
        channel = clip.entry["channel"]
        if channel == "clean":
            continue
        audio = to_internal(clip.samples(), clip.rate)
        snrs.setdefault(channel, []).append(estimate_snr_db(audio))
        for mode, denoiser in modes.items():
            t0 = time.perf_counter()
            cleaned = denoiser.process(audio) if denoiser else audio
            cost[mode] = cost.get(mode, 0.0) + time.perf_counter() - t0
            text = stt.transcribe(cleaned).text
            key = f"{channel}/{clip.entry['split']}"
            report.setdefault(mode, {}).setdefault(key, [])  # type: ignore[arg-type]
            report[mode][key].append((clip.entry["text"], text))  # type: ignore[attr-defined]
    result = {
        "wer": {mode: {k: round(wer(v), 3) for k, v in sorted(rows.items())}  # type: ignore[arg-type]
                for mode, rows in report.items()},
        "denoise_seconds_total": {k: round(v, 2) for k, v in cost.items()},
        "estimated_snr_db_median": {k: round(float(np.median(v)), 1) for k, v in snrs.items()},
    }
    print(json.dumps(result, indent=2))
    _save("denoise", result)
