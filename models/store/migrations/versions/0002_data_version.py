"""data version: one row bumped by every write, for dashboard caches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0, "changed_at": datetime(2000, 1, 1)}])


def downgrade() -> None:
    op.drop_table("data_version")
