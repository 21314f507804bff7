"""share_link.alerts: whether a share link also opens 预警 (off for every existing link)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("share_link") as table:
        table.add_column(
            sa.Column("alerts", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("share_link") as table:
        table.drop_column("alerts")
