"""Licence numbers get a reversed skeleton (``number_rev``) for the near-miss search.

Revision ID: 0003_licence_rev
Revises: 0001_registry (the registry's own branch; the service's 0002 is the other head)
Create Date: 2026-11-21

Existing rows are filled in batches; the column stays nullable so a row written by an older
release is only missed by the suffix probe, never rejected.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_licence_rev"
down_revision: str | Sequence[str] | None = "0001_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 20_000


def upgrade() -> None:
    """Add ``driver_licence.number_rev``, fill it from ``number_skel``, and index it."""
    op.add_column("driver_licence", sa.Column("number_rev", sa.String(24), nullable=True))
    conn = op.get_bind()
    table = sa.table("driver_licence", sa.column("id", sa.Integer), sa.column("number_skel", sa.String),
                     sa.column("number_rev", sa.String))
    last = 0
    while True:
        query = sa.select(table.c.id, table.c.number_skel).where(table.c.id > last)
        rows = conn.execute(query.order_by(table.c.id).limit(_BATCH)).all()
        if not rows:
            break
        conn.execute(
            sa.update(table).where(table.c.id == sa.bindparam("rid")).values(number_rev=sa.bindparam("rev")),
            [{"rid": r.id, "rev": (r.number_skel or "")[::-1]} for r in rows],
        )
        last = rows[-1].id
    op.create_index("ix_licence_rev", "driver_licence", ["number_rev"])


def downgrade() -> None:
    """Drop the reversed skeleton."""
    op.drop_index("ix_licence_rev", table_name="driver_licence")
    with op.batch_alter_table("driver_licence") as batch:
        batch.drop_column("number_rev")
