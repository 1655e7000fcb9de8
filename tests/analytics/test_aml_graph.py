"""aml_triage on laundering typologies: the transaction generator, graph features, the graph model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analytics.aml.evaluate_graph import evaluate
from analytics.aml.graph import FEATURES, Edges, edge_features
from analytics.aml.graph_model import GraphModel, load, save
from analytics.aml.model import AmlModel
from analytics.aml.typologies import TYPOLOGIES, alert_reports, generate_world, time_split
from analytics.aml_triage import AmlTriage, AmlTriageInput
from tests.analytics.conftest import SMALL_WORLD


def _feature(x: np.ndarray, row: int, name: str) -> float:
    return float(x[row, FEATURES.index(name)])


def _edges(pairs: list[tuple[int, int]], amounts: list[float] | None = None) -> Edges:
    n = len(pairs)
    return Edges(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]),
                 473_000.0 + 2.0 * np.arange(n), np.array(amounts or [1000.0] * n), np.ones(n, np.int8),
                 max(max(p) for p in pairs) + 1)


def test_generator_plants_all_typologies_at_a_low_rate() -> None:
    a = generate_world(seed=4, **SMALL_WORLD)  # type: ignore[arg-type]
    b = generate_world(seed=4, **SMALL_WORLD)  # type: ignore[arg-type]
    assert np.array_equal(a.src, b.src) and np.array_equal(a.amount, b.amount)
    assert 0.0005 < a.label.mean() < 0.005
    assert set(a.typology[a.label == 1]) == set(TYPOLOGIES)
    past, future, cut = time_split(a)
    assert past.hours.max() < cut <= future.hours.min()
    assert set(future.typology[future.label == 1]) == set(TYPOLOGIES)
    reps = alert_reports(future)
    assert reps.label.sum() > 10 and reps.n > reps.label.sum() * 3


def test_graph_features_see_each_motif() -> None:
    cycle = _edges([(0, 1), (1, 2), (2, 3), (3, 0)], [1000, 960, 930, 900])
    x = edge_features(cycle)
    assert all(_feature(x, i, "cycle_scc_size") == 4 for i in range(4))
    assert _feature(x, 0, "passes_on") == 1.0 and _feature(x, 1, "passed_on") == 1.0
    fan = edge_features(_edges([(0, k) for k in range(1, 9)]))
    # Two hours apart: seven of the eight lie within 12 hours of the first, all within 3.5 days.
    assert _feature(fan, 0, "src_out_24h") == 7 and _feature(fan, 0, "src_out_7d") == 8
    assert _feature(fan, 0, "src_novel_out_7d") == 8
    sg = edge_features(_edges([(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 4)]))
    assert _feature(sg, 0, "two_paths") == 3 and _feature(sg, 5, "two_paths") == 3
    bip = edge_features(_edges([(0, 2), (0, 3), (1, 2), (1, 3)]))
    assert _feature(bip, 0, "four_cycles") == pytest.approx(np.log1p(1))
    repeat = edge_features(_edges([(0, 1)] * 5))
    assert _feature(repeat, 0, "pair_count") == pytest.approx(np.log1p(5))
    assert _feature(repeat, 0, "cycle_scc_size") == 0 and _feature(repeat, 0, "src_novel_out_7d") == 0
    confirmed = np.array([-np.inf, np.inf, np.inf, np.inf])
    xc = edge_features(cycle, confirmed_at=confirmed)
    assert _feature(xc, 0, "src_confirmed") == 1.0 and _feature(xc, 1, "src_confirmed") == 0.0
    assert _feature(xc, 1, "confirmed_neighbours") >= 1


def test_graph_model_beats_raw_and_per_report_models_on_the_time_split(aml_model: AmlModel,
                                                                       data_dir: Path) -> None:
    tiny = {"n_accounts": 4_000, "per_day": 1_500.0, "patterns_per_typology": 8}
    figs = evaluate(seed=5, aml_dir=data_dir / "models" / "aml", **tiny)
    assert figs.edge["graph"]["f1"] > 0.3 and figs.edge["graph"]["f1"] > 3 * figs.edge["raw"]["f1"]
    assert figs.report["graph"]["precision_at_100"] > figs.report["per_report_today"]["precision_at_100"]
    assert figs.report["graph"]["f1"] > figs.report["per_report_retrained"]["f1"]
    assert set(figs.per_typology["graph"]) == set(TYPOLOGIES)
    assert figs.sizes["train_s_graph"] < 60


def test_graph_artefact_round_trip_and_checksum(aml_graph: GraphModel, tmp_path: Path) -> None:
    save(aml_graph, tmp_path)
    again = load(tmp_path)
    x = edge_features(_edges([(0, 1), (1, 2), (2, 0)]))
    assert np.allclose(again.proba(x), aml_graph.proba(x))
    (tmp_path / "model.pkl").write_bytes((tmp_path / "model.pkl").read_bytes()[:-1] + b"\0")
    with pytest.raises(ValueError, match="checksum"):
        load(tmp_path)


def test_skill_adds_graph_scores_and_named_cases(aml_model: AmlModel, data_dir: Path) -> None:
    # Three reports whose transactions close a cycle across accounts A -> B -> C -> A.
    hops = [("A", "B", "2024-03-01T09:00:00Z", 9_000.0), ("B", "C", "2024-03-01T15:00:00Z", 8_700.0),
            ("C", "A", "2024-03-02T08:00:00Z", 8_400.0)]
    reports = [{"id": f"R-{src}", "accounts": [{"id": src}], "transactions": [
        {"account": src, "amount": amt, "time": t, "direction": "out", "counterparty": dst,
         "channel": "wire"}]}
        for src, dst, t, amt in hops]
    out = AmlTriage(data_dir / "models" / "aml").run(AmlTriageInput.model_validate({"reports": reports}))
    assert out.total_reports == 3 and "graph" in out.model
    for e in out.queue:
        old_keys = {"score", "model_score", "similarity_score", "top_features", "nearest_cases"}
        assert old_keys <= set(e.model_dump())
        assert e.graph_score is not None and 0.0 <= e.graph_score <= 1.0
        assert e.score == pytest.approx(0.5 * e.report_score + 0.5 * e.graph_score, abs=2e-4)
        assert all(c.case_id.startswith("CASE-") for c in e.graph_cases) and e.graph_cases
    plain = AmlTriage(data_dir / "models" / "aml").run(
        AmlTriageInput.model_validate({"reports": reports, "use_graph": False}))
    assert all(e.graph_score is None and e.score == e.report_score for e in plain.queue)


def test_graph_path_survives_sparse_reports(aml_model: AmlModel, data_dir: Path) -> None:
    # No account, no counterparty, a lone transaction, another time zone: nothing crashes and
    # unnamed counterparties do not merge into one hub.
    reports = [
        {"id": "lone", "transactions": [{"amount": 50, "time": "2024-03-01T10:00:00+09:00",
                                         "direction": "in"}]},
        {"id": "blank", "transactions": [{"amount": 10 * k + 1, "time": f"2024-03-0{k}T10:00:00Z",
                                          "direction": "out"} for k in range(1, 8)]},
    ]
    skill = AmlTriage(data_dir / "models" / "aml")
    out = skill.run(AmlTriageInput.model_validate({"reports": reports}))
    assert {e.report_id for e in out.queue} == {"lone", "blank"}
    assert all(e.graph_score is not None and np.isfinite(e.graph_score) for e in out.queue)
    csv = "report_id,amount,currency,time,direction\nlone,50,USD,2024-03-01T01:00:00Z,in\n"
    assert skill.run(AmlTriageInput.model_validate({"csv": csv})).queue[0].graph_score is not None
    empty = edge_features(Edges(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                                np.zeros(0, np.int8), 1))
    assert empty.shape == (0, len(FEATURES))
