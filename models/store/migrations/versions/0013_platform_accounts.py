"""user_platform: the platforms a platform account answers for (role "platform")

A platform account replies to its own complaints and sees nothing of any other platform
(models/access/policy.py); this table says which platforms are its own.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_platform",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "platform_id",
            sa.Integer(),
            sa.ForeignKey("platform.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_user_platform_platform_id", "user_platform", ["platform_id"])


def downgrade() -> None:
    op.drop_index("ix_user_platform_platform_id", table_name="user_platform")
    op.drop_table("user_platform")
