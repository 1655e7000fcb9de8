"""Registry tables: person, driver_licence, vehicle, alert (+ pg_trgm indexes on PostgreSQL).

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

logger = logging.getLogger(__name__)

revision: str = "0001_registry"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the registry tables and their search indexes."""
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("given", sa.String(64), nullable=False),
        sa.Column("family", sa.String(64), nullable=False),
        sa.Column("given_key", sa.String(64), nullable=False),
        sa.Column("family_key", sa.String(64), nullable=False),
        sa.Column("given_phon", sa.String(16), nullable=False),
        sa.Column("family_phon", sa.String(16), nullable=False),
        sa.Column("dob", sa.Date, nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("address", sa.String(200)),
        sa.Column("region", sa.String(8)),
        sa.Column("aliases", sa.String(200)),
    )
    op.create_index("ix_person_dob", "person", ["dob"])
    op.create_index("ix_person_phon", "person", ["family_phon", "given_phon"])
    op.create_index("ix_person_key", "person", ["family_key", "given_key"])
    op.create_table(
        "driver_licence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("number_skel", sa.String(24), nullable=False),
        sa.Column("holder_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("region", sa.String(8)),
        sa.Column("class", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expiry", sa.Date),
    )
    op.create_index("ix_licence_number", "driver_licence", ["number"])
    op.create_index("ix_licence_skel", "driver_licence", ["number_skel"])
    op.create_index("ix_licence_holder", "driver_licence", ["holder_id"])
    op.create_table(
        "vehicle",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("plate_skel", sa.String(16), nullable=False),
        sa.Column("plate_rev", sa.String(16), nullable=False),
        sa.Column("region", sa.String(8)),
        sa.Column("make", sa.String(32)),
        sa.Column("model", sa.String(32)),
        sa.Column("colour", sa.String(24)),
        sa.Column("year", sa.Integer),
        sa.Column("vin", sa.String(17)),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("person.id")),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_vehicle_plate", "vehicle", ["plate"])
    op.create_index("ix_vehicle_skel", "vehicle", ["plate_skel"])
    op.create_index("ix_vehicle_rev", "vehicle", ["plate_rev"])
    op.create_index("ix_vehicle_owner", "vehicle", ["owner_id"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id")),
        sa.Column("vehicle_id", sa.Integer, sa.ForeignKey("vehicle.id")),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("officer_safety", sa.Boolean, nullable=False),
        sa.Column("details", sa.String(200)),
        sa.Column("issued", sa.Date, nullable=False),
        sa.Column("expires", sa.Date),
    )
    op.create_index("ix_alert_person", "alert", ["person_id"])
    op.create_index("ix_alert_vehicle", "alert", ["vehicle_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from lookup.models import POSTGRES_TRGM_INDEXES
        from lookup.store import ensure_trgm

        if ensure_trgm(bind):
            for ddl in POSTGRES_TRGM_INDEXES.values():
                op.execute(ddl)


def downgrade() -> None:
    """Drop the registry tables."""
    for table in ("alert", "vehicle", "driver_licence", "person"):
        op.drop_table(table)
