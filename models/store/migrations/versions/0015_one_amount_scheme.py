"""complaint.amount_bracket in the reports' one ordered scheme

Older releases stored the coarse 0-5万元 some merchant-side reports use (from imports and
the demo) beside the ordered brackets 0-100元 … 10000元以上, so charts listed it after
10000元以上 and it overlapped five of them. Each such complaint now holds its amount's
bracket (未选择 without an amount), exactly as an import reads that bracket
(``normalize_bracket`` in models/rules/labels.py); the summary counts are emptied (counted
again at the latest revision) and the data version moves, so every cache reads the new
brackets.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

complaint = sa.table(
    "complaint",
    sa.column("id", sa.Integer),
    sa.column("amount", sa.Numeric),
    sa.column("amount_bracket", sa.String),
)


def upgrade() -> None:
    from models.rules.labels import AMOUNT_BRACKETS, bracket_for_amount, normalize_bracket
    from models.store import freshness

    session = Session(bind=op.get_bind())
    outside = session.execute(
        sa.select(complaint.c.id, complaint.c.amount_bracket, complaint.c.amount).where(
            complaint.c.amount_bracket.not_in(AMOUNT_BRACKETS)
        )
    ).all()
    if not outside:
        return
    session.execute(
        complaint.update()
        .where(complaint.c.id == sa.bindparam("complaint_id"))
        .values(amount_bracket=sa.bindparam("bracket")),
        [
            {
                "complaint_id": cid,
                # an unknown label (none was accepted) counts by its amount too
                "bracket": normalize_bracket(text, amount) or bracket_for_amount(amount),
            }
            for cid, text, amount in outside
        ],
    )
    # Emptied, not recounted: the recount is today's code, writing today's tables, so it
    # runs once the upgrade reaches the latest revision (models/store/schema.py).
    session.execute(sa.text("DELETE FROM summary_count"))
    freshness.bump(session)
    session.flush()


def downgrade() -> None:
    pass  # the scheme's bracket is what any release may show
