"""summary tables of counts per month, platform and status; province index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summary_rating",
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("replied", sa.Integer(), nullable=False),
        sa.Column("fast", sa.Integer(), nullable=False),
        sa.Column("slow", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "month", "platform_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "summary_count",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "platform_id", "month", "status", "value"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_complaint_province_month", "complaint", ["province", "submitted_month"], unique=False
    )
    # Existing complaints are counted once the upgrade reaches the latest revision
    # (models/store/schema.py): the recount is today's code and reads today's columns.
    # From then on every write keeps the summaries exact (models/store/summary.py).


def downgrade() -> None:
    op.drop_index("ix_complaint_province_month", table_name="complaint")
    op.drop_table("summary_count")
    op.drop_table("summary_rating")
