"""Subject-access export: a supervisor's signed bundle of every entry that touched one subject;
the signature verifies, tampering is detected, the export is itself audited."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from service.audit import AuditRecord
from service.cli import main
from service.disclosure import load_or_create_key, load_public_key, public_pem, verify_bundle
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings


def _seed(app: object) -> None:
    audit = app.state.services.core.audit  # type: ignore[attr-defined]
    for i, plate in enumerate(["7XYZ456", "4ABC123", "7XYZ456", "9QQQ999"]):
        audit.append(
            AuditRecord(
                action="check",
                status="hit",
                source="voice",
                officer=f"p{i}",
                role="patrol",
                intent="plate_lookup",
                query_text=f"run plate {plate}",
                slots={"plate": plate},
                record_ids=[f"vehicle:{plate}"],
            )
        )


def test_supervisor_export_is_signed_audited_and_tamper_evident(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "signing.pem"
    app = build_app(make_settings(tmp_path, disclosure={"signing_key_file": str(key_file)}))
    with TestClient(app) as client:
        tokens = issue_tokens(app)
        _seed(app)
        assert (
            client.get("/v1/audit/export?subject=7XYZ456", headers=bearer(tokens["patrol"])).status_code
            == 403
        )
        assert client.get("/v1/audit/export", headers=bearer(tokens["supervisor"])).status_code == 422
        r = client.get("/v1/audit/export?subject=7xyz456", headers=bearer(tokens["supervisor"]))
        assert r.status_code == 200
        document = r.json()
        entries = document["bundle"]["entries"]
        # the two checks, and the export's own audit entry, which names the subject
        assert [e["action"] for e in entries] == ["check", "check", "disclosure_export"]
        assert all("7XYZ456" in json.dumps(e) for e in entries) and "4ABC123" not in r.text
        assert document["bundle"]["exported_by"]["officer"] == "supervisor-1"
        assert document["bundle"]["chain"]["ok"] is True
        live = {e.seq: e.hash for e in app.state.services.core.audit.search(limit=100)}
        assert all(live[e["seq"]] == e["hash"] for e in entries)  # matches the live chain

    public = load_public_key(public_pem(load_or_create_key(key_file)).encode())
    assert (key_file.stat().st_mode & 0o777) == 0o600
    check = verify_bundle(document, public)
    assert check.ok and check.entries == 3, check.problems

    edited = copy.deepcopy(document)
    edited["bundle"]["entries"][0]["slots"]["plate"] = "7XYZ457"
    result = verify_bundle(edited, public)
    assert not result.ok and any("tampered" in p for p in result.problems)
    assert any("seq" in p and "edited" in p for p in result.problems)  # the entry's digests break too

    dropped = copy.deepcopy(document)
    del dropped["bundle"]["entries"][1]
    assert not verify_bundle(dropped, public).ok

    forged_sig = copy.deepcopy(document)
    forged_sig["signature"]["value"] = forged_sig["signature"]["value"][::-1]
    assert not verify_bundle(forged_sig, public).ok

    stranger = Ed25519PrivateKey.generate().public_key()
    other = verify_bundle(document, stranger)
    assert not other.ok and "signed with a different key" in other.problems
    assert not verify_bundle({"nonsense": 1}, public).ok


def test_cli_export_and_verify_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/d.sqlite3"
    app = build_app(make_settings(tmp_path, registry={"url": db}))
    with TestClient(app):
        _seed(app)
    key, bundle_file, pub = tmp_path / "k.pem", tmp_path / "bundle.json", tmp_path / "pub.pem"
    with contextlib.redirect_stderr(io.StringIO()):
        assert (
            main(
                [
                    "audit",
                    "export",
                    "--subject",
                    "4ABC123",
                    "--out",
                    str(bundle_file),
                    "--key",
                    str(key),
                    "--officer",
                    "dpo-1",
                    "--db",
                    db,
                ]
            )
            == 0
        )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["audit", "public-key", "--key", str(key)]) == 0
    pub.write_text(out.getvalue())
    with contextlib.redirect_stdout(io.StringIO()) as verdict:
        assert main(["audit", "verify-export", str(bundle_file), "--public-key", str(pub)]) == 0
    assert json.loads(verdict.getvalue())["entries"] == 2
    document = json.loads(bundle_file.read_text())
    document["bundle"]["entries"][0]["officer"] = "someone-else"
    bundle_file.write_text(json.dumps(document))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["audit", "verify-export", str(bundle_file), "--public-key", str(pub)]) == 1
