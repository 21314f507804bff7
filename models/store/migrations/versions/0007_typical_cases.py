"""complaint.typical and complaint.headline: typical cases (典型案例) chosen by staff

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(
            sa.Column("typical", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("headline", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("headline")
        batch.drop_column("typical")
