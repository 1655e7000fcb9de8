"""The OpenAPI document is complete, and a bounded schemathesis run against it finds no 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from analytics.dash_risk import SKILL as DASH
from tests.service.conftest import build_app, issue_tokens, make_settings

_STATE: dict[str, Any] = {}


def _app() -> Any:
    tmp = Path(__import__("tempfile").mkdtemp(prefix="svc-openapi-"))
    # Only the skill this issue ships; the analytics skills carry their own API tests.
    app = build_app(make_settings(tmp, auth={"rate_per_minute": 100000}), skills={"dash_risk": DASH})
    client = TestClient(app)
    client.__enter__()  # run the lifespan once; schemathesis then calls the app directly
    _STATE.update(app=app, client=client, tokens=issue_tokens(app))
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@pytest.fixture(scope="module", autouse=True)
def _shutdown() -> Iterator[None]:
    yield
    _STATE["client"].__exit__(None, None, None)


def _token_for(path: str) -> str:
    tokens: dict[str, str] = _STATE["tokens"]
    if path == "/v1/audit" or path.startswith("/v1/skills/"):
        return tokens["supervisor"]
    if path == "/metrics":
        return tokens["operator"]
    return tokens["patrol"]


def test_every_operation_is_documented() -> None:
    doc = _STATE["client"].get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/v1/query",
        "/v1/skills",
        "/v1/skills/dash_risk",
        "/v1/audit",
        "/readyz",
        "/metrics",
        "/healthz",
        "/v1/transcribe",
    ):
        assert path in paths, path
    query = paths["/v1/query"]["post"]
    assert {"200", "401", "403", "413", "422", "429"} <= set(query["responses"])
    assert query["security"] == [{"HTTPBearer": []}]
    dash = paths["/v1/skills/dash_risk"]["post"]
    assert dash["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DashInput")
    for path, ops in paths.items():
        for method, op in ops.items():
            assert op.get("summary") or op.get("description"), (method, path)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_token_for(case.path)}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
