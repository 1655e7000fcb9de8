"""``patrol serve`` logs JSON lines at ``PATROL_LOG_LEVEL``: the access log at INFO, none at WARNING."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import seed_and_token, service_process


def _served_lines(tmp: Path, level: str) -> list[dict[str, object]]:
    env = {**os.environ, "PATROL_REGISTRY__URL": f"sqlite:///{tmp}/registry.sqlite3",
           "PATROL_DATA_DIR": str(tmp), "PATROL_ROUTER__SEMANTIC": "false", "PATROL_LOG_LEVEL": level,
           "PYTHONUNBUFFERED": "1"}
    token = seed_and_token(env, 50, "LOG-1", "PC-3")
    log = tmp / f"serve-{level}.log"
    with service_process(env, log) as (_proc, port):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/query", data=json.dumps({"text": "run plate PRIV4TE"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200
    text = log.read_text()
    assert "PRIV4TE" not in text and token not in text
    # Every line the service itself writes is one JSON object (libraries' warnings aside).
    ours = [line for line in text.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in ours]


@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_served_logs_are_json_at_the_configured_level(tmp_path: Path, level: str) -> None:
    lines = _served_lines(tmp_path, level)
    access = [e for e in lines if e["logger"] == "patrol.access" and e.get("route") == "/v1/query"]
    if level == "INFO":
        assert access and access[0]["status"] == 200 and isinstance(access[0]["ms"], float)
        assert any(e["logger"] == "uvicorn.error" for e in lines)  # uvicorn's own, through ours
        assert all("color_message" not in e for e in lines)
    else:
        assert not access and all(e["level"] in ("WARNING", "ERROR", "CRITICAL") for e in lines)
