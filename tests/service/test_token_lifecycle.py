"""Token lifecycle: revocation closes open websockets with 4401 within seconds (audited),
rotation overlaps for a grace period, ``patrol token list``, channel-scoped gateway tokens."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from service.auth import TokenStore
from service.cli import main
from tests.service.conftest import bearer, build_app, make_settings
from tests.service.live import Served


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    app = build_app(make_settings(tmp_path_factory.mktemp("tok")))
    with Served(app) as server:
        yield server


def _store(served: Served) -> TokenStore:
    store: TokenStore = served.app.state.services.core.tokens
    return store


def _closed_within(ws: Any, seconds: float) -> tuple[int | None, str, float]:
    t0 = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() - t0 < seconds:
            ws.recv(timeout=seconds)
    return (
        closed.value.rcvd.code if closed.value.rcvd else None,
        closed.value.rcvd.reason if closed.value.rcvd else "",
        time.monotonic() - t0,
    )


def _audit_actions(served: Served) -> list[Any]:
    return list(served.app.state.services.core.audit.search(limit=50))


def test_revoked_token_closes_open_websockets_within_5_s(served: Served) -> None:
    store = _store(served)
    token = store.create(role="patrol", officer="p-revoke", unit="PC-7")
    feed_token = store.create(role="operator", officer="o-revoke")
    other = store.create(role="patrol", officer="p-stays")
    with (
        connect(served.url("/v1/radio", ws=True), additional_headers=bearer(token)) as ws,
        connect(served.url("/v1/events", ws=True) + f"?token={feed_token}") as feed,
        connect(served.url("/v1/radio", ws=True), additional_headers=bearer(other)) as stays,
    ):
        ws.send(json.dumps({"type": "start", "rate": 16000, "channel": "north-1"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "ready"
        stays.send(json.dumps({"type": "start", "rate": 16000}))
        assert json.loads(stays.recv(timeout=10))["type"] == "ready"
        assert json.loads(feed.recv(timeout=10))["type"] == "subscribed"
        assert store.revoke(token[:10]) == 1 and store.revoke(feed_token[:10]) == 1
        code, reason, took = _closed_within(ws, 5.0)
        assert code == 4401 and reason == "token revoked" and took < 5.0, (code, reason, took)
        while True:  # the feed may deliver the radio session's events before it closes
            try:
                feed.recv(timeout=5)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 4401
                break
        stays.send(json.dumps({"type": "query", "text": "run plate 7XYZ456"}))
        assert json.loads(stays.recv(timeout=10))["type"] in ("intent", "result", "transcript")
    entries = [e for e in _audit_actions(served) if e.action == "session_revoked"]
    radio = [e for e in entries if e.officer == "p-revoke"]
    assert len(radio) == 1 and radio[0].unit == "PC-7" and radio[0].channel == "north-1"
    assert "4401" in (radio[0].reason or "") and radio[0].status == "closed"
    assert any(e.officer == "o-revoke" for e in entries)
    with httpx.Client() as client:
        assert client.get(served.url("/v1/skills"), headers=bearer(token)).status_code == 401


def test_rotated_token_works_during_grace_and_fails_after(served: Served) -> None:
    store = _store(served)
    old = store.create(role="operator", officer="o-rotate", unit="HQ", expires_days=30)
    with httpx.Client() as client:
        assert client.get(served.url("/v1/skills"), headers=bearer(old)).status_code == 200  # now cached
        new = store.rotate(old[:10], grace_hours=2.5 / 3600)
        assert new != old
        with connect(served.url("/v1/events", ws=True) + f"?token={old}") as feed:
            assert json.loads(feed.recv(timeout=10))["type"] == "subscribed"
            assert client.get(served.url("/v1/skills"), headers=bearer(old)).status_code == 200
            assert client.get(served.url("/v1/skills"), headers=bearer(new)).status_code == 200
            who = client.get(served.url("/v1/whoami"), headers=bearer(new)).json()
            assert (who["officer"], who["role"], who["unit"]) == ("o-rotate", "operator", "HQ")
            # the grace period ends: the old token's open feed is closed, requests fail
            code, reason, took = _closed_within(feed, 8.0)
            assert code == 4401 and reason == "token expired", (code, reason)
        assert client.get(served.url("/v1/skills"), headers=bearer(old)).status_code == 401
        assert client.get(served.url("/v1/skills"), headers=bearer(new)).status_code == 200
    listed = {t.prefix: t for t in store.list_tokens()}
    assert listed[old[:10]].state() == "expired" and listed[new[:10]].state() == "active"
    assert listed[new[:10]].rotated_from == listed[old[:10]].id
    assert listed[new[:10]].expires_at is not None  # keeps the 30-day lifetime
    with pytest.raises(LookupError):
        store.rotate(old[:10], grace_hours=1)  # only an active token can be rotated


def test_token_cli_create_rotate_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.sqlite3"

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main([*argv, "--db", db])
        return code, out.getvalue()

    code, token = run(
        "token", "create", "--role", "gateway", "--officer", "gw-1", "--channels", "north-1,north-2"
    )
    assert code == 0 and token.startswith("ptl_")
    code, replacement = run("token", "rotate", token.strip()[:10], "--grace-hours", "12")
    assert code == 0 and replacement.strip() != token.strip()
    code, listing = run("token", "list")
    rows = [json.loads(line) for line in listing.splitlines()]
    assert code == 0 and len(rows) == 2
    assert {r["prefix"] for r in rows} == {token.strip()[:10], replacement.strip()[:10]}
    for row in rows:
        assert row["role"] == "gateway" and row["officer"] == "gw-1"
        assert row["channels"] == ["north-1", "north-2"] and "last_used" in row
    old = next(r for r in rows if r["prefix"] == token.strip()[:10])
    assert old["expires"] is not None and token.strip() not in listing
    assert run("token", "rotate", "ptl_nope00")[0] == 1


def test_last_used_is_recorded(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path))
    with TestClient(app) as client:
        store = app.state.services.core.tokens
        token = store.create(role="operator", officer="o1")
        assert store.list_tokens()[-1].last_used_at is None
        assert client.get("/v1/skills", headers=bearer(token)).status_code == 200
        assert store.list_tokens()[-1].last_used_at is not None


def test_channel_scoped_gateway_token(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path))
    with TestClient(app) as client:
        store = app.state.services.core.tokens
        gateway = store.create(role="gateway", officer="gw-north", channels=["north-1"])
        with client.websocket_connect("/v1/radio", headers=bearer(gateway)) as ws:
            ws.send_text(
                json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "channel": "south-2"})
            )
            assert json.loads(ws.receive_text()) == {
                "type": "error",
                "code": "channel_forbidden",
                "message": "this token may not use that channel",
            }
            ws.send_text(json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw"}))
            assert json.loads(ws.receive_text())["code"] == "channel_forbidden"  # scoped: must name one
            ws.send_text(
                json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "channel": "north-1"})
            )
            assert json.loads(ws.receive_text())["type"] == "ready"
        anywhere = store.create(role="gateway", officer="gw-any")
        with client.websocket_connect("/v1/radio", headers=bearer(anywhere)) as ws:
            ws.send_text(
                json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "channel": "south-2"})
            )
            assert json.loads(ws.receive_text())["type"] == "ready"
        with pytest.raises(ValueError):
            store.create(role="gateway", officer="gw", channels=[" "])
