"""complaint.public_text: title and content scrubbed of personal data, for public search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaint", sa.Column("public_text", sa.Text(), nullable=True))
    # Existing complaints are scrubbed once here; from now on every write of a
    # complaint stores it. A later change to the scrubber's rules adds a migration
    # that calls refresh_public_text again.
    from models.store.public_text import refresh_public_text

    refresh_public_text(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_column("complaint", "public_text")
