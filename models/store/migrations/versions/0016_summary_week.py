"""summary_week: complaints per ISO week, platform, status and problem type or province

消费预警 compares weekly counts; counted from the complaints, a year of them took seconds
at a million complaints. The table starts empty and is counted once the upgrade reaches
the latest revision (models/store/schema.py). The recount reads the complaint's week, so
submitted_at joins the index it reads.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

NAME = "ix_complaint_month_platform"
COLUMNS = [
    *("submitted_month", "platform_id", "status", "replied_at", "reply_tier", "score"),
    *("problem_type", "province", "gender", "amount_bracket", "age", "complainant_type"),
]


def upgrade() -> None:
    op.create_table(
        "summary_week",
        sa.Column("dimension", sa.String(length=16), primary_key=True),
        sa.Column("month", sa.Integer(), primary_key=True),
        sa.Column("week", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(length=8), primary_key=True),
        sa.Column("value", sa.String(length=50), primary_key=True),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", [*COLUMNS, "submitted_at"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", COLUMNS)
    op.drop_table("summary_week")
