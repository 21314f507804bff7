"""``complaint.public_text``: title and content scrubbed, recomputed in bulk."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from models.rules.complaint import public_text
from models.store.tables import Complaint


def refresh_public_text(session: Session, batch: int = 5000) -> int:
    """Recompute ``public_text`` of every complaint (after the scrubber's rules change)."""
    columns = (
        Complaint.id,
        Complaint.title,
        Complaint.content,
        Complaint.complainant,
        Complaint.gender,
        Complaint.phone,
        Complaint.email,
        Complaint.id_number,
        Complaint.order_number,
    )
    done, last = 0, 0
    while True:
        rows = session.execute(
            select(*columns).where(Complaint.id > last).order_by(Complaint.id).limit(batch)
        ).all()
        if not rows:
            return done
        updates = [{"b_id": row.id, "text": public_text(row._mapping)} for row in rows]
        session.execute(
            update(Complaint.__table__)
            .where(Complaint.__table__.c.id == bindparam("b_id"))
            .values(public_text=bindparam("text")),
            updates,
        )
        done += len(rows)
        last = rows[-1].id
