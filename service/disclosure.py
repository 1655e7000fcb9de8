"""Subject-access and disclosure: every audit entry that touched one subject, as a signed bundle.

A bundle is JSON::

    {"bundle": {"format": "patrol-disclosure-v1", "subject": "7XYZ456", "exported_at": ...,
                "exported_by": {...}, "chain": {"ok": true, "entries": N, "head": "..."},
                "entries": [ {seq, at, officer, ..., prev_hash, content_hash, personal_hash, hash}, ...]},
     "signature": {"alg": "Ed25519", "key_id": "<sha256 of the raw public key>", "value": "<base64>"}}

The signature is Ed25519 over the canonical JSON of ``bundle`` (sorted keys, no spaces).
The operator keeps the private key (``disclosure.signing_key_file``) and publishes the
public key (``patrol audit export-key``); anyone with it can check a bundle with
``patrol audit verify-export``, which also re-computes every entry's digests from its
content, so the entries can be matched against the live chain (same ``hash`` at the same
``seq``). The export itself is audited before the bundle is built.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.audit import AuditLog, row_payload
from service.audit_chain import canonical_json, content_digest, entry_digest, personal_digest
from service.records import AuditEntry

logger = logging.getLogger(__name__)

FORMAT = "patrol-disclosure-v1"
DEFAULT_KEY_NAME = "disclosure-ed25519.pem"
_MAX_ENTRIES = 100_000


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key at ``path`` (PEM, PKCS#8, unencrypted); created (mode 0600)
    when the file does not exist."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    logger.warning(
        "created a disclosure signing key at %s (key id %s): publish its public key",
        path,
        key_id(key.public_key()),
    )
    return key


def public_pem(key: Ed25519PrivateKey) -> str:
    """The public half of ``key`` as PEM (what verifiers need)."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw 32-byte public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _entry(row: AuditEntry) -> dict[str, Any]:
    data = row_payload(row)
    data["slots"] = json.loads(row.slots)
    data["record_ids"] = json.loads(row.record_ids)
    return data


def build_bundle(
    log: AuditLog, subject: str, *, key: Ed25519PrivateKey, exported_by: dict[str, str | None]
) -> dict[str, Any]:
    """Sign every entry whose subjects include ``subject``, oldest first, with the chain state
    (blocking). Redacted entries no longer name their subjects, so they are not found."""
    rows = sorted(log.search(subject=subject, limit=_MAX_ENTRIES), key=lambda r: r.seq)
    report = log.verify()
    bundle = {
        "format": FORMAT,
        "subject": subject.strip().upper(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exported_by": exported_by,
        "chain": {"ok": report.ok, "entries": report.entries, "head": report.head},
        "entries": [_entry(r) for r in rows],
    }
    signature = key.sign(canonical_json(bundle).encode("utf-8"))
    return {
        "bundle": bundle,
        "signature": {
            "alg": "Ed25519",
            "key_id": key_id(key.public_key()),
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


@dataclass
class BundleCheck:
    """Outcome of checking a bundle; problems never quote content."""

    problems: list[str] = field(default_factory=list)
    entries: int = 0

    @property
    def ok(self) -> bool:
        """True when the signature and every entry's digests hold."""
        return not self.problems


def _digests_hold(entry: dict[str, Any]) -> bool:
    row = AuditEntry(
        **{
            k: entry[k]
            for k in (
                "officer",
                "role",
                "unit",
                "channel",
                "session",
                "source",
                "action",
                "intent",
                "query_text",
                "status",
                "reason",
                "subjects",
            )
        }
    )
    row.slots = canonical_json(entry["slots"])
    row.record_ids = canonical_json(entry["record_ids"])
    personal = entry["personal_hash"] if entry.get("redacted_at") else personal_digest(row)
    content = content_digest(row, personal)
    at = datetime.fromisoformat(entry["at"])
    return (
        personal == entry["personal_hash"]
        and content == entry["content_hash"]
        and entry_digest(entry["prev_hash"], entry["seq"], at, content) == entry["hash"]
    )


def verify_bundle(document: dict[str, Any], public: Ed25519PublicKey) -> BundleCheck:
    """Check a bundle's signature against ``public`` and re-compute each entry's digests."""
    check = BundleCheck()
    try:
        bundle, sig = document["bundle"], document["signature"]
        if sig.get("alg") != "Ed25519":
            check.problems.append("unknown signature algorithm")
            return check
        if sig.get("key_id") != key_id(public):
            check.problems.append("signed with a different key")
        public.verify(base64.b64decode(sig["value"]), canonical_json(bundle).encode("utf-8"))
    except InvalidSignature:
        check.problems.append("signature does not match the bundle (tampered)")
    except (KeyError, TypeError, ValueError) as err:
        check.problems.append(f"not a disclosure bundle ({type(err).__name__})")
        return check
    if bundle.get("format") != FORMAT:
        check.problems.append("unknown bundle format")
    for entry in bundle.get("entries", []):
        check.entries += 1
        try:
            ok = _digests_hold(entry)
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            check.problems.append(f"seq {entry.get('seq')}: entry does not match its hashes (edited)")
    return check


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (a private key PEM is accepted too)."""
    try:
        key: Any = serialization.load_pem_public_key(pem)
    except ValueError:
        key = serialization.load_pem_private_key(pem, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key
