"""Who may do what, and see which complaints: capabilities per role, one scope per actor.

Every write asks :func:`authorize` — the capability, *and* that the complaint lies inside
the actor's scope; every read runs under the actor's :class:`~models.store.scope.Scope`
(:func:`scope_of`, bound to the session); pages, menus and the "not for you" pages ask
:func:`can` of the same table. The role and its platforms are read from the database at
every check, so an account disabled or changed a second ago can no longer act.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlmodel import Session

from models.access.roles import ROLE_NAMES, ROLES, Actor, Forbidden, LocalOperator
from models.errors import NotFound
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.store.scope import Scope
from models.store.tables import Complaint, User, UserPlatform


class Can(StrEnum):
    """What an account may do."""

    VIEW = "view"  # the dashboards
    ALERTS = "alerts"  # 预警: what rose or fell lately (management and staff, not the public)
    VIEW_PERSONAL = "view_personal"  # complainants' names and contact data
    REVIEW = "review"  # 投诉审核: transfer or reject
    REPLY = "reply"  # 回复录入
    #: A reply's time set earlier than its entry: staff transcribing a reply the platform
    #: gave before — never the rated platform itself, whose 回复时效性 it would raise.
    BACKDATE_REPLY = "backdate_reply"
    SCORE = "score"  # 满意度录入
    MARK_TYPICAL = "mark_typical"  # 典型案例
    IMPORT = "import"  # 数据导入 (complaints)
    MANAGE_PLATFORMS = "manage_platforms"
    MANAGE_USERS = "manage_users"
    SHARE = "share"  # 分享链接
    AUDIT = "audit"  # 审计日志
    DELETE = "delete"  # 删除投诉


CAPABILITIES: dict[str, frozenset[Can]] = {
    "viewer": frozenset({Can.VIEW, Can.ALERTS}),
    # A platform answers its own complaints: it sees them with the contact details it needs
    # to resolve them, and nothing of any other platform (its scope).
    "platform": frozenset({Can.VIEW, Can.VIEW_PERSONAL, Can.REPLY}),
    "staff": frozenset(
        {Can.VIEW, Can.VIEW_PERSONAL, Can.REVIEW, Can.REPLY, Can.SCORE, Can.MARK_TYPICAL}
        | {Can.IMPORT, Can.ALERTS, Can.BACKDATE_REPLY}
    ),
    "admin": frozenset(Can),
}
CAPABILITY_NAMES = {
    Can.VIEW: "查看看板",
    Can.ALERTS: "消费预警",
    Can.VIEW_PERSONAL: "查看投诉人信息",
    Can.REVIEW: "投诉审核",
    Can.REPLY: "回复录入",
    Can.BACKDATE_REPLY: "补录较早的回复时间",
    Can.SCORE: "满意度录入",
    Can.MARK_TYPICAL: "典型案例标记",
    Can.IMPORT: "数据导入",
    Can.MANAGE_PLATFORMS: "平台管理",
    Can.MANAGE_USERS: "用户管理",
    Can.SHARE: "分享链接",
    Can.AUDIT: "审计日志",
    Can.DELETE: "删除投诉",
}

#: Anonymous visitors of the public board (and the floor of every other scope).
PUBLIC = Scope(Filters(statuses=COUNTING_STATUSES), reveal_personal=False)


def can(role: str | None, capability: Can) -> bool:
    """Whether ``role`` has ``capability`` (no role: nothing)."""
    return capability in CAPABILITIES.get(role or "", frozenset())


def roles_with(capability: Can) -> tuple[str, ...]:
    return tuple(r for r in ROLES if can(r, capability))


def who_may(capability: Can) -> str:
    """The roles with ``capability``, as a page says it (工作人员、管理员)."""
    return "、".join(ROLE_NAMES[r] for r in roles_with(capability))


def scope_for(role: str | None, platform_ids: tuple[int, ...] = ()) -> Scope:
    """What an account of ``role`` (bound to ``platform_ids``) may read."""
    if role == "platform":
        # Its own complaints once transferred; never 待审核 or 不予受理, never another's.
        return Scope(Filters(platform_ids=platform_ids, statuses=COUNTING_STATUSES), True)
    if can(role, Can.REVIEW):  # staff see every status, pending and rejected too
        return Scope(Filters(statuses=None), reveal_personal=True)
    if can(role, Can.VIEW):
        return PUBLIC
    return Scope(Filters(sectors=(), statuses=()), reveal_personal=False)  # nothing


@dataclass(frozen=True)
class Principal:
    """An actor as the database knows it at this moment."""

    username: str
    role: str
    platform_ids: tuple[int, ...] = ()

    @property
    def scope(self) -> Scope:
        return scope_for(self.role, self.platform_ids)

    def can(self, capability: Can) -> bool:
        return can(self.role, capability)


def platforms_of(session: Session, user_id: int) -> tuple[int, ...]:
    """The platforms an account is bound to (a platform account's own), by id."""
    rows = session.execute(
        select(UserPlatform.platform_id)
        .where(UserPlatform.user_id == user_id)
        .order_by(UserPlatform.platform_id)
    )
    return tuple(int(pid) for pid in rows.scalars())


def principal(session: Session, actor: Actor | None) -> Principal:
    """The actor's current role and platforms; Forbidden for nobody, unknown or disabled."""
    if actor is None:
        raise Forbidden("请先登录")
    if isinstance(actor, LocalOperator):
        return Principal(actor.username, "admin")
    row = session.execute(
        select(User.id, User.role, User.disabled).where(User.username == actor.username)
    ).first()
    if row is None or row.disabled:
        raise Forbidden("账号不存在或已停用")
    bound = platforms_of(session, row.id) if row.role == "platform" else ()
    return Principal(actor.username, row.role, bound)


def scope_of(session: Session, actor: Actor | None) -> Scope:
    """What ``actor`` may read (:data:`PUBLIC` for an anonymous visitor)."""
    return PUBLIC if actor is None else principal(session, actor).scope


def authorize(
    session: Session, actor: Actor | None, capability: Can, complaint_id: int | None = None
) -> Principal:
    """The actor, if it may do ``capability`` — to complaint ``complaint_id`` when given,
    which must lie inside its scope. Forbidden otherwise; NotFound for a complaint outside
    the scope (its existence is not confirmed to someone who may not see it)."""
    who = principal(session, actor)
    if not who.can(capability):
        raise Forbidden(f"此操作需要“{CAPABILITY_NAMES[capability]}”权限")
    if complaint_id is not None:
        inside = session.execute(
            select(Complaint.id).where(
                Complaint.id == complaint_id, *who.scope.filters.conditions()
            )
        ).first()
        if inside is None:
            raise NotFound(f"投诉 #{complaint_id} 不存在")
    return who
