"""complaint.complainant_type (投诉人类型: 消费者 or 商家), a dimension of its own

Existing complaints were filed by consumers. The column joins the index a summary
recount reads, and the summaries are emptied: they are counted again, with the new
dimension, once the upgrade reaches the latest revision (models/store/schema.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NAME = "ix_complaint_month_platform"
COLUMNS = [
    *("submitted_month", "platform_id", "status", "replied_at", "reply_tier", "score"),
    *("problem_type", "province", "gender", "amount_bracket", "age"),
]


def upgrade() -> None:
    op.add_column(
        "complaint",
        sa.Column(
            "complainant_type", sa.String(length=8), nullable=False, server_default="消费者"
        ),
    )
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", [*COLUMNS, "complainant_type"])
    op.execute("DELETE FROM summary_count")


def downgrade() -> None:
    op.drop_index(NAME, table_name="complaint")
    op.create_index(NAME, "complaint", COLUMNS)
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("complainant_type")
    op.execute("DELETE FROM summary_count WHERE dimension = 'complainant_type'")
