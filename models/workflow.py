"""Staff work on complaints: review, replies, satisfaction scores, platforms, imports.

Every function checks the actor's role itself (:func:`models.permissions.require`),
refuses a stale save (the version the person saw must still be current — no lost
updates), records the change in the audit log and bumps the data version, all in the
caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from models import audit, summary
from models.clock import local_now
from models.complaints import tier_of
from models.errors import NotFound, TousuError
from models.freshness import bump
from models.importing import ImportReport, check_platform, import_complaints, import_platforms
from models.labels import PENDING, RATED, REJECTED, REPLIED, TRANSFERRED
from models.permissions import Actor, require
from models.rating import FAST_HOURS, SLOW_HOURS
from models.tables import Complaint, Platform, Reply, SatisfactionScore, User

_AUDITED = (
    "status",
    "transferred_at",
    "replied_at",
    "reply_tier",
    "score",
    "rejection_reason",
    "version",
)
FIELD_NAMES = {
    "status": "状态",
    "transferred_at": "移交时间",
    "replied_at": "回复时间",
    "reply_tier": "时效档",
    "score": "满意度",
    "rejection_reason": "不予受理原因",
    "reply": "回复内容",
}


class Conflict(TousuError):
    """Someone else saved the complaint after it was opened; nothing was overwritten."""


def _state(complaint: Complaint) -> dict:
    return {name: getattr(complaint, name) for name in _AUDITED}


def _load(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id, populate_existing=True)
    if complaint is None:
        raise NotFound(f"投诉 {complaint_id} 不存在")
    return complaint


def _conflict(session: Session, complaint_id: int, seen_version: int) -> Conflict:
    lines = []
    for entry in audit.changes_since(session, "complaint", complaint_id, seen_version):
        before, after = entry.before or {}, entry.after or {}
        changed = [
            f"{FIELD_NAMES.get(k, k)} {before.get(k) or '空'} → {after.get(k) or '空'}"
            for k in after
            if k != "version" and before.get(k) != after.get(k)
        ]
        lines.append(f"{entry.at:%m-%d %H:%M} {entry.actor}：{'；'.join(changed) or entry.action}")
    detail = "；".join(lines) or "内容已被修改"
    return Conflict(f"保存被拒绝：你打开后，该投诉已被他人修改（{detail}）。请刷新后核对再保存。")


def _save(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    seen_version: int,
    action: str,
    values: dict,
    extra_after: dict | None = None,
) -> None:
    """Write ``values`` only if the complaint is still at ``seen_version`` (atomically)."""
    before = _state(complaint)
    result = session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.version == seen_version)
        .values(**values, version=Complaint.version + 1, updated_at=local_now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, complaint.id, seen_version)
    after = {
        **before,
        **{k: v for k, v in values.items() if k in _AUDITED},
        "version": seen_version + 1,
        **(extra_after or {}),
    }
    audit.record(session, actor, action, "complaint", complaint.id, before, after)
    summary.changed(session, [(complaint.submitted_month, complaint.platform_id)])


def _user_id(session: Session, actor: Actor) -> int | None:
    return session.execute(select(User.id).where(User.username == actor.username)).scalar()


def review(
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    accept: bool,
    seen_version: int,
    reason: str = "",
) -> None:
    """待审核 → 已移交 (starts the reply clock) or → 不予受理 with a reason."""
    require(session, actor, "staff")
    complaint = _load(session, complaint_id)
    if complaint.version == seen_version and complaint.status != PENDING:
        raise TousuError(f"只有“{PENDING}”的投诉可以审核（当前：{complaint.status}）")
    if accept:
        values = {"status": TRANSFERRED, "transferred_at": local_now(), "rejection_reason": None}
        _save(session, actor, complaint, seen_version, "transfer", values)
    else:
        if not reason.strip():
            raise TousuError("不予受理需要填写原因")
        values = {"status": REJECTED, "rejection_reason": reason.strip()}
        _save(session, actor, complaint, seen_version, "reject", values)


def enter_reply(
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    text: str,
    replied_at: datetime,
    seen_version: int,
) -> None:
    """Record the platform's reply; the status becomes 已回复."""
    require(session, actor, "staff")
    complaint = _load(session, complaint_id)
    text = text.strip()
    if not text:
        raise TousuError("回复内容不能为空")
    if complaint.version == seen_version and complaint.status not in (TRANSFERRED, REPLIED, RATED):
        raise TousuError(f"“{complaint.status}”的投诉不能录入回复（需先移交）")
    if complaint.transferred_at and replied_at < complaint.transferred_at:
        raise TousuError(f"回复时间不能早于移交时间（{complaint.transferred_at:%Y-%m-%d %H:%M}）")
    if replied_at > local_now():
        raise TousuError("回复时间不能晚于当前时间")
    status = RATED if complaint.score is not None else REPLIED
    values = {
        "status": status,
        "replied_at": replied_at,
        "reply_tier": tier_of(complaint.transferred_at, replied_at),
    }
    _save(session, actor, complaint, seen_version, "reply", values, {"reply": text})
    session.execute(
        insert(Reply).values(
            complaint_id=complaint_id,
            content=text,
            replied_at=replied_at,
            entered_by_id=_user_id(session, actor),
            entered_at=local_now(),
        )
    )


