"""aml_triage: typology features on hand-made reports, the model artefact, ranking, CLI, input checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from analytics.aml.features import FEATURES, rules_score
from analytics.aml.model import AmlModel, features_for, load, save
from analytics.aml.rank import batch_from_reports
from analytics.aml.synth import generate, to_csv, to_reports
from analytics.aml_triage import AmlTriage, AmlTriageInput
from analytics.errors import SkillError
from service.cli import main as patrol
from tests.analytics.conftest import SMALL_WORLD

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "skills" / "aml"


def _txn(amount: float, time: str, direction: str = "in", **kw: Any) -> dict[str, Any]:
    return {"amount": amount, "currency": kw.pop("currency", "USD"), "time": time, "direction": direction,
            "channel": kw.pop("channel", "wire"), "counterparty": kw.pop("counterparty", "C1"),
            "counterparty_country": kw.pop("country", "US"), **kw}


def _feature(x: np.ndarray, row: int, name: str) -> float:
    return float(x[row, FEATURES.index(name)])


def test_typology_features_on_hand_made_reports(aml_model: AmlModel) -> None:
    reports = [
        {"id": "structuring", "parties": [{"id": "P-A"}], "transactions": [
            _txn(9_500, f"2024-03-0{d}T10:00:00Z", channel="cash", counterparty=f"C{d}")
            for d in range(1, 6)]},
        {"id": "pass", "parties": [{"id": "P-A"}], "transactions": [
            _txn(50_000, "2024-03-01T09:00:00Z"),
            _txn(49_000, "2024-03-01T15:00:00+00:00", "out", country="IR", counterparty="C9")]},
        {"id": "fan-in-dormant", "accounts": [{"id": "A1", "last_active": "2021-01-01T00:00:00Z"}],
         "transactions": [_txn(300, "2024-03-02T10:00:00Z", counterparty=f"S{k}") for k in range(12)]},
        {"id": "yen-round", "transactions": [
            _txn(1_900_000, "2024-03-01T10:00:00+09:00", currency="JPY", channel="cash"),
            _txn(500_000, "2024-03-02T10:00:00+09:00", currency="JPY")]},
    ]
    x = features_for(aml_model, batch_from_reports(reports))
    assert _feature(x, 0, "structuring_count") == pytest.approx(np.log1p(5))
    assert _feature(x, 0, "structuring_share") == 1.0
    assert _feature(x, 1, "pass_through") == pytest.approx(49 / 50)
    assert _feature(x, 1, "high_risk_share") == pytest.approx(49 / 99, rel=1e-3)
    assert _feature(x, 0, "recurring_parties") > 0 and _feature(x, 1, "recurring_parties") > 0
    assert _feature(x, 2, "fan_in") == pytest.approx(np.log1p(12))
    assert _feature(x, 2, "dormant_wake") > np.log1p(365)
    assert _feature(x, 3, "structuring_count") == pytest.approx(np.log1p(1))  # JPY 2M threshold
    assert _feature(x, 3, "round_share") == 1.0
    assert rules_score(x)[0] > rules_score(x)[3] - 1.0


def test_generator_is_deterministic_and_plants_typologies() -> None:
    a, b = generate(300, seed=5), generate(300, seed=5)
    assert a.batch.report_ids == b.batch.report_ids and np.array_equal(a.batch.t_amount, b.batch.t_amount)
    assert 10 < int(a.labels.sum()) < 60
    assert any(a.typologies[i] for i in np.flatnonzero(a.labels))


def test_model_beats_rules_on_held_out_synthetic_data(aml_model: AmlModel) -> None:
    held = generate(3000, seed=99, positive_rate=0.08, prefix="T")
    x = features_for(aml_model, held.batch)
    combined, *_ = aml_model.score(x)
    auc_model = roc_auc_score(held.labels, combined)
    auc_rules = roc_auc_score(held.labels, rules_score(x))
    assert auc_model > auc_rules and auc_model > 0.75


def test_artefact_round_trip_and_checksum(aml_model: AmlModel, tmp_path: Path) -> None:
    save(aml_model, tmp_path)
    again = load(tmp_path)
    x = features_for(aml_model, generate(50, seed=3).batch)
    assert np.allclose(again.model_proba(x), aml_model.model_proba(x))
    blob = (tmp_path / "model.pkl").read_bytes()
    (tmp_path / "model.pkl").write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(ValueError, match="checksum"):
        load(tmp_path)


def test_skill_ranks_json_and_csv_alike(aml_model: AmlModel, data_dir: Path) -> None:
    syn = generate(60, seed=11, positive_rate=0.3, prefix="J")
    skill = AmlTriage(data_dir / "models" / "aml")
    from_json = skill.run(AmlTriageInput.model_validate({"reports": to_reports(syn), "limit": 10}))
    from_csv = skill.run(AmlTriageInput(csv=to_csv(syn), limit=10))
    assert from_json.total_reports == from_csv.total_reports == 60
    assert [e.report_id for e in from_json.queue] == [e.report_id for e in from_csv.queue]
    scores = [e.score for e in from_json.queue]
    assert scores == sorted(scores, reverse=True) and len(scores) == 10
    top = from_json.queue[0]
    assert top.nearest_cases and top.nearest_cases[0].case_id.startswith("H")
    assert top.top_features and top.top_features[0].feature in FEATURES
    labels = dict(zip(syn.batch.report_ids, syn.labels, strict=True))
    assert sum(labels[e.report_id] for e in from_json.queue) >= 6  # base rate is 3 in 10


def test_cli_train_and_rank(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("analytics.aml.model.HISTORY_SIZE", 2000)  # a smaller history keeps this quick
    monkeypatch.setattr("analytics.aml.graph_model.WORLD_KW", SMALL_WORLD)
    assert patrol(["aml", "train", "--out", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "model.pkl").exists()
    capsys.readouterr()
    assert patrol(["aml", "rank", str(SAMPLES / "reports_40.csv"), "--limit", "5",
                   "--model", str(tmp_path / "m")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_reports"] == 40 and len(out["queue"]) == 5
    labels = json.loads((SAMPLES / "reports_40.labels.json").read_text())
    assert sum(labels[e["report_id"]] for e in out["queue"]) >= 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"report_id,amount\n\xff\xfe,1\n")
    assert patrol(["aml", "rank", str(bad), "--model", str(tmp_path / "m")]) == 2


@pytest.mark.parametrize(
    "payload,code,status",
    [
        ({"reports": []}, "empty_batch", 422),
        ({"csv": "report_id,amount,currency,time,direction\n"}, "empty_batch", 422),
        ({"csv": "report_id,amount\nR1,10\n"}, "bad_csv", 422),
        ({"csv": "report_id,amount,currency,time,direction\nR1,ten,USD,2024-01-01T00:00:00,in\n"},
         "bad_csv", 422),
        ({"csv": "report_id,amount,currency,time,direction\nR1,10,USD,yesterday,in\n"}, "bad_input", 422),
        ({"csv": "report_id,amount,currency,time,direction\nR1,10,USD,2024-01-01T00:00:00,sideways\n"},
         "bad_input", 422),
        ({"csv": "report_id,amount,currency,time,direction\n" + "R1,1,USD,2024-01-01,in\n" * 1_000_000},
         "payload_too_large", 413),
    ],
)
def test_bad_inputs_get_clear_errors(payload: dict[str, Any], code: str, status: int,
                                     data_dir: Path) -> None:
    with pytest.raises(SkillError) as err:
        AmlTriage(data_dir / "models" / "aml").run(AmlTriageInput.model_validate(payload))
    assert err.value.code == code and err.value.http_status == status


def test_duplicate_report_ids_are_refused(aml_model: AmlModel, data_dir: Path) -> None:
    report = {"id": "R1", "transactions": [_txn(10, "2024-01-01T00:00:00Z")]}
    with pytest.raises(SkillError, match="unique"):
        AmlTriage(data_dir / "models" / "aml").run(
            AmlTriageInput.model_validate({"reports": [report, report]}))


def test_the_host_gives_the_skill_its_data_dir(aml_model: AmlModel, data_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Analytics reads no settings: discover() binds the service's data dir, an unbound skill refuses,
    # and the CLI's default model directory comes from PATROL_DATA_DIR through service.cli.
    from analytics.base import discover

    bound = discover(data_dir=data_dir)["aml_triage"]
    assert isinstance(bound, AmlTriage) and bound.model_dir == data_dir / "models" / "aml"
    payload = AmlTriageInput(csv=(SAMPLES / "reports_40.csv").read_text(), limit=3)
    assert len(bound.run(payload).queue) == 3
    with pytest.raises(SkillError) as err:
        AmlTriage().run(payload)
    assert err.value.code == "not_configured" and err.value.http_status == 503
    capsys.readouterr()
    assert patrol(["aml", "rank", str(SAMPLES / "reports_40.csv"), "--limit", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["queue"]) == 2
