"""A trigram index for the proposals' substring search (`q=`) and, on PostgreSQL, statistics
that tell the planner how status and end_date go together (see projections.schema).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Written out rather than imported: a migration must not change when the code does.
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS proposals_status_end_date (mcv)"
            " ON status, end_date FROM proposals"
        )
    # On SQLite, an empty partial index of the same name (see projections.schema.search_index).
    op.create_index(
        "proposals_search_trgm",
        "proposals",
        ["search"],
        postgresql_using="gin",
        postgresql_ops={"search": "gin_trgm_ops"},
        sqlite_where=sa.false(),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS proposals_status_end_date")
    # The extension stays: other schemas in the database may use it.
    op.drop_index("proposals_search_trgm", table_name="proposals")
