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
    with op.batch_alter_table("platform") as table:
        table.add_column(sa.Column("unrated_reason", sa.String(50), nullable=True))
    with op.batch_alter_table("complaint") as table:
        table.add_column(sa.Column("handling", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as table:
        table.drop_column("handling")
    with op.batch_alter_table("platform") as table:
        table.drop_column("unrated_reason")
