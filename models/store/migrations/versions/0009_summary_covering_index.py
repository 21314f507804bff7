"""complaint: the month-and-platform index also holds what a summary recount reads

Every write recounts the summaries of the months and platforms it touched
(models/store/summary.py). An import of 100,000 complaints into a million touches a
whole year: 300,000 complaints read back. Through the old two-column index each one was
a lookup in the table (two seconds on SQLite); with the counted columns in the index
the recount reads the index alone (a third of a second). Inserts cost the same.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAME = "ix_complaint_month_platform"
COLUMNS = [
    *("submitted_month", "platform_id", "status", "replied_at", "reply_tier", "score"),
    *("problem_type", "province", "gender", "amount_bracket", "age"),
]


def upgrade() -> None:
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", COLUMNS)


def downgrade() -> None:
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", COLUMNS[:2])
