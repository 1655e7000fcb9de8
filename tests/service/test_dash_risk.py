"""DASH 2009 checklist skill: grading rules, stalking screen, missing answers, override, and its HTTP API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from analytics.dash_risk import QUESTIONS, SKILL, STALKING_QUESTIONS, DashInput, assess
from tests.service.conftest import bearer

Client = tuple[TestClient, dict[str, str]]


def _answers(yes: int, *, answered: int = 27) -> dict[str, bool | None]:
    ids = list(QUESTIONS)
    return {q: (i < yes) for i, q in enumerate(ids[:answered])}


def test_published_checklist_shape() -> None:
    assert list(QUESTIONS) == [f"q{i}" for i in range(1, 28)]
    assert list(STALKING_QUESTIONS) == [f"s{i}" for i in range(1, 12)]
    assert SKILL.name == "dash_risk" and "patrol" in SKILL.roles


@pytest.mark.parametrize(
    "yes,grade",
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (27, "high")],
)
def test_grade_thresholds(yes: int, grade: str) -> None:
    out = assess(DashInput(answers=_answers(yes)))
    assert out.grade == grade and out.count == yes and out.complete and out.missing == []
    assert len(out.driving) == yes
    if grade == "high":
        assert "MARAC" in out.next_step


def test_driving_answers_list_high_harm_questions_first() -> None:
    out = assess(DashInput(answers={"q1": True, "q18": True, "q5": True, "q2": False}))
    assert [d.id for d in out.driving] == ["q18", "q1", "q5"]
    assert out.driving[0].question == QUESTIONS["q18"]


def test_missing_answers_make_the_result_incomplete_when_they_could_raise_it() -> None:
    out = assess(DashInput(answers=_answers(12, answered=20)))
    assert out.grade == "medium" and out.count == 12 and out.answered == 20
    assert out.missing == [f"q{i}" for i in range(21, 28)] and out.complete is False
    assert "Complete the checklist" in out.next_step and "unanswered" in out.readback
    settled = assess(DashInput(answers={**_answers(2, answered=26), "q27": None}))
    assert settled.grade == "standard" and settled.complete is True and settled.missing == ["q27"]


def test_stalking_screen_applies_when_q8_is_yes() -> None:
    out = assess(DashInput(answers={"q8": True}, stalking={"s1": True, "s3": True, "s5": True, "s2": False}))
    assert out.stalking_applicable and out.stalking_count == 3
    assert [d.id for d in out.stalking_driving] == ["s1", "s3", "s5"]
    assert "stalking" in out.next_step.lower()
    asked = assess(DashInput(answers={"q8": True}))
    assert asked.stalking_missing == list(STALKING_QUESTIONS) and "S-DASH" in asked.next_step
    assert assess(DashInput(answers={"q8": False})).stalking_applicable is False


def test_professional_judgement_raises_the_grade_with_a_reason() -> None:
    out = assess(
        DashInput(answers=_answers(3), override={"grade": "high", "reason": "credible threat with a knife"})
    )
    assert out.grade == "high" and out.checklist_grade == "standard" and out.override_applied
    assert out.override is not None and out.override.reason == "credible threat with a knife"
    lowered = assess(
        DashInput(answers=_answers(15), override={"grade": "standard", "reason": "victim says fine"})
    )
    assert lowered.grade == "high" and not lowered.override_applied and "not applied" in lowered.next_step


def test_escalation_by_callouts_is_high() -> None:
    out = assess(DashInput(answers=_answers(2), callouts_past_year=3))
    assert out.grade == "high" and out.escalation and "call-outs" in out.next_step


@pytest.mark.parametrize(
    "body,needle",
    [
        ({"answers": {"q28": True}}, "unknown question ids: q28"),
        ({"answers": {"q1": "yes"}}, "q1 must be true, false or null"),
        ({"answers": {"q1": 1}}, "q1 must be true, false or null"),
        ({"stalking": {"s12": True}}, "unknown question ids: s12"),
        ({"answers": ["q1"]}, "valid dictionary"),
        ({"override": {"grade": "high"}}, "Field required"),
        ({"override": {"grade": "extreme", "reason": "because"}}, "standard"),
        ({"callouts_past_year": -1}, "greater than or equal"),
        ({"unexpected": 1}, "Extra inputs"),
    ],
)
def test_invalid_answer_sets_get_a_clear_422(app_client: Client, body: dict[str, Any], needle: str) -> None:
    client, tokens = app_client
    r = client.post("/v1/skills/dash_risk", json=body, headers=bearer(tokens["operator"]))
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input" and needle in r.text, r.text


def test_http_call_is_graded_and_audited(app_client: Client) -> None:
    client, tokens = app_client
    body = {"case_ref": "CASE-9", "answers": {**_answers(14), "q20": True}, "stalking": {"s4": True}}
    r = client.post("/v1/skills/dash_risk", json=body, headers=bearer(tokens["patrol"]))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["grade"] == "high" and out["count"] == 15 and out["case_ref"] == "CASE-9"
    entries = client.get(
        "/v1/audit", params={"subject": "CASE-9"}, headers=bearer(tokens["supervisor"])
    ).json()
    entry = entries["entries"][0]
    assert entry["action"] == "skill" and entry["reason"] == "high" and entry["slots"]["skill"] == "dash_risk"
    assert len(entry["slots"]["input_sha256"]) == 64 and entry["officer"] == "patrol-1"


def test_skill_listing_has_schemas(app_client: Client) -> None:
    client, tokens = app_client
    skills = {
        s["name"]: s for s in client.get("/v1/skills", headers=bearer(tokens["patrol"])).json()["skills"]
    }
    dash = skills["dash_risk"]
    assert "answers" in dash["input_schema"]["properties"] and "grade" in dash["output_schema"]["properties"]
    assert dash["examples"] and dash["timeout_s"] > 0


def test_unknown_skill_is_404(app_client: Client) -> None:
    client, tokens = app_client
    r = client.post("/v1/skills/nope", json={}, headers=bearer(tokens["operator"]))
    assert r.status_code == 404 and r.json()["code"] == "unknown_skill"
