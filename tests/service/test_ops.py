"""Operations: CLI, readiness, metrics, JSON logs without personal data, live feed in-process."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.cli import main
from service.logging import JsonFormatter
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

Client = tuple[TestClient, dict[str, str]]


def test_cli_token_create_and_audit_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    assert (
        main(["token", "create", "--role", "supervisor", "--officer", "S-1", "--unit", "HQ", "--db", url])
        == 0
    )
    token = capsys.readouterr().out.strip()
    assert token.startswith("ptl_") and len(token) > 40
    app = build_app(make_settings(tmp_path, registry={"url": url}))
    with TestClient(app) as client:
        assert client.get("/v1/audit", headers=bearer(token)).status_code == 200
        engine = app.state.services.core.engine
    assert main(["audit", "verify", "--db", url]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["entries"] == 1
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET officer = 'someone-else'"))
    assert main(["audit", "verify", "--db", url]) == 1
    assert "edited" in capsys.readouterr().out
    assert main(["token", "revoke", token[:10], "--db", url]) == 0


def test_readyz_reports_each_check(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path))
    with TestClient(app) as client:
        r = client.get("/readyz")
        assert r.status_code == 200 and r.json() == {
            "ready": True,
            "checks": {"model": True, "database": True, "registry": True},
        }
        app.state.services.core.lookup = None
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["registry"] is False
        assert client.get("/healthz").json() == {"status": "ok"}


def test_metrics_expose_stages_sessions_queues_and_errors(app_client: Client) -> None:
    client, tokens = app_client
    client.post("/v1/query", json={"text": "run plate 7XYZ456"}, headers=bearer(tokens["patrol"]))
    client.get("/v1/audit", headers=bearer(tokens["patrol"]))  # a 403
    body = client.get("/metrics", headers=bearer(tokens["operator"])).text
    for needle in (
        'patrol_stage_seconds_bucket{le="0.005",stage="route"}',
        'stage="audit"',
        'stage="check"',
        "patrol_sessions ",
        'patrol_queue_depth{queue="stt"}',
        'patrol_queue_depth{queue="skills"}',
        'patrol_errors_total{code="forbidden"}',
        'route="/v1/query"',
    ):
        assert needle in body, needle


def test_info_logs_are_json_and_carry_no_personal_data(
    app_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client, tokens = app_client
    with caplog.at_level(logging.INFO):
        client.post("/v1/query", json={"text": "run plate PRIV4TE"}, headers=bearer(tokens["patrol"]))
        with client.websocket_connect(f"/v1/events?token={tokens['operator']}") as ws:
            ws.receive_text()
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert lines and all(json.loads(line)["level"] for line in lines)
    joined = "\n".join(lines)
    assert "PRIV4TE" not in joined and tokens["operator"] not in joined and "patrol-1" not in joined
    assert any('"route": "/v1/query"' in line for line in lines)


def test_live_feed_in_process(app_client: Client) -> None:
    client, tokens = app_client
    with client.websocket_connect("/v1/events", headers=bearer(tokens["operator"])) as feed:
        assert json.loads(feed.receive_text())["type"] == "subscribed"
        client.post(
            "/v1/query",
            json={"text": "run plate STOLEN1", "channel": "north-1"},
            headers=bearer(tokens["patrol"]),
        )
        first, second = json.loads(feed.receive_text()), json.loads(feed.receive_text())
    assert first["event"]["type"] == "intent" and second["event"]["type"] == "result"
    assert second["event"]["status"] == "hit" and second["officer"] == "patrol-1"
    assert second["channel"] == "north-1" and second["source"] == "http"


def test_radio_typed_query_reaches_router_and_feed(app_client: Client) -> None:
    client, tokens = app_client
    with client.websocket_connect("/v1/events", headers=bearer(tokens["supervisor"])) as feed:
        feed.receive_text()
        with client.websocket_connect(f"/v1/radio?token={tokens['gateway']}") as radio:
            radio.send_text(
                json.dumps({"type": "start", "rate": 8000, "unit": "PC-99", "channel": "south-2"})
            )
            assert json.loads(radio.receive_text())["type"] == "ready"
            radio.send_text(json.dumps({"type": "query", "text": "run plate STOLEN1"}))
            events = [json.loads(radio.receive_text()) for _ in range(2)]
        assert [e["type"] for e in events] == ["intent", "result"] and events[1]["status"] == "hit"
        seen = [json.loads(feed.receive_text()) for _ in range(3)]
    assert [m["event"]["type"] for m in seen] == ["ready", "intent", "result"]
    assert (
        seen[-1]["officer"] == "gateway-1"
        and seen[-1]["unit"] == "PC-99"
        and seen[-1]["channel"] == "south-2"
    )
    entries = client.get("/v1/audit", params={"unit": "PC-99"}, headers=bearer(tokens["supervisor"])).json()
    assert entries["entries"][0]["source"] == "typed" and entries["entries"][0]["channel"] == "south-2"


def test_audit_api_filters(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path))
    with TestClient(app) as client:
        tokens = issue_tokens(app)
        store = app.state.services.core.tokens
        other = store.create(role="patrol", officer="P-77", unit="PC-77")
        for text_ in ("run plate STOLEN1", "run plate AAA111"):
            client.post("/v1/query", json={"text": text_}, headers=bearer(tokens["patrol"]))
        client.post("/v1/query", json={"text": "run plate BBB222"}, headers=bearer(other))
        h = bearer(tokens["supervisor"])
        by_officer = client.get("/v1/audit", params={"officer": "P-77"}, headers=h).json()["entries"]
        assert [e["slots"]["plate"] for e in by_officer] == ["BBB222"]
        by_subject = client.get("/v1/audit", params={"subject": "stolen1"}, headers=h).json()["entries"]
        assert len(by_subject) == 1 and by_subject[0]["record_ids"] == ["vehicle:7"]
        assert (
            client.get("/v1/audit", params={"unit": "PC-77"}, headers=h).json()["entries"][0]["unit"]
            == "PC-77"
        )
        page = client.get("/v1/audit", params={"limit": 2}, headers=h).json()
        assert len(page["entries"]) == 2 and page["next_before_seq"] == page["entries"][-1]["seq"]
        future = client.get("/v1/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=h).json()
        assert future["entries"] == []
        reads = client.get("/v1/audit", params={"officer": "supervisor-1"}, headers=h).json()["entries"]
        assert reads and all(e["action"] == "audit_read" for e in reads)
