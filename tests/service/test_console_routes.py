"""The console's routes without a browser: the page and its files with a strict CSP,
``/v1/whoami``, ``/v1/audit/verify``, and the live feed authenticated by subprotocol."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.service.conftest import bearer

Client = tuple[TestClient, dict[str, str]]


def test_the_page_and_its_files_carry_a_strict_csp(app_client: Client) -> None:
    client, _ = app_client
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp.replace("ws://testserver", "")
    assert '<script type="module" src="/console/app.js">' in page.text and "<script>" not in page.text
    for name in ("app.js", "dom.js", "feed.js", "detail.js", "skills.js", "audit.js", "console.css"):
        r = client.get(f"/console/{name}")
        assert r.status_code == 200 and r.headers["content-security-policy"] == csp, name
        assert "innerHTML" not in r.text and "eval(" not in r.text, name
    assert client.get("/console/missing.js").status_code == 404


def test_whoami_tells_the_page_what_the_role_may_use(app_client: Client) -> None:
    client, tokens = app_client
    patrol = client.get("/v1/whoami", headers=bearer(tokens["patrol"])).json()
    assert patrol["officer"] == "patrol-1" and patrol["role"] == "patrol" and patrol["unit"] == "PC-12"
    may = patrol["may"]
    assert may["audit"] is False and may["feed"] is False and may["query"] is True
    skills = client.app.state.services.core.skills  # type: ignore[attr-defined]
    assert patrol["may"]["skills"] == sorted(n for n, s in skills.items() if "patrol" in s.roles)
    supervisor = client.get("/v1/whoami", headers=bearer(tokens["supervisor"])).json()
    assert supervisor["may"]["audit"] is True and supervisor["may"]["feed"] is True
    assert client.get("/v1/whoami").status_code == 401
    assert client.get("/v1/whoami", headers=bearer("ptl_not-a-token")).status_code == 401


def test_chain_verification_is_for_supervisors_and_audited(app_client: Client) -> None:
    client, tokens = app_client
    assert client.get("/v1/audit/verify", headers=bearer(tokens["patrol"])).status_code == 403
    assert client.get("/v1/audit/verify", headers=bearer(tokens["operator"])).status_code == 403
    first = client.get("/v1/audit/verify", headers=bearer(tokens["supervisor"])).json()
    assert first["ok"] is True and first["problems"] == [] and first["entries"] >= 1 and first["verified_at"]
    second = client.get("/v1/audit/verify", headers=bearer(tokens["supervisor"])).json()
    assert second["entries"] == first["entries"] + 1 and second["head"] != first["head"]
    newest = client.get("/v1/audit?limit=1", headers=bearer(tokens["supervisor"])).json()["entries"][0]
    assert newest["action"] == "audit_read"
    seen = client.get("/v1/audit?limit=3", headers=bearer(tokens["supervisor"])).json()["entries"]
    assert "audit_verify" in [e["action"] for e in seen]


def test_the_feed_takes_the_token_as_a_subprotocol(app_client: Client) -> None:
    client, tokens = app_client
    offer = ["patrol.v1", f"bearer.{tokens['operator']}"]
    with client.websocket_connect("/v1/events", subprotocols=offer) as ws:
        assert ws.accepted_subprotocol == "patrol.v1"
        assert json.loads(ws.receive_text())["type"] == "subscribed"
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/v1/events", subprotocols=["patrol.v1", f"bearer.{tokens['patrol']}"]) as ws:
        ws.receive_text()
    assert refused.value.code == 4403
    with pytest.raises(WebSocketDisconnect) as bad, client.websocket_connect(
            "/v1/events", subprotocols=["patrol.v1", "bearer.ptl_wrong"]) as ws:
        ws.receive_text()
    assert bad.value.code == 4401
    # Without the patrol.v1 subprotocol a bearer.* entry is not read as a token.
    with pytest.raises(WebSocketDisconnect) as plain, client.websocket_connect(
            "/v1/events", subprotocols=[f"bearer.{tokens['operator']}"]) as ws:
        ws.receive_text()
    assert plain.value.code == 4401
