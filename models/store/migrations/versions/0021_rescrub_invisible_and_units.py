"""complaint.public_text scrubbed again: invisible characters, digits of other forms, and
a number followed by a word that begins with a unit

A phone followed by 天天, 人工, 个人 … (手机13912345678天天被骚扰) was read as a quantity
and kept; invisible characters between digits (139\u200b1234\u200b5678) and digits of
other forms (𝟏𝟑𝟗, ①③⑨, ١٣٩) hid a number from every rule. Public search reads the stored
text, so every complaint's is recomputed with the current rules (models/rules/privacy.py),
as 0010 did.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from alembic import op
from sqlmodel import Session

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from models.store.public_text import refresh_public_text

    refresh_public_text(Session(bind=op.get_bind()))


def downgrade() -> None:
    pass  # the text scrubbed by the new rules is what any release may show
