"""Roles, checked on the server in one place: every write function calls :func:`require`.

The role is read from the database at the moment of the write, so a user disabled or
demoted a second ago can no longer write, whatever their browser still shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from models.errors import TousuError
from models.store.tables import User

ROLES = ("viewer", "platform", "staff", "admin")
ROLE_NAMES = {"viewer": "查看者", "platform": "平台", "staff": "工作人员", "admin": "管理员"}
_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}


class Forbidden(TousuError):
    """The actor lacks the role an operation needs."""


@dataclass(frozen=True)
class Actor:
    """An account asking for an operation, by username; its role is read at every check."""

    username: str


@dataclass(frozen=True)
class LocalOperator(Actor):
    """The operator at the server's own terminal (`tousu …`), who acts as administrator.

    A class of its own, so no username can become it: ``Actor("cli")`` is an ordinary
    account (unequal to :data:`CLI`) whose role comes from the database. The name is only
    what the audit log shows, and new accounts may not take it (:data:`RESERVED_NAMES`).
    """

    username: str = "cli"


CLI = LocalOperator()  # the operator at the server's own terminal
#: Usernames no new account may take (compared case-insensitively).
RESERVED_NAMES = frozenset({CLI.username})


def rank(role: str | None) -> int:
    return _RANK.get(role or "", 0)


def require(session: Session, actor: Actor | None, role: str) -> str:
    """The actor's current role if it is at least ``role``; Forbidden otherwise."""
    if actor is None:
        raise Forbidden("请先登录")
    if isinstance(actor, LocalOperator):
        return "admin"
    row = session.execute(
        select(User.role, User.disabled).where(User.username == actor.username)
    ).first()
    if row is None or row.disabled:
        raise Forbidden("账号不存在或已停用")
    if rank(row.role) < rank(role):
        raise Forbidden(f"此操作需要“{ROLE_NAMES[role]}”权限")
    return row.role
