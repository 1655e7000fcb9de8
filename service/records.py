"""Tables owned by the service core: API tokens and the audit log.

The audit chain's digests are described in :mod:`service.audit_chain`.

Both live on the one shared declarative ``Base`` from :mod:`lookup.db`, so they share the
Alembic chain with the registry. JSON-ish columns (``slots``, ``record_ids``) are stored as
canonical JSON *text*, so that the audit hash is computed over exactly the stored bytes and
survives a round trip through SQLite or PostgreSQL unchanged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lookup.db import Base


class ApiToken(Base):
    """A bearer token: only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16), doc="first characters of the token, to tell tokens apart")
    role: Mapped[str] = mapped_column(String(16))
    officer: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, doc="last resolved (to within the cache time)")
    channels: Mapped[str | None] = mapped_column(
        Text, nullable=True, doc="comma-separated radio channels the token may use; NULL: any")
    rotated_from: Mapped[int | None] = mapped_column(
        Integer, nullable=True, doc="id of the token this one replaced (patrol token rotate)")


class AuditEntry(Base):
    """One audited action. Rows are only ever inserted; ``seq`` orders the hash chain."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_officer_at", "officer", "at"),
        Index("ix_audit_entry_unit_at", "unit", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True, doc="1, 2, 3 ... with no gaps")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    officer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    session: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(16), doc="voice, typed, http or skill")
    action: Mapped[str] = mapped_column(String(32), doc="check, skill, audit_read, confirm ...")
    intent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    query_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    slots: Mapped[str] = mapped_column(Text, default="{}", doc="canonical JSON")
    record_ids: Mapped[str] = mapped_column(Text, default="[]", doc="canonical JSON list")
    subjects: Mapped[str] = mapped_column(Text, default="|", doc="|-delimited upper-case subject keys")
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True, doc="H(prev_hash, seq, at, content_hash)")
    content_hash: Mapped[str | None] = mapped_column(
        String(64), nullable=True, doc="H(kept columns, personal_hash); kept after redaction")
    personal_hash: Mapped[str | None] = mapped_column(
        String(64), nullable=True, doc="H(query_text, slots, record_ids, subjects, reason)")
    redacted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, doc="when retention removed the personal part")
    redaction_policy: Mapped[str | None] = mapped_column(
        String(64), nullable=True, doc="the retention policy that removed it, e.g. audit_text_days=365")


SERVICE_TABLES = (ApiToken.__tablename__, AuditEntry.__tablename__)
