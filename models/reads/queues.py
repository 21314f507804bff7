"""Staff work queues: complaints awaiting a reply, a review or a score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from models.access.policy import Can, Principal, authorize
from models.access.roles import Actor
from models.clock import local_now
from models.rules.labels import PENDING, REPLIED, TRANSFERRED
from models.rules.rating import FAST_HOURS, SLOW_HOURS
from models.store import scope
from models.store.tables import Complaint, Platform


@dataclass(frozen=True)
class QueueItem:
    id: int
    platform: str
    problem_type: str
    title: str | None
    transferred_at: datetime
    hours_waiting: float
    version: int

    @property
    def next_deadline(self) -> float | None:
        """The next timeliness step still to be met, in hours after the transfer (72 or
        120); None once 120 hours have passed."""
        return next((h for h in (FAST_HOURS, SLOW_HOURS) if self.hours_waiting < h), None)

    @property
    def overdue(self) -> str:
        """超过120小时 / 超过72小时 / '' — the timeliness steps already missed."""
        if self.hours_waiting >= SLOW_HOURS:
            return "超过120小时"
        if self.hours_waiting >= FAST_HOURS:
            return "超过72小时"
        return ""


#: The waiting times staff pick in the reply queue: (label, from hours, below hours).
#: The steps are the rating's: a reply within 72 h scores 1, within 120 h 0.6, later 0.
BANDS: dict[str, tuple[float, float | None]] = {
    "72小时内": (0, FAST_HOURS),
    "72–120小时": (FAST_HOURS, SLOW_HOURS),
    "超过120小时": (SLOW_HOURS, None),
}


#: The band a reply queue opens on: the complaints that can still be answered in time
#: for the full timeliness score, the one due soonest first.
DEFAULT_BAND = "72小时内"


def _band(now: datetime):
    """The index in :data:`BANDS` of a waiting complaint's band, as SQL."""
    return case(
        (Complaint.transferred_at > now - timedelta(hours=FAST_HOURS), 0),
        (Complaint.transferred_at > now - timedelta(hours=SLOW_HOURS), 1),
        else_=2,
    )


def _in_scope(session: Session, who: Principal) -> list:
    """Within the actor's scope (a platform account: its own) and the session's."""
    return scope.where(session, who.scope.filters)


def _awaiting(session: Session, who: Principal, platform: str | None) -> list:
    where = [
        Complaint.status == TRANSFERRED,
        Complaint.replied_at.is_(None),
        *_in_scope(session, who),
    ]
    if platform:
        where.append(Platform.name == platform)
    return where


def reply_queue(
    session: Session,
    actor: Actor,
    *,
    platform: str | None = None,
    min_hours: float = 0,
    max_hours: float | None = None,
    limit: int = 200,
) -> tuple[list[QueueItem], int]:
    """Transferred complaints awaiting a reply, due soonest first, and their total: by
    band (:data:`BANDS`: those still in time for the full score first, the overdue
    last), within a band longest waiting first, as its deadline comes first.
    ``min_hours``/``max_hours`` keep those that have waited that long (max excluded)."""
    who = authorize(session, actor, Can.REPLY)
    now = local_now()
    where = _awaiting(session, who, platform)
    if min_hours:
        where.append(Complaint.transferred_at <= now - timedelta(hours=min_hours))
    if max_hours is not None:
        where.append(Complaint.transferred_at > now - timedelta(hours=max_hours))
    base = select(Complaint.id).join(Platform, Platform.id == Complaint.platform_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        select(
            Complaint.id,
            Platform.name,
            Complaint.problem_type,
            Complaint.title,
            Complaint.transferred_at,
            Complaint.version,
        )
        .join(Platform, Platform.id == Complaint.platform_id)
        .where(*where)
        .order_by(_band(now), Complaint.transferred_at, Complaint.id)
        .limit(limit)
    ).all()
    items = [
        QueueItem(cid, name, ptype, title, at, (now - at).total_seconds() / 3600, version)
        for cid, name, ptype, title, at, version in rows
    ]
    return items, int(total)


def reply_bands(session: Session, actor: Actor, *, platform: str | None = None) -> dict[str, int]:
    """How many complaints await a reply in each waiting band (:data:`BANDS`), one query."""
    who = authorize(session, actor, Can.REPLY)
    # Banded in a subquery: PostgreSQL refuses GROUP BY on an expression whose bound
    # parameters are sent twice.
    banded = (
        select(_band(local_now()).label("band"))
        .join(Platform, Platform.id == Complaint.platform_id)
        .where(*_awaiting(session, who, platform))
        .subquery()
    )
    counts = dict(
        session.execute(select(banded.c.band, func.count()).group_by(banded.c.band)).all()
    )
    return {label: int(counts.get(i, 0)) for i, label in enumerate(BANDS)}


#: How many complaints a picker lists; the rest are opened by typing their number.
LISTED = 200


def pending_review(
    session: Session, actor: Actor, limit: int = LISTED
) -> tuple[list[tuple[int, int]], int]:
    """(id, version) of complaints awaiting review, oldest first, up to ``limit``; and how
    many await review in all."""
    who = authorize(session, actor, Can.REVIEW)
    return _versions(session, who, PENDING, Complaint.submitted_at, limit)


def awaiting_score(
    session: Session, actor: Actor, limit: int = LISTED
) -> tuple[list[tuple[int, int]], int]:
    """(id, version) of replied complaints without a score, newest reply first, up to
    ``limit``; and how many await a score in all."""
    who = authorize(session, actor, Can.SCORE)
    return _versions(session, who, REPLIED, Complaint.replied_at.desc(), limit)


def _versions(
    session: Session, who: Principal, status: str, order: Any, limit: int
) -> tuple[list[tuple[int, int]], int]:
    """(id, version) of the complaints in ``status`` inside the actor's scope, in ``order``,
    up to ``limit``; and how many there are in all."""
    where = (Complaint.status == status, *_in_scope(session, who))
    query = select(Complaint.id, Complaint.version).where(*where).order_by(order).limit(limit)
    listed = [(int(cid), int(version)) for cid, version in session.execute(query)]
    if len(listed) < limit:
        return listed, len(listed)
    return listed, int(session.scalar(select(func.count()).select_from(Complaint).where(*where)))
