"""``patrol token ...`` and ``patrol audit ...``: operator commands of the service core.

``patrol token create --role R --officer ID --unit U`` prints a new token once (only its
hash is stored). ``patrol token revoke PREFIX`` revokes it. ``patrol audit verify`` walks
the hash chain and exits 1 if any row was edited, deleted or reordered; it prints the head
hash, which can be kept elsewhere and passed back as ``--expect-head`` to also catch
removal of the newest rows.
"""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from sqlalchemy import Engine

from lookup.db import make_engine
from service.audit import AuditLog
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
        token = TokenStore(engine).create(role=args.role, officer=args.officer, unit=args.unit,
                                          expires_days=args.expires_days)
    finally:
        engine.dispose()
    print(token)
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        count = TokenStore(engine).revoke(args.prefix)
    finally:
        engine.dispose()
    print(json.dumps({"revoked": count}))
    return 0 if count else 1


def _audit_verify(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        report = AuditLog(engine).verify(expect_head=args.expect_head)
    finally:
        engine.dispose()
    print(json.dumps({"ok": report.ok, "entries": report.entries, "head": report.head,
                      "problems": report.problems}, indent=2))
    return 0 if report.ok else 1


def register(sub: Any, *, registry_url: str) -> None:
    """Add the ``token`` and ``audit`` command groups to the ``patrol`` CLI.

    ``registry_url`` is the default for ``--db`` (tokens and audit live beside the registry).
    """
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    p = token.add_parser("create", help="create a token and print it once")
    p.add_argument("--role", required=True, choices=sorted(ALL_ROLES))
    p.add_argument("--officer", required=True, help="officer or system id the token speaks for")
    p.add_argument("--unit", help="unit (call sign) recorded in the audit log")
    p.add_argument("--expires-days", type=float, help="expire after this many days")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_create)
    p = token.add_parser("revoke", help="revoke tokens by their printed prefix (first 10 characters)")
    p.add_argument("prefix")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_token_revoke)

    audit = sub.add_parser("audit", help="audit log").add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser("verify", help="verify the audit hash chain; exit 1 on tampering")
    p.add_argument("--expect-head", help="head hash recorded earlier, to detect removed newest rows")
    p.add_argument("--db", default=registry_url, help="database URL (default: the configured registry)")
    p.set_defaults(func=_audit_verify)
