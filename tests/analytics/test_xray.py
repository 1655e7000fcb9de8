"""X-ray triage: the simulator's physics, the committed model, the policy's thresholds and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.errors import SkillError
from analytics.xray import policy
from analytics.xray.codec import from_rgb8, png_bytes, roundtrip, to_rgb8
from analytics.xray.model import TriageModel
from analytics.xray.simulate import MU, SIZE, dataset, parcel
from analytics.xray_triage import default_model, triage


@pytest.fixture(scope="module")
def model() -> TriageModel:
    """The committed model, checked against the catalog."""
    return default_model()


def test_steel_separates_from_organics_by_energy_ratio() -> None:
    ratio = MU[:, 0] / MU[:, 1]
    assert ratio[5] > 3.0 > 1.8 > ratio[0] > ratio[1]  # steel, then paper, then cloth
    rng = np.random.default_rng(3)
    threat = parcel(rng, 2)
    assert threat.image.shape == (2, SIZE, SIZE)
    assert {"blade", "handgun", "powder"} & set(threat.contents)
    # the low-energy map attenuates at least as much as the high-energy one, up to noise
    assert float((threat.image[0] - threat.image[1]).mean()) > 0


def test_png_round_trip_keeps_attenuation() -> None:
    x, _ = dataset(2, seed=4)
    back = from_rgb8(to_rgb8(x[0]))
    assert np.abs(back - np.clip(x[0], 0, 10)).max() <= 0.5 / 25.5 + 1e-6
    assert len(png_bytes(x[0])) > 100


def test_held_out_parcels_are_ranked_and_staged(model: TriageModel) -> None:
    x, y = dataset(64, seed=777)
    out = triage(roundtrip(x), [f"P{i}" for i in range(len(y))], model)
    assert [p.rank for p in out.parcels] == list(range(1, 65))
    stages = {p.index: p.stage for p in out.parcels}
    cleared = [i for i, s in stages.items() if s == "auto_clear"]
    assert cleared, "some paper-only parcels should be auto-cleared"
    assert all(y[i] != policy.THREAT for i in cleared)
    threats = [p for p in out.parcels if y[p.index] == policy.THREAT]
    others = [p for p in out.parcels if y[p.index] != policy.THREAT]
    assert np.mean([p.p_threat for p in threats]) > np.mean([p.p_threat for p in others]) + 0.2
    assert "simulated" in out.note and sum(out.counts.values()) == 64


def test_clear_threshold_respects_the_target_miss_rate() -> None:
    rng = np.random.default_rng(0)
    labels = rng.choice(3, size=3000)
    p = rng.dirichlet([1, 1, 1], size=3000)
    p[labels == 0, 0] += 1.0
    p /= p.sum(axis=1, keepdims=True)
    t = policy.calibrate(p, labels, clear_miss=0.01)
    cleared_not_paper = ((p[:, 0] >= t.clear) & (labels != 0)).sum()
    assert cleared_not_paper <= 0.01 * (labels != 0).sum() + 1
    report = policy.evaluate(p, labels, t)
    assert report["miss_rate"] <= 0.011 and report["miss_rate_upper95"] >= report["miss_rate"]


def test_bad_images_are_refused(model: TriageModel) -> None:
    with pytest.raises(SkillError) as err:
        triage(np.zeros((0, 2, SIZE, SIZE), np.float32), [], model)
    assert err.value.code == "empty_batch"
    with pytest.raises(SkillError) as err:
        from_rgb8(np.zeros((4, 4), np.uint8))
    assert err.value.code == "bad_media"
