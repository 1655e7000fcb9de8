"""Audit content hashes and redaction marks; token rotation, channel scope and last use.

Revision ID: 0004_security
Revises: 0002_service
Create Date: 2026-12-02

The audit chain changes from ``hash = H(every column)`` to ``hash = H(prev_hash, seq, at,
content_hash)`` (see :mod:`service.audit_chain`), so that retention can remove the personal
part of old entries and the chain still verifies. Existing chains are converted in place:

1. the old chain is verified with the old rule (frozen below); if it is broken the upgrade
   stops, because re-hashing a tampered chain would launder the tampering;
2. every entry gets ``personal_hash``, ``content_hash`` and a new ``hash``/``prev_hash``,
   in ``seq`` order;
3. the converted chain is verified with the new rule before the transaction commits.

The digests are computed here by a frozen copy of the rules, not by importing the service,
so this revision keeps working whatever later code does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004_security"
down_revision: str | Sequence[str] | None = "0002_service"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GENESIS = "0" * 64
_COLUMNS = ("seq", "at", "officer", "role", "unit", "channel", "session", "source", "action", "intent",
            "query_text", "slots", "record_ids", "subjects", "status", "reason", "prev_hash")
_PERSONAL = ("query_text", "slots", "record_ids", "subjects", "reason")
_KEPT = ("officer", "role", "unit", "channel", "session", "source", "action", "intent", "status")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _h(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def _at(at: datetime | str) -> str:
    if isinstance(at, str):  # SQLite through a plain table() may hand back text
        at = datetime.fromisoformat(at)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def _old_hash(row: Any) -> str:
    payload = {name: getattr(row, name) for name in _COLUMNS}
    payload["at"] = _at(row.at)
    return _h(payload)


_NEW_COLUMNS: dict[str, tuple[sa.Column[Any], ...]] = {
    "api_token": (
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channels", sa.Text, nullable=True),
        sa.Column("rotated_from", sa.Integer, nullable=True),
    ),
    "audit_entry": (
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("personal_hash", sa.String(64), nullable=True),
        sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redaction_policy", sa.String(64), nullable=True),
    ),
}


def upgrade() -> None:
    """Add the columns, then convert and re-verify the audit chain.

    Tables the app already created with these columns (embedded default) are left alone, and
    so is their chain, which is already in the new form."""
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    converted = False
    for table, columns in _NEW_COLUMNS.items():
        have = {c["name"] for c in inspector.get_columns(table)}
        missing = [c for c in columns if c.name not in have]
        if not missing:
            continue
        with op.batch_alter_table(table) as batch:
            for column in missing:
                batch.add_column(column)
        converted |= table == "audit_entry" and "content_hash" not in have
    if converted:
        convert_chain(conn)


def convert_chain(conn: sa.Connection) -> int:
    """Re-hash every audit entry under the content-hash rule; returns how many."""
    table = sa.table("audit_entry", *(sa.column(c) for c in ("id", "hash", "content_hash", "personal_hash",
                                                               *_COLUMNS)))
    rows = list(conn.execute(sa.select(table).order_by(table.c.seq)))
    prev, expected, problems = _GENESIS, 1, 0
    for row in rows:
        problems += row.seq != expected or row.prev_hash != prev or _old_hash(row) != row.hash
        prev, expected = row.hash, row.seq + 1
    if problems:
        raise RuntimeError(
            f"the audit chain is broken in {problems} place(s) (run `patrol audit verify` on the old "
            "release); it was not converted, because re-hashing would hide the tampering")
    new_prev = _GENESIS
    updates: list[dict[str, Any]] = []
    for row in rows:
        personal = _h({name: getattr(row, name) for name in _PERSONAL})
        content = _h({**{name: getattr(row, name) for name in _KEPT}, "personal_hash": personal})
        entry = _h([new_prev, row.seq, _at(row.at), content])
        updates.append({"row_id": row.id, "p": personal, "c": content, "prev": new_prev, "h": entry})
        new_prev = entry
    # prev_hash and hash are unique: park every row on a placeholder first, so no new value can
    # collide with an old one still stored on a later row.
    conn.execute(table.update().values(prev_hash=sa.literal("~") + sa.cast(table.c.id, sa.String),
                                       hash=sa.literal("#") + sa.cast(table.c.id, sa.String)))
    stmt = (table.update().where(table.c.id == sa.bindparam("row_id"))
            .values(personal_hash=sa.bindparam("p"), content_hash=sa.bindparam("c"),
                    prev_hash=sa.bindparam("prev"), hash=sa.bindparam("h")))
    if updates:
        conn.execute(stmt, updates)
    _reverify(conn, table)
    return len(updates)


def _reverify(conn: sa.Connection, table: Any) -> None:
    prev, expected = _GENESIS, 1
    for row in conn.execute(sa.select(table).order_by(table.c.seq)):
        personal = _h({name: getattr(row, name) for name in _PERSONAL})
        content = _h({**{name: getattr(row, name) for name in _KEPT}, "personal_hash": personal})
        ok = (row.seq == expected and row.prev_hash == prev and row.personal_hash == personal
              and row.content_hash == content and row.hash == _h([prev, row.seq, _at(row.at), content]))
        if not ok:
            raise RuntimeError(f"the converted audit chain does not verify at seq {row.seq}")
        prev, expected = row.hash, row.seq + 1


def downgrade() -> None:
    """Back to whole-row hashes: re-hash the chain with the old rule and drop the new columns.

    Refused when retention has redacted entries: the old rule cannot represent them (their
    personal part is gone), so only a backup can go back past this revision."""
    conn = op.get_bind()
    table = sa.table("audit_entry", *(sa.column(c) for c in ("id", "hash", "redacted_at", *_COLUMNS)))
    redacted = conn.execute(sa.select(sa.func.count()).select_from(table)
                            .where(table.c.redacted_at.is_not(None))).scalar_one()
    if redacted:
        raise RuntimeError(f"{redacted} audit entries are redacted; 0004_security cannot be downgraded "
                           "(restore a backup instead)")
    rows = list(conn.execute(sa.select(table).order_by(table.c.seq)))
    prev = _GENESIS
    updates: list[dict[str, Any]] = []
    for row in rows:
        payload = {name: getattr(row, name) for name in _COLUMNS}
        payload["prev_hash"], payload["at"] = prev, _at(row.at)
        prev = _h(payload)
        updates.append({"row_id": row.id, "prev": payload["prev_hash"], "h": prev})
    conn.execute(table.update().values(prev_hash=sa.literal("~") + sa.cast(table.c.id, sa.String),
                                       hash=sa.literal("#") + sa.cast(table.c.id, sa.String)))
    if updates:
        conn.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                     .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("h")), updates)
    for name, columns in _NEW_COLUMNS.items():
        with op.batch_alter_table(name) as batch:
            for column in columns:
                batch.drop_column(column.name)
