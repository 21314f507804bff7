"""Who acts: accounts by username, the operator at the server's terminal, and the roles an
account may have. What each role may do is the policy's (:mod:`models.access.policy`)."""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import TousuError

ROLES = ("viewer", "platform", "staff", "admin")
ROLE_NAMES = {"viewer": "查看者", "platform": "平台", "staff": "工作人员", "admin": "管理员"}


class Forbidden(TousuError):
    """The actor may not do what it asked (models/access/policy.py)."""


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