def enter_score(
    session: Session, actor: Actor, complaint_id: int, *, score: int, seen_version: int
) -> None:
    """Record (or correct) the satisfaction score 0–10; the status becomes 已评价."""
    require(session, actor, "staff")
    complaint = _load(session, complaint_id)
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise TousuError("满意度应为 0 到 10 的整数")
    if complaint.version == seen_version and complaint.replied_at is None:
        raise TousuError("只有已回复的投诉可以录入满意度")
    _save(session, actor, complaint, seen_version, "score", {"status": RATED, "score": score})
    session.execute(
        insert(SatisfactionScore).values(
            complaint_id=complaint_id,
            score=score,
            entered_by_id=_user_id(session, actor),
            entered_at=local_now(),
        )
    )


def delete_complaint(
    session: Session, actor: Actor, complaint_id: int, *, seen_version: int, reason: str
) -> None:
    """Remove a complaint with its replies and scores (admins; e.g. a withdrawn complaint)."""
    require(session, actor, "admin")
    if not reason.strip():
        raise TousuError("删除投诉需要填写原因")
    complaint = _load(session, complaint_id)
    key = (complaint.submitted_month, complaint.platform_id)
    before = _state(complaint)
    result = session.execute(
        delete(Complaint)
        .where(Complaint.id == complaint_id, Complaint.version == seen_version)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, complaint_id, seen_version)
    audit.record(
        session, actor, "delete", "complaint", complaint_id, before, {"reason": reason.strip()}
    )
    summary.changed(session, [key])


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
    def overdue(self) -> str:
        """超过120小时 / 超过72小时 / '' — the timeliness steps already missed."""
        if self.hours_waiting >= SLOW_HOURS:
            return "超过120小时"
        if self.hours_waiting >= FAST_HOURS:
            return "超过72小时"
        return ""


def reply_queue(
    session: Session,
    actor: Actor,
    *,
    platform: str | None = None,
    min_hours: float = 0,
    limit: int = 200,
) -> tuple[list[QueueItem], int]:
    """Transferred complaints awaiting a reply, longest waiting first, and their total."""
    require(session, actor, "staff")
    now = local_now()
    where = [Complaint.status == TRANSFERRED, Complaint.replied_at.is_(None)]
    if platform:
        where.append(Platform.name == platform)
    if min_hours:
        from datetime import timedelta

        where.append(Complaint.transferred_at <= now - timedelta(hours=min_hours))
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
        .order_by(Complaint.transferred_at, Complaint.id)
        .limit(limit)
    ).all()
    items = [
        QueueItem(cid, name, ptype, title, at, (now - at).total_seconds() / 3600, version)
        for cid, name, ptype, title, at, version in rows
    ]
    return items, int(total)


def pending_review(session: Session, actor: Actor, limit: int = 200) -> list[tuple[int, int]]:
    """(id, version) of complaints awaiting review, oldest first."""
    require(session, actor, "staff")
    return [
        tuple(r)
        for r in session.execute(
            select(Complaint.id, Complaint.version)
            .where(Complaint.status == PENDING)
            .order_by(Complaint.submitted_at)
            .limit(limit)
        )
    ]


def awaiting_score(session: Session, actor: Actor, limit: int = 200) -> list[tuple[int, int]]:
    """(id, version) of replied complaints without a score, newest reply first."""
    require(session, actor, "staff")
    return [
        tuple(r)
        for r in session.execute(
            select(Complaint.id, Complaint.version)
            .where(Complaint.status == REPLIED)
            .order_by(Complaint.replied_at.desc())
            .limit(limit)
        )
    ]


def save_platform(
    session: Session,
    actor: Actor,
    *,
    name: str,
    sector: str,
    onboarded: bool,
    platform_id: int | None = None,
) -> None:
    """Add a platform, or edit one (name, sector, onboarded) — administrators."""
    require(session, actor, "admin")
    name, sector = check_platform(name, sector)  # the same checks as an imported platform
    clash = session.execute(select(Platform.id).where(Platform.name == name)).scalar()
    if clash is not None and clash != platform_id:
        raise TousuError(f"平台“{name}”已存在")
    after = {"name": name, "sector": sector, "onboarded": onboarded}
    if platform_id is None:
        session.execute(insert(Platform).values(**after, created_at=local_now()))
        audit.record(session, actor, "add_platform", "platform", name, None, after)
    else:
        current = session.get(Platform, platform_id, populate_existing=True)
        if current is None:
            raise NotFound("平台不存在")
        before = {"name": current.name, "sector": current.sector, "onboarded": current.onboarded}
        session.execute(update(Platform).where(Platform.id == platform_id).values(**after))
        audit.record(session, actor, "edit_platform", "platform", platform_id, before, after)
    bump(session)


def import_file(
    session: Session, actor: Actor, kind: str, data: bytes, filename: str, *, dry_run: bool
) -> ImportReport:
    """The admin page's import: the same code path as `tousu import`, plus the audit entry."""
    require(session, actor, "staff")
    if kind == "platforms":
        require(session, actor, "admin")
        report = import_platforms(session, data, filename, dry_run=dry_run)
    else:
        report = import_complaints(
            session, data, filename, dry_run=dry_run, entered_by_id=_user_id(session, actor)
        )
    if report.written:
        audit.record(
            session,
            actor,
            f"import_{kind}",
            "import",
            filename,
            None,
            {
                "rows": report.rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "platforms_created": len(report.platforms_created),
            },
        )
    return report


def complaint_for_staff(session: Session, actor: Actor, complaint_id: int):
    """A complaint in full, personal data included — staff only."""
    from models.cases import case_detail
    from models.filters import Filters

    require(session, actor, "staff")
    return case_detail(session, complaint_id, Filters(statuses=None), reveal=True)
