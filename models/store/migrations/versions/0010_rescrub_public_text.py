"""complaint.public_text scrubbed again: the scrubber now reads numbers by their shape

Phones with dots or brackets (138.0013.8001, (139)0013-8002), IDs with dots, licence
plates, 加微：…, x(at)qq.com and x@qq。com stayed in the text older releases stored for
public search, and 地址不符 lost its words. Public search reads the stored text, so
every complaint's is recomputed with the current rules (models/rules/privacy.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from alembic import op
from sqlmodel import Session

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from models.store.public_text import refresh_public_text

    refresh_public_text(Session(bind=op.get_bind()))


def downgrade() -> None:
    pass  # the text scrubbed by the new rules is what any release may show
