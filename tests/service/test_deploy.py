"""deploy/: manifests parse, ports and probes line up, and every PATROL_ variable is a real setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from service.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _docs() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[doc["kind"]] = doc
    return docs


def _is_setting(name: str) -> bool:
    assert name.startswith("PATROL_"), name
    model: type[BaseModel] = Settings
    parts = name.removeprefix("PATROL_").lower().split("__")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if i < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def _env_names() -> set[str]:
    docs = _docs()
    names = set(docs["ConfigMap"]["data"]) | set(docs["Secret"]["stringData"])
    for kind in ("Deployment", "Job"):
        for container in docs[kind]["spec"]["template"]["spec"]["containers"]:
            names |= {e["name"] for e in container.get("env", [])}
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for service in compose["services"].values():
        env = service.get("environment") or {}
        names |= {k for k in env if k.startswith("PATROL_")}
    return names


def test_all_kinds_present() -> None:
    assert {"ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "Job"} <= set(_docs())


def test_env_names_match_settings() -> None:
    names = _env_names()
    assert "PATROL_REGISTRY__URL" in names and "PATROL_REDIS_URL" in names
    unknown = sorted(n for n in names if not _is_setting(n))
    assert not unknown, f"not Settings fields: {unknown}"
    assert not _is_setting("PATROL_REGISTRY__NOPE") and not _is_setting("PATROL_NOPE")


def test_configmap_values_validate_as_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs()
    for key, value in {**docs["ConfigMap"]["data"], **docs["Secret"]["stringData"]}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.port == 8000 and settings.redis_url and settings.registry.url.startswith("postgresql")


def test_ports_and_probes_line_up() -> None:
    docs = _docs()
    port = int(docs["ConfigMap"]["data"]["PATROL_PORT"])
    container = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["https"] == port
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "https", "scheme": "HTTPS"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["scheme"] == "HTTPS"
    service = docs["Service"]["spec"]
    assert service["ports"][0]["targetPort"] in ("https", port) and service["ports"][0]["port"] == 443
    assert service["selector"] == docs["Deployment"]["spec"]["selector"]["matchLabels"]
    assert (
        docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"]
        == docs["Deployment"]["metadata"]["name"]
    )
    assert docs["Job"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["patrol", "db", "init"]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert compose["services"]["patrol"]["ports"] == [f"{port}:{port}"]
    assert {"postgres", "redis"} <= set(compose["services"])


def test_dockerfile_installs_cpu_torch_first() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.index("torch==2.13.0") < text.index("pip install .")
    assert "HF_HUB_OFFLINE=1" in text and "EXPOSE 8000" in text


def test_tls_and_signing_key_come_from_secrets() -> None:
    spec = _docs()["Deployment"]["spec"]["template"]["spec"]
    container = spec["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    secrets = {v["name"]: v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    assert secrets == {"tls": "patrol-tls", "disclosure": "patrol-disclosure-key"}
    assert env["PATROL_TLS__CERT_FILE"] == f"{mounts['tls']}/tls.crt"
    assert env["PATROL_TLS__KEY_FILE"] == f"{mounts['tls']}/tls.key"
    assert env["PATROL_DISCLOSURE__SIGNING_KEY_FILE"].startswith(mounts["disclosure"] + "/")
