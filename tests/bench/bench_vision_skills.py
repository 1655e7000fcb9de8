"""Loitering and X-ray triage benchmarks (run by hand; not part of CI).

    python -m tests.bench.bench_vision_skills                 # both, results in var/bench/vision_skills.json
    python -m tests.bench.bench_vision_skills --seeds 3 --duration 40

loitering: renders scenes (seeds 200 and up, never used while tuning the tracker) at two
crowd densities (3 and 8 people; ``loiter/render.py``, known ground truth), writes each to an
mp4 file, runs the whole video path (decode, HOG, tracking, dwell) and scores it
(``loiter/evaluate.py``): dwell MAE per person, loiter-event precision and recall, and CPU
seconds per analysed frame and per second of video.

xray_triage: simulates a fresh split from a seed used by neither training nor calibration,
sends it through the 8-bit upload round trip, and reports the staged policy's figures at
the committed thresholds, plus CPU ms per parcel.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from analytics.loiter.dwell import DwellOptions, Zone
from analytics.loiter.evaluate import score
from analytics.loiter.pipeline import LoiterOptions, analyze_video
from analytics.loiter.render import SceneSpec, render
from analytics.xray import policy
from analytics.xray.codec import roundtrip
from analytics.xray.simulate import dataset
from analytics.xray_triage import default_model

OUT = Path("var/bench")


def bench_loitering(seeds: int, duration: float, densities: tuple[int, ...] = (3, 8)) -> dict[str, Any]:
    """Dwell MAE and event precision/recall per crowd density, and speed."""
    out: dict[str, Any] = {}
    for people in densities:
        errors: list[float] = []
        tp = n_true = n_pred = frames = 0
        cpu = 0.0
        crowd: list[float] = []
        for seed in range(seeds):
            spec = SceneSpec(seed=200 + seed, people=people, duration_s=duration, threshold_s=10.0)
            scene = render(spec)
            options = LoiterOptions(dwell=DwellOptions(dwell_threshold_s=spec.threshold_s))
            zone = Zone("zone", spec.zone)
            with tempfile.TemporaryDirectory() as tmp:
                path = scene.write(Path(tmp) / "clip.mp4")
                c0 = time.process_time()
                analysis = analyze_video(path, zones=[zone], options=options)
                cpu += time.process_time() - c0
            s = score(analysis, scene, zone, options.dwell)
            errors += list(s.dwell_abs_errors)
            tp += s.matched_events
            n_true += s.true_events
            n_pred += s.predicted_events
            frames += analysis.frames_analysed
            crowd.append(s.mean_people)
        out[f"people_{people}"] = {
            "scenes": seeds,
            "video_s": seeds * duration,
            "mean_people_detected": round(float(np.mean(crowd)), 2),
            "dwell_mae_s": round(float(np.mean(errors)), 2) if errors else 0.0,
            "dwell_persons": len(errors),
            "events_true": n_true,
            "events_reported": n_pred,
            "events_matched": tp,
            "precision": round(tp / n_pred, 3) if n_pred else None,
            "recall": round(tp / n_true, 3) if n_true else None,
            "cpu_ms_per_frame": round(1000 * cpu / frames, 1),
            "cpu_s_per_video_s": round(cpu / (seeds * duration), 3),
        }
        print(people, json.dumps(out[f"people_{people}"]), flush=True)
    return out


def bench_xray(n: int, seed: int = 1904) -> dict[str, Any]:
    """Policy figures on a fresh simulated split, and speed."""
    model = default_model()
    x, y = dataset(n, seed=seed)
    x = roundtrip(x)
    c0 = time.process_time()
    p = model.probabilities(x)
    cpu = time.process_time() - c0
    report = policy.evaluate(p, y, policy.Thresholds.from_dict(model.meta["thresholds"]))
    report["seed"] = seed
    report["cpu_ms_per_parcel"] = round(1000 * cpu / n, 2)
    print("xray", json.dumps(report), flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and write the JSON."""
    ap = argparse.ArgumentParser(description="loitering and X-ray triage benchmarks")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--parcels", type=int, default=1000)
    ap.add_argument("--only", choices=("loitering", "xray"), default=None)
    args = ap.parse_args(argv)
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d")}
    if args.only in (None, "xray"):
        result["xray_triage"] = bench_xray(args.parcels)
    if args.only in (None, "loitering"):
        result["loitering"] = bench_loitering(args.seeds, args.duration)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "vision_skills.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


def test_vision_skills_bench() -> None:
    """The pytest entry point (small)."""
    assert main(["--seeds", "1", "--duration", "20", "--parcels", "200"]) == 0


if __name__ == "__main__":
    raise SystemExit(main())
