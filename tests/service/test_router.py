"""Intent router: dispatch for every intent, skills by rule and by meaning, audit before answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.context import Heard, QueryContext
from service.protocol import IntentEvent, ResultEvent
from service.router import SkillMatcher
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings
from tests.service.fakes import FakeLookup, KeywordEmbedder

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture(scope="module")
def routed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str], FakeLookup]]:
    lookup = FakeLookup()
    settings = make_settings(
        tmp_path_factory.mktemp("router"), router={"semantic": True, "skill_threshold": 0.5}
    )
    app = build_app(settings, lookup=lookup, embedder=KeywordEmbedder())
    with TestClient(app) as client:
        yield client, issue_tokens(app), lookup


def _ask(client: TestClient, token: str, text: str) -> dict[str, Any]:
    response = client.post("/v1/query", json={"text": text, "channel": "north-1"}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _last_audit(client: TestClient, token: str) -> dict[str, Any]:
    entries = client.get("/v1/audit", params={"limit": 5}, headers=bearer(token)).json()["entries"]
    # The newest entry is the supervisor's own read; the one before it is the query.
    entry: dict[str, Any] = next(e for e in entries if e["action"] != "audit_read")
    return entry


@pytest.mark.parametrize(
    "text,status,intent",
    [
        ("run plate STOLEN1", "hit", "plate_lookup"),
        ("run plate 7XYZ456", "clear", "plate_lookup"),
        ("plate NONE55", "no_match", "plate_lookup"),
        ("check licence D1234567", "clear", "licence_lookup"),
        ("person John Smith born 1980-02-03", "clear", "person_lookup"),
    ],
)
def test_lookup_intents_go_to_the_check_chain(routed: Any, text: str, status: str, intent: str) -> None:
    client, tokens, lookup = routed
    before = len(lookup.checks)
    result = _ask(client, tokens["patrol"], text)
    assert result["type"] == "result" and result["status"] == status
    assert len(lookup.checks) == before + 1 and lookup.checks[-1].intent == intent
    entry = _last_audit(client, tokens["supervisor"])
    assert entry["intent"] == intent and entry["status"] == status and entry["query_text"] == text
    assert entry["officer"] == "patrol-1" and entry["unit"] == "PC-12" and entry["channel"] == "north-1"
    assert entry["source"] == "http"


def test_hit_carries_alerts_and_record_ids(routed: Any) -> None:
    client, tokens, _ = routed
    result = _ask(client, tokens["patrol"], "run plate STOLEN1")
    assert result["alerts"][0]["kind"] == "stolen" and result["candidates"][0]["score"] == 0.99
    entry = _last_audit(client, tokens["supervisor"])
    assert entry["record_ids"] == ["vehicle:7"] and entry["slots"] == {"plate": "STOLEN1"}


def test_low_confidence_is_clarify_without_a_check(routed: Any) -> None:
    client, tokens, lookup = routed
    before = len(lookup.checks)
    result = _ask(client, tokens["patrol"], "mumble plate something")
    assert result["status"] == "clarify" and "again" in result["readback"].lower()
    assert len(lookup.checks) == before


def test_unknown_text_is_clarify(routed: Any) -> None:
    client, tokens, _ = routed
    result = _ask(client, tokens["patrol"], "the weather is nice")
    assert result["status"] == "clarify"
    assert _last_audit(client, tokens["supervisor"])["action"] == "clarify"


def test_confirm_cancel_and_repeat(routed: Any) -> None:
    client, tokens, _ = routed
    first = _ask(client, tokens["gateway"], "run plate STOLEN1")
    assert _ask(client, tokens["gateway"], "affirmative")["readback"].startswith("Copy, confirmed")
    assert _ask(client, tokens["gateway"], "cancel that")["readback"].startswith("Copy, cancelled")
    again = _ask(client, tokens["gateway"], "say again")
    assert again["readback"] == "Copy, cancelled."  # the last answer on this token's session
    assert first["status"] == "hit"


def test_skill_by_rule(routed: Any) -> None:
    client, tokens, _ = routed
    result = _ask(client, tokens["patrol"], "DASH risk for case 42")
    assert result["status"] == "hit"
    candidate = result["candidates"][0]
    assert candidate["skill"] == "dash_risk" and candidate["output"]["case_ref"] == "42"
    assert candidate["output"]["complete"] is False and "Case 42" in result["readback"]
    entry = _last_audit(client, tokens["supervisor"])
    assert entry["action"] == "skill" and entry["slots"]["skill"] == "dash_risk"
    assert entry["slots"]["match"] == "rule"


def test_skill_by_meaning(routed: Any) -> None:
    client, tokens, _ = routed
    # No rule phrase ("dash risk") in the text: only the embedder can find the skill.
    result = _ask(client, tokens["patrol"], "domestic abuse risk checklist for this victim")
    assert result["status"] == "hit" and result["candidates"][0]["skill"] == "dash_risk"
    assert _last_audit(client, tokens["supervisor"])["slots"]["match"] == "semantic"


def test_skill_via_text_respects_skill_roles(routed: Any) -> None:
    client, tokens, _ = routed
    result = _ask(client, tokens["gateway"], "DASH risk for case 9")
    assert result["status"] == "clarify" and "not available" in result["readback"]


def test_registry_failure_is_a_clean_503(routed: Any) -> None:
    client, tokens, _ = routed
    response = client.post("/v1/query", json={"text": "run plate BOOM"}, headers=bearer(tokens["patrol"]))
    assert response.status_code == 503
    assert response.json() == {
        "type": "error",
        "code": "registry_unavailable",
        "message": "the registry check failed; try again",
    }


async def test_router_returns_intent_then_result_for_radio_context(routed: Any) -> None:
    client, _, _ = routed
    router = client.app.state.services.core.router  # type: ignore[attr-defined]
    ctx = QueryContext(
        session="radio-1", utterance=3, unit="PC-7", channel="south", officer="o7", role="patrol"
    )
    events = await router.handle(ctx, Heard(text="run plate STOLEN1", confidence=0.8))
    assert isinstance(events[0], IntentEvent) and isinstance(events[1], ResultEvent)
    assert events[0].utterance == events[1].utterance == 3
    assert events[0].name == "plate_lookup" and events[0].slots == {"plate": "STOLEN1"}
    assert 0.0 <= events[0].confidence <= 1.0


def test_dispatch_table_covers_every_intent(routed: Any) -> None:
    from service.protocol import IntentName

    client, _, _ = routed
    router = client.app.state.services.core.router  # type: ignore[attr-defined]
    assert set(router.table) == set(IntentName)


def test_audit_failure_withholds_the_answer(tmp_path: Path) -> None:
    from sqlalchemy import text

    app = build_app(make_settings(tmp_path))
    with TestClient(app) as client:
        token = issue_tokens(app)["patrol"]
        with app.state.services.core.engine.begin() as conn:
            conn.execute(text("DROP TABLE audit_entry"))
        response = client.post("/v1/query", json={"text": "run plate STOLEN1"}, headers=bearer(token))
        assert response.status_code == 503
        assert response.json()["code"] == "audit_unavailable" and "STOLEN1" not in response.text


@pytest.mark.slow
def test_real_minilm_matches_skills_by_meaning() -> None:
    from analytics.base import discover
    from models.embeddings import load_embedder

    matcher = SkillMatcher(discover(), embedder=load_embedder(), threshold=0.55)
    matcher.prepare()
    name, score = matcher.by_meaning("assess the domestic violence risk of this victim")
    assert name == "dash_risk", (name, score)
    none, low = matcher.by_meaning("what time does the canteen open")
    assert none is None and low < 0.55
    assert matcher.by_rule("DASH risk for case 42") == "dash_risk"
    assert matcher.by_rule("run plate 7XYZ456") is None
