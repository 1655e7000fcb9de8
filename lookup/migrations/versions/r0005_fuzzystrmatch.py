"""PostgreSQL's fuzzystrmatch, so the near-miss search filters by edit distance in the server.

Revision ID: 0005_fuzzystrmatch
Revises: 0003_licence_rev (the registry's own branch)
Create Date: 2026-12-03

Without it (an extension the database may not allow) the search works as before: the
server returns every row of the index ranges and the service filters them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_fuzzystrmatch"
down_revision: str | Sequence[str] | None = "0003_licence_rev"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create fuzzystrmatch where the server has it (PostgreSQL only)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from lookup.store import ensure_extension

        # In public, like pg_trgm: visible to every schema whose search path ends in it.
        ensure_extension(bind, "fuzzystrmatch", schema="public")


def downgrade() -> None:
    """Leave the extension: other schemas of the database may use it."""
