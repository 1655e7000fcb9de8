"""Service tables: api_token (hashed bearer tokens) and audit_entry (hash-chained audit log).

Revision ID: 0002_service
Revises: 0001_registry
Create Date: 2026-11-21

The app also creates these tables when missing (embedded default), so this revision skips
tables that already exist instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_service"
down_revision: str | Sequence[str] | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create api_token and audit_entry unless present."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "api_token" not in existing:
        op.create_table(
            "api_token",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("token_hash", sa.String(64), nullable=False),
            sa.Column("prefix", sa.String(16), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("officer", sa.String(64), nullable=False),
            sa.Column("unit", sa.String(64), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        )
        op.create_index("ix_api_token_token_hash", "api_token", ["token_hash"], unique=True)
    if "audit_entry" not in existing:
        op.create_table(
            "audit_entry",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("seq", sa.Integer, nullable=False, unique=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("officer", sa.String(64), nullable=True),
            sa.Column("role", sa.String(16), nullable=True),
            sa.Column("unit", sa.String(64), nullable=True),
            sa.Column("channel", sa.String(64), nullable=True),
            sa.Column("session", sa.String(64), nullable=True),
            sa.Column("source", sa.String(16), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("intent", sa.String(32), nullable=True),
            sa.Column("query_text", sa.Text, nullable=True),
            sa.Column("slots", sa.Text, nullable=False),
            sa.Column("record_ids", sa.Text, nullable=False),
            sa.Column("subjects", sa.Text, nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("reason", sa.Text, nullable=True),
            sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("hash", sa.String(64), nullable=False, unique=True),
        )
        op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
        op.create_index("ix_audit_entry_officer_at", "audit_entry", ["officer", "at"])
        op.create_index("ix_audit_entry_unit_at", "audit_entry", ["unit", "at"])


def downgrade() -> None:
    """Drop the service tables."""
    op.drop_table("audit_entry")
    op.drop_table("api_token")
