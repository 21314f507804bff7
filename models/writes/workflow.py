"""Staff work on complaints: review, replies, satisfaction scores, platforms, imports.

Every function asks the policy first (:func:`models.access.policy.authorize`: the capability
and that the complaint lies inside the actor's scope), then
refuses a stale save (the version the person saw must still be current — no lost
updates), records the change in the audit log and bumps the data version, all in the
caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor, LocalOperator
from models.clock import local_now
from models.errors import Conflict, NotFound, TousuError
from models.rules.complaint import tier_of
from models.rules.labels import (
    COUNTING_STATUSES,
    PENDING,
    RATED,
    REJECTED,
    REPLIED,
    TRANSFERRED,
)
from models.rules.text import LONG_TEXT, checked
from models.store import summary
from models.store.tables import Complaint, Reply, SatisfactionScore, User
from models.writes import audit

_AUDITED = (
    "status",
    "transferred_at",
    "replied_at",
    "reply_tier",
    "score",
    "rejection_reason",
    "typical",
    "headline",
    "handling",
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
    "typical": "典型案例",
    "headline": "案例标题",
    "handling": "处理情况",
}


ACTION_NAMES = {
    "transfer": "移交平台",
    "reject": "标记不予受理",
    "reply": "录入回复",
    "score": "录入满意度",
    "typical": "标记典型案例",
}
_TIMES = ("transferred_at", "replied_at")
_NOT_SHOWN = ("version", "reply_tier")  # bookkeeping, or derived from the times shown
# An import may take a while between stamping its rows and writing its audit entry.
_IMPORT_WINDOW = timedelta(minutes=10)


HEADLINE_LENGTH = Complaint.__table__.c["headline"].type.length


def _state(complaint: Complaint) -> dict:
    return {name: getattr(complaint, name) for name in _AUDITED}


def _load(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id, populate_existing=True)
    if complaint is None:
        raise NotFound(f"投诉 {complaint_id} 不存在")
    return complaint


def _open(session: Session, actor: Actor, action: Can, complaint_id: int) -> Complaint:
    """The complaint to act on, once the policy allows ``action`` on it for ``actor``."""
    authorize(session, actor, action, complaint_id)
    return _load(session, complaint_id)


def _describe(entry: audit.Entry) -> str:
    return audit.describe(entry, FIELD_NAMES, ACTION_NAMES, hidden=_NOT_SHOWN, times=_TIMES)


def changes_since_seen(session: Session, complaint_id: int, seen_version: int) -> str:
    """Who changed the complaint since ``seen_version``, when, and what (from the audit log).

    Staff writes leave one entry per change; an import leaves one entry per file, found by
    the time the complaint was last stamped.
    """
    lines = [
        _describe(e) for e in audit.changes_since(session, "complaint", complaint_id, seen_version)
    ]
    if lines:
        return "；".join(lines)
    stamped = session.execute(
        select(Complaint.updated_at).where(Complaint.id == complaint_id)
    ).scalar()
    if stamped is None:
        return "该投诉已被删除"
    imported = audit.first_since(session, "import", stamped)
    if imported is not None and imported.at - stamped <= _IMPORT_WINDOW:
        return (
            f"{imported.actor} 于 {imported.at:%m-%d %H:%M} "
            f"导入文件“{imported.entity_id}”时更新了该投诉"
        )
    return f"于 {stamped:%m-%d %H:%M} 被修改（没有记录操作人）"


def describe_changes(session: Session, actor: Actor, complaint_id: int, seen_version: int) -> str:
    """:func:`changes_since_seen` for a staff page (which warns before a save is refused)."""
    authorize(session, actor, Can.VIEW_PERSONAL, complaint_id)
    return changes_since_seen(session, complaint_id, seen_version)


def _conflict(session: Session, complaint_id: int, seen_version: int) -> Conflict:
    detail = changes_since_seen(session, complaint_id, seen_version)
    return Conflict(
        f"保存被拒绝：你打开投诉 {complaint_id} 之后，{detail}。"
        "你的修改没有保存，也没有覆盖对方的修改；请载入最新内容，核对后再保存。"
    )


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
    if isinstance(actor, LocalOperator):  # not an account, even if one is named "cli"
        return None
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
    complaint = _open(session, actor, Can.REVIEW, complaint_id)
    if complaint.version == seen_version and complaint.status != PENDING:
        raise TousuError(f"只有“{PENDING}”的投诉可以审核（当前：{complaint.status}）")
    if accept:
        values = {"status": TRANSFERRED, "transferred_at": local_now(), "rejection_reason": None}
        _save(session, actor, complaint, seen_version, "transfer", values)
    else:
        reason = checked(reason, "不予受理原因", LONG_TEXT, multiline=True)
        if not reason:
            raise TousuError("不予受理需要填写原因")
        values = {"status": REJECTED, "rejection_reason": reason}
        _save(session, actor, complaint, seen_version, "reject", values)


#: How much earlier than its entry a platform account's reply time may be: the minute
#: the form was filled in, not a day before.
REPLY_ENTRY_SLACK = timedelta(minutes=10)


def enter_reply(
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    text: str,
    replied_at: datetime | None = None,
    seen_version: int,
) -> None:
    """Record the platform's reply at ``replied_at`` (None: now); the status becomes 已回复.

    Only someone who may backdate a reply (staff, transcribing one the platform gave
    earlier) sets a time before now: the rated platform's own account replies now, or its
    回复时效性 — and its ratings, closed years too — would be whatever it typed."""
    who = authorize(session, actor, Can.REPLY, complaint_id)
    complaint = _load(session, complaint_id)
    now = local_now()
    if replied_at is None:
        replied_at = now.replace(second=0, microsecond=0)
    elif replied_at < now - REPLY_ENTRY_SLACK and not who.can(Can.BACKDATE_REPLY):
        raise TousuError("平台账号录入的回复以录入时间为准，不能填写更早的回复时间")
    text = checked(text, "回复内容", LONG_TEXT, multiline=True)
    if not text:
        raise TousuError("回复内容不能为空")
    if complaint.version == seen_version and complaint.status not in (TRANSFERRED, REPLIED, RATED):
        raise TousuError(f"“{complaint.status}”的投诉不能录入回复（需先移交）")
    # By the minute, as the form enters it: a reply in the minute of the transfer is after it.
    if complaint.transferred_at and replied_at < complaint.transferred_at.replace(second=0):
        raise TousuError(f"回复时间不能早于移交时间（{complaint.transferred_at:%Y-%m-%d %H:%M}）")
    if replied_at > now:
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
    complaint = _open(session, actor, Can.SCORE, complaint_id)
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


def mark_typical(
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    typical: bool,
    headline: str,
    seen_version: int,
    handling: str | None = None,
) -> None:
    """Mark a complaint as a typical case (典型案例) with its headline, or unmark it; with
    ``handling``, also the 处理情况 sentence reports print after it (empty: the report's
    default, the platform's reply or that none came)."""
    complaint = _open(session, actor, Can.MARK_TYPICAL, complaint_id)
    headline = checked(headline, "案例标题", HEADLINE_LENGTH)
    if typical and not headline:
        raise TousuError("典型案例需要填写案例标题")
    if typical and complaint.version == seen_version and complaint.status not in COUNTING_STATUSES:
        raise TousuError(f"“{complaint.status}”的投诉不能作为典型案例（需先移交）")
    values = {"typical": typical, "headline": headline or None}
    if handling is not None:
        values["handling"] = checked(handling, "处理情况", LONG_TEXT, multiline=True) or None
    _save(session, actor, complaint, seen_version, "typical", values)


def delete_complaint(
    session: Session, actor: Actor, complaint_id: int, *, seen_version: int, reason: str
) -> None:
    """Remove a complaint with its replies and scores (admins; e.g. a withdrawn complaint)."""
    authorize(session, actor, Can.DELETE, complaint_id)
    reason = checked(reason, "删除原因", LONG_TEXT, multiline=True)
    if not reason:
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
    audit.record(session, actor, "delete", "complaint", complaint_id, before, {"reason": reason})
    summary.changed(session, [key])
