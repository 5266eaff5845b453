"""The read models of the projections: proposals and their filter tables, review queue, stats.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_TABLES = (
    "projection_checkpoints",
    "proposals",
    "proposal_regions",
    "proposal_countries",
    "proposal_sdgs",
    "review_queue",
    "region_status_counts",
    "region_partner_counts",
    "region_country_counts",
    "sdg_status_counts",
)


def _proposal_tables() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("seq", _position, nullable=False),
        sa.Column("position", _position, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("initiator", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    op.create_index("proposals_seq", "proposals", ["seq"])
    op.create_index("proposals_status_seq", "proposals", ["status", "seq"])
    op.create_index("proposals_outcome_seq", "proposals", ["outcome", "seq"])
    op.create_index("proposals_status_end_date", "proposals", ["status", "end_date"])
    for name, column, length in (
        ("proposal_regions", "region_code", 16),
        ("proposal_countries", "country", 8),
        ("proposal_sdgs", "code", 8),
    ):
        op.create_table(
            name,
            sa.Column("proposal_id", sa.Uuid(), primary_key=True),
            sa.Column(column, sa.String(length), primary_key=True),
            sa.Column("seq", _position, nullable=False),
        )
        op.create_index(f"{name}_{column}_seq", name, [column, "seq"])
    op.create_table(
        "review_queue",
        sa.Column("proposal_id", sa.Uuid(), primary_key=True),
        sa.Column("seq", _position, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("item", sa.LargeBinary(), nullable=False),
    )
    op.create_index("review_queue_seq", "review_queue", ["seq"])


def _count_tables() -> None:
    for name, key, key_type in (
        ("region_status_counts", "region_code", sa.String(16)),
        ("sdg_status_counts", "goal", sa.Integer()),
    ):
        op.create_table(
            name,
            sa.Column(key, key_type, primary_key=True),
            sa.Column("status", sa.String(32), primary_key=True),
            sa.Column("end_date", sa.Date(), primary_key=True),
            sa.Column("count", sa.Integer(), nullable=False),
        )
    for name, column, length in (
        ("region_partner_counts", "partner", 300),
        ("region_country_counts", "country", 8),
    ):
        op.create_table(
            name,
            sa.Column("region_code", sa.String(16), primary_key=True),
            sa.Column(column, sa.String(length), primary_key=True),
            sa.Column("count", sa.Integer(), nullable=False),
        )


def upgrade() -> None:
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", _position, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    _proposal_tables()
    _count_tables()


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
