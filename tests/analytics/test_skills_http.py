"""Both skills through the real HTTP API (``POST /v1/skills/{name}``), good and bad inputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analytics.aml.model import AmlModel
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "skills" / "aml"
Client = tuple[TestClient, dict[str, str]]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, aml_model: AmlModel, data_dir: Path) -> Iterator[Client]:
    """The real app (fake transcriber and lookup) with a token per role; the AML model is pre-trained
    under ``data_dir``, which the service hands to the skill."""
    app = build_app(make_settings(tmp_path_factory.mktemp("svc"), data_dir=data_dir))
    with TestClient(app) as c:
        yield c, issue_tokens(app)


def test_skills_are_listed_with_schemas(client: Client) -> None:
    c, tokens = client
    r = c.get("/v1/skills", headers=bearer(tokens["operator"]))
    assert r.status_code == 200
    skills = {s["name"]: s for s in r.json()["skills"]}
    assert {"aml_triage", "drug_post_screen"} <= set(skills)
    assert "reports" in skills["aml_triage"]["input_schema"]["properties"]
    assert "results" in skills["drug_post_screen"]["output_schema"]["properties"]


def test_drug_post_screen_over_http(client: Client) -> None:
    c, tokens = client
    posts = [{"id": "a", "text": "ｗｅｅｄ 🍃 3.5g 35, DM me"}, {"id": "b", "text": "スーパーで野菜を買った"},
             {"id": "c", "text": "冷たいの 0.5 手渡し テレグラム"}]
    r = c.post("/v1/skills/drug_post_screen", json={"posts": posts}, headers=bearer(tokens["operator"]))
    assert r.status_code == 200, r.text
    body = r.json()
    labels = {p["id"]: p["label"] for p in body["results"]}
    assert labels == {"a": "sale_offer", "b": "benign", "c": "sale_offer"}
    text = {p["id"]: p["text"] for p in posts}
    for result in body["results"]:
        for span in result["evidence"]:
            assert text[result["id"]][span["start"]:span["end"]] == span["text"]


def test_aml_triage_over_http_json_and_csv(client: Client) -> None:
    c, tokens = client
    reports = json.loads((SAMPLES / "reports_12.json").read_text())["reports"]
    r = c.post("/v1/skills/aml_triage", json={"reports": reports, "limit": 5},
               headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.text
    queue = r.json()["queue"]
    assert len(queue) == 5 and r.json()["total_reports"] == 12
    assert [e["rank"] for e in queue] == [1, 2, 3, 4, 5]
    assert queue[0]["score"] >= queue[-1]["score"] and queue[0]["nearest_cases"]
    csv = (SAMPLES / "reports_40.csv").read_text()
    r = c.post("/v1/skills/aml_triage", json={"csv": csv}, headers=bearer(tokens["supervisor"]))
    assert r.status_code == 200 and r.json()["total_reports"] == 40


def test_patrol_role_may_not_call_the_analytics_skills(client: Client) -> None:
    c, tokens = client
    r = c.post("/v1/skills/drug_post_screen", json={"posts": [{"text": "hi"}]},
               headers=bearer(tokens["patrol"]))
    assert r.status_code == 403


@pytest.mark.parametrize(
    "name,body,code",
    [
        ("aml_triage", {"reports": []}, "empty_batch"),
        ("drug_post_screen", {"posts": []}, "empty_batch"),
        ("aml_triage", {"csv": "report_id,amount,currency,time,direction\nR1,1,USD\n"}, "bad_csv"),
        ("drug_post_screen", {"csv": 'id,text\n1,"never closed\n'}, "bad_csv"),
    ],
)
def test_bad_batches_get_422_with_a_clear_code(client: Client, name: str, body: dict[str, object],
                                               code: str) -> None:
    c, tokens = client
    r = c.post(f"/v1/skills/{name}", json=body, headers=bearer(tokens["operator"]))
    assert r.status_code == 422
    assert r.json()["code"] == code and r.json()["message"]


@pytest.mark.parametrize("name", ["aml_triage", "drug_post_screen"])
def test_fifty_megabyte_upload_is_refused_with_413(client: Client, name: str) -> None:
    c, tokens = client
    body = b'{"csv": "' + b"x" * (50 << 20) + b'"}'
    r = c.post(f"/v1/skills/{name}", content=body,
               headers={**bearer(tokens["operator"]), "Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("name", ["aml_triage", "drug_post_screen"])
def test_text_that_is_not_unicode_is_refused_with_422(client: Client, name: str) -> None:
    c, tokens = client
    headers = {**bearer(tokens["operator"]), "Content-Type": "application/json"}
    escaped = b'{"posts": [{"text": "bad \\udcff"}]}' if name == "drug_post_screen" else \
        b'{"csv": "report_id,amount,currency,time,direction\\nR\\udcff,1,USD,2024-01-01,in\\n"}'
    r = c.post(f"/v1/skills/{name}", content=escaped, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert any(w in r.json()["errors"][0]["msg"] for w in ("unicode", "UTF-8"))


def test_body_that_is_not_utf8_is_refused_with_422(client: Client) -> None:
    c, tokens = client
    headers = {**bearer(tokens["operator"]), "Content-Type": "application/json"}
    raw = '{"csv": "id,text\\n1,caf\u00e9\\n"}'.encode("latin-1")
    r = c.post("/v1/skills/drug_post_screen", content=raw, headers=headers)
    assert r.status_code == 422 and r.json()["type"] == "error" and r.json()["code"] == "invalid_body"
