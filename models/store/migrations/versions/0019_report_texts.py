"""platform.unrated_reason (why 不予评级) and complaint.handling (a typical case's 处理情况
sentence for reports): both empty for existing rows, the reports' defaults apply

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN: a batch would rebuild these tables on SQLite, which
    # others' foreign keys (and the search triggers) forbid.
    op.add_column("platform", sa.Column("unrated_reason", sa.String(50), nullable=True))
    op.add_column("complaint", sa.Column("handling", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("complaint", "handling")  # SQLite 3.35+ drops a column in place
    op.drop_column("platform", "unrated_reason")
