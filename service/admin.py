"""``patrol token ...``, ``patrol audit ...`` and ``patrol retention run``: operator commands
of the service core (docs/security.md).

``patrol token create --role R --officer ID --unit U [--channels a,b]`` prints a new token
once (only its hash is stored). ``patrol token rotate PREFIX --grace-hours H`` prints a
replacement and lets the old token expire after H hours; ``patrol token list`` shows prefix,
role, officer, channels, last use and expiry; ``patrol token revoke PREFIX`` revokes (open
websockets of that token are closed within seconds). Rotation and revocation are audited.

``patrol audit verify`` walks the hash chain and exits 1 if any row was edited, deleted or
reordered; it prints the head hash, which can be kept elsewhere and passed back as
``--expect-head`` to also catch removal of the newest rows. ``patrol audit export --subject
S`` writes a signed disclosure bundle (audited); ``patrol audit verify-export FILE
--public-key PEM`` checks one; ``patrol audit public-key`` prints the key to publish.

``patrol retention run`` redacts audit entries past ``retention.audit_text_days`` and deletes
matched face probes past ``retention.face_probe_hours`` (audited).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lookup.db import make_engine
from service.audit import AuditLog, AuditRecord
from service.auth import ALL_ROLES, TokenStore
from service.core import ensure_tables

logger = logging.getLogger(__name__)


def _engine(args: argparse.Namespace) -> Engine:
    engine = make_engine(args.db)
    ensure_tables(engine)
    return engine


def _token_create(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        channels = args.channels.split(",") if args.channels else None
        token = TokenStore(engine).create(role=args.role, officer=args.officer, unit=args.unit,
                                          expires_days=args.expires_days, channels=channels)
    finally:
        engine.dispose()
    print(token)
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        count = TokenStore(engine).revoke(args.prefix)
        if count:
            AuditLog(engine).append(AuditRecord(action="token_revoke", status="ok", source="cli",
                                                officer="cli",
                                                reason=f"revoked {count} token(s) {args.prefix}"))
    finally:
        engine.dispose()
    print(json.dumps({"revoked": count}))
    return 0 if count else 1


def _token_rotate(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        try:
            token = TokenStore(engine).rotate(args.prefix, grace_hours=args.grace_hours)
        except LookupError as err:
            print(json.dumps({"error": str(err)}), file=sys.stderr)
            return 1
        AuditLog(engine).append(AuditRecord(
            action="token_rotate", status="ok", source="cli", officer="cli",
            reason=f"{args.prefix} replaced by {token[:10]}; old valid {args.grace_hours:g} h more at most"))
    finally:
        engine.dispose()
    print(token)
    return 0


def _when(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at is not None else None


def _token_list(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        tokens = TokenStore(engine).list_tokens()
    finally:
        engine.dispose()
    for t in tokens:
        if not args.all and t.state() != "active":
            continue
        print(json.dumps({"prefix": t.prefix, "role": t.role, "officer": t.officer, "unit": t.unit,
                          "channels": t.channels, "state": t.state(), "created": _when(t.created_at),
                          "last_used": _when(t.last_used_at), "expires": _when(t.expires_at),
                          "revoked": _when(t.revoked_at)}))
    return 0


def _signing_key(args: argparse.Namespace) -> Any:
    from service.disclosure import load_or_create_key

    return load_or_create_key(Path(args.key))


def _audit_export(args: argparse.Namespace) -> int:
    from service.disclosure import build_bundle

    engine = _engine(args)
    try:
        log = AuditLog(engine)
        subject = args.subject.strip().upper()
        log.append(AuditRecord(action="disclosure_export", status="ok", source="cli", officer=args.officer,
                               slots={"disclosed_subject": subject}))
        bundle = build_bundle(log, subject, key=_signing_key(args),
                              exported_by={"officer": args.officer, "role": None, "unit": None})
    finally:
        engine.dispose()
    text = json.dumps(bundle, indent=1, ensure_ascii=False)
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    print(json.dumps({"subject": subject, "entries": len(bundle["bundle"]["entries"]),
                      "key_id": bundle["signature"]["key_id"]}), file=sys.stderr)
    return 0


def _audit_verify_export(args: argparse.Namespace) -> int:
    from service.disclosure import load_public_key, verify_bundle

    check = verify_bundle(json.loads(Path(args.file).read_text(encoding="utf-8")),
                          load_public_key(Path(args.public_key).read_bytes()))
    print(json.dumps({"ok": check.ok, "entries": check.entries, "problems": check.problems}, indent=2))
    return 0 if check.ok else 1


def _audit_public_key(args: argparse.Namespace) -> int:
    from service.disclosure import public_pem

    print(public_pem(_signing_key(args)), end="")
    return 0


def _retention_run(args: argparse.Namespace) -> int:
    from service.retention import RetentionPolicy, run_retention

    engine = _engine(args)
    try:
        report = run_retention(AuditLog(engine), RetentionPolicy(audit_text_days=args.audit_text_days,
                                                                 face_probe_hours=args.face_probe_hours),
                               source="cli", officer="cli")
    finally:
        engine.dispose()
    print(json.dumps({"redacted": report.redacted, "face_probes_deleted": report.face_probes_deleted,
                      "audit_cutoff": report.audit_cutoff.isoformat(timespec="seconds"),
                      "face_cutoff": report.face_cutoff.isoformat(timespec="seconds")}))
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        report = AuditLog(engine).verify(expect_head=args.expect_head)
    finally:
        engine.dispose()
    print(json.dumps({"ok": report.ok, "entries": report.entries, "head": report.head,
                      "problems": report.problems}, indent=2))
    return 0 if report.ok else 1


def register(sub: Any, *, registry_url: str, audit_text_days: float = 365.0,
             face_probe_hours: float = 744.0, signing_key: str = "var/disclosure-ed25519.pem") -> None:
    """Add the ``token``, ``audit`` and ``retention`` command groups to the ``patrol`` CLI.

    ``registry_url`` is the default for ``--db`` (tokens and audit live beside the registry);
    the others are the retention and disclosure settings' defaults.
    """
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    p = token.add_parser("create", help="create a token and print it once")
    p.add_argument("--role", required=True, choices=sorted(ALL_ROLES))
    p.add_argument("--officer", required=True, help="officer or system id the token speaks for")
    p.add_argument("--unit", help="unit (call sign) recorded in the audit log")
    p.add_argument("--expires-days", type=float, help="expire after this many days")
    p.add_argument("--channels", help="comma-separated radio channels this token may use (gateways)")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_create)
    p = token.add_parser("revoke", help="revoke tokens by their printed prefix (first 10 characters)")
    p.add_argument("prefix")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_revoke)
    p = token.add_parser("rotate", help="print a replacement; the old token expires after the grace")
    p.add_argument("prefix")
    p.add_argument("--grace-hours", type=float, default=24.0, help="how long the old token keeps working")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_rotate)
    p = token.add_parser("list", help="prefix, role, officer, channels, last use and expiry (JSON lines)")
    p.add_argument("--all", action="store_true", help="also expired and revoked tokens")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_list)

    audit = sub.add_parser("audit", help="audit log").add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser("verify", help="verify the audit hash chain; exit 1 on tampering")
    p.add_argument("--expect-head", help="head hash recorded earlier, to detect removed newest rows")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_audit_verify)
    p = audit.add_parser("export", help="signed bundle of every entry that touched one subject (audited)")
    p.add_argument("--subject", required=True, help="plate, licence, name or record id")
    p.add_argument("--officer", default="cli", help="who asked for the export (recorded)")
    p.add_argument("--out", default="-", help="file to write (default: stdout)")
    p.add_argument("--key", default=signing_key, help="Ed25519 signing key (PEM); created if missing")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_audit_export)
    p = audit.add_parser("verify-export", help="check a bundle's signature and digests; exit 1 if tampered")
    p.add_argument("file")
    p.add_argument("--public-key", required=True, help="the operator's published public key (PEM)")
    p.set_defaults(func=_audit_verify_export)
    p = audit.add_parser("public-key", help="print the public key of the signing key (to publish)")
    p.add_argument("--key", default=signing_key, help="Ed25519 signing key (PEM); created if missing")
    p.set_defaults(func=_audit_public_key)

    retention = sub.add_parser("retention", help="data retention").add_subparsers(
        dest="retention_command", required=True)
    p = retention.add_parser("run", help="redact old audit entries, delete old matched face probes (audited)")
    p.add_argument("--audit-text-days", type=float, default=audit_text_days)
    p.add_argument("--face-probe-hours", type=float, default=face_probe_hours)
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_retention_run)
