"""Accounts: bcrypt password hashes, roles, the login check and the brute-force lock.

There are no default accounts. The first administrator comes from `tousu user add`.
After 5 failed logins for a username within 15 minutes, that username is locked for
15 minutes; refused tries during the lock do not extend it; an admin can unlock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
from sqlalchemy import insert, select, update
from sqlmodel import Session

from models.access.roles import ROLES, Actor, require
from models.clock import local_now
from models.errors import NotFound, TousuError
from models.store.tables import LoginAttempt, User
from models.writes import audit

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
MIN_PASSWORD = 10
# Hashed once: unknown usernames cost the same bcrypt time as known ones.
_DUMMY_HASH = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt()).decode()
_WEAK = {
    "password",
    "password1",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "admin12345",
    "administrator",
    "tousu12345",
    "letmein123",
}


class WeakPassword(TousuError):
    """A new password that is too easy to guess."""


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()


def _matches(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode())
    except ValueError:
        return False


def check_strength(username: str, password: str) -> None:
    """Refuse short, common or username-derived passwords."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"密码至少 {MIN_PASSWORD} 个字符")
    lowered = password.lower()
    if lowered in _WEAK or username.lower() in lowered or len(set(password)) < 4:
        raise WeakPassword("密码太容易被猜到：请不要使用常见密码或包含用户名")


def generate_password() -> str:
    """A random password for one-time use (about 96 bits)."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class UserInfo:
    username: str
    role: str
    disabled: bool
    must_change_password: bool
    created_at: datetime
    locked_until: datetime | None


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound(f"没有用户“{username}”")
    return user


def _snapshot(user: User) -> dict:
    return {"username": user.username, "role": user.role, "disabled": user.disabled}


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    *,
    must_change_password: bool = False,
) -> None:
    """Create an account (administrators, or the local command line)."""
    require(session, actor, "admin")
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise TousuError("用户名应为 1–64 个字符，不含空格")
    if role not in ROLES:
        raise TousuError(f"角色应为 {', '.join(ROLES)} 之一")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise TousuError(f"用户“{username}”已存在")
    check_strength(username, password)
    session.execute(
        insert(User).values(
            username=username,
            role=role,
            password_hash=hash_password(password),
            disabled=False,
            must_change_password=must_change_password,
            created_at=local_now(),
        )
    )
    audit.record(
        session,
        actor,
        "add_user",
        "user",
        username,
        None,
        {"username": username, "role": role, "disabled": False},
    )


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    require(session, actor, "admin")
    now = local_now()
    return [
        UserInfo(
            u.username,
            u.role,
            u.disabled,
            u.must_change_password,
            u.created_at,
            locked_until(session, u.username, now),
        )
        for u in session.execute(select(User).order_by(User.username)).scalars()
    ]


def set_disabled(session: Session, actor: Actor, username: str, disabled: bool) -> None:
    require(session, actor, "admin")
    user = _user(session, username)
    if disabled and actor.username == username:
        raise TousuError("不能停用自己的账号")
    before = _snapshot(user)
    session.execute(update(User).where(User.id == user.id).values(disabled=disabled))
    audit.record(
        session,
        actor,
        "disable_user" if disabled else "enable_user",
        "user",
        username,
        before,
        {**before, "disabled": disabled},
    )


def set_role(session: Session, actor: Actor, username: str, role: str) -> None:
    require(session, actor, "admin")
    if role not in ROLES:
        raise TousuError(f"角色应为 {', '.join(ROLES)} 之一")
    user = _user(session, username)
    before = _snapshot(user)
    session.execute(update(User).where(User.id == user.id).values(role=role))
    audit.record(session, actor, "set_role", "user", username, before, {**before, "role": role})


def set_password(
    session: Session,
    actor: Actor,
    username: str,
    new_password: str,
    *,
    current_password: str | None = None,
    one_time: bool = False,
) -> None:
    """Change a password: your own (with the current one) or anyone's as an admin."""
    user = _user(session, username)
    if actor.username == username and current_password is not None:
        require(session, actor, "viewer")
        if not _matches(current_password, user.password_hash):
            raise TousuError("当前密码不正确")
    else:
        require(session, actor, "admin")
    check_strength(username, new_password)
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(password_hash=hash_password(new_password), must_change_password=one_time)
    )
    audit.record(
        session,
        actor,
        "set_password",
        "user",
        username,
        {"password": "***"},
        {"password": "*** (changed)", "one_time": one_time},
    )


def unlock(session: Session, actor: Actor, username: str) -> None:
    """Lift a brute-force lock early (administrators)."""
    require(session, actor, "admin")
    session.execute(
        insert(LoginAttempt).values(username=username, at=local_now(), outcome="unlock")
    )
    audit.record(
        session, actor, "unlock_user", "user", username, {"locked": True}, {"locked": False}
    )


def locked_until(session: Session, username: str, now: datetime | None = None) -> datetime | None:
    """When the brute-force lock on ``username`` ends, or None when it is not locked."""
    now = now or local_now()
    recent = session.execute(
        select(LoginAttempt.at, LoginAttempt.outcome)
        .where(LoginAttempt.username == username, LoginAttempt.at > now - WINDOW - LOCK)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
    ).all()
    failures: list[datetime] = []
    for at, outcome in recent:
        if outcome in ("success", "unlock"):
            break
        if outcome == "failure":
            failures.append(at)
    for i in range(len(failures) - MAX_FAILURES + 1):
        newest, oldest = failures[i], failures[i + MAX_FAILURES - 1]
        if newest - oldest <= WINDOW and newest + LOCK > now:
            return newest + LOCK
    return None


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str
    role: str | None = None
    must_change_password: bool = False


def authenticate(session: Session, username: str, password: str) -> LoginResult:
    """Check a login and record the attempt. Messages never reveal whether a user exists."""
    username = username.strip()
    now = local_now()
    until = locked_until(session, username, now)
    if until is not None:
        session.execute(insert(LoginAttempt).values(username=username, at=now, outcome="locked"))
        return LoginResult(False, f"登录失败次数过多，该账号已锁定至 {until:%H:%M}，请稍后再试")
    user = session.execute(select(User).where(User.username == username)).scalar()
    valid = _matches(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not valid or user.disabled:
        session.execute(
            insert(LoginAttempt).values(username=username[:64], at=now, outcome="failure")
        )
        return LoginResult(False, "用户名或密码不正确，或账号已停用")
    session.execute(insert(LoginAttempt).values(username=username, at=now, outcome="success"))
    return LoginResult(True, "登录成功", user.role, user.must_change_password)


def active_role(session: Session, username: str) -> str | None:
    """The role of an enabled account, None for an unknown or disabled one."""
    row = session.execute(select(User.role, User.disabled).where(User.username == username)).first()
    return None if row is None or row.disabled else row.role


def count_users(session: Session) -> int:
    return len(session.execute(select(User.id)).all())


def enabled_accounts(session: Session) -> list[tuple[str, str, str]]:
    """(username, bcrypt hash, role) of every enabled account, for the login cookie library."""
    rows = session.execute(
        select(User.username, User.password_hash, User.role).where(User.disabled.is_(False))
    ).all()
    return [tuple(row) for row in rows]


def account_state(session: Session, username: str) -> tuple[str | None, bool]:
    """(role, must change password) of an enabled account; (None, False) otherwise."""
    row = session.execute(
        select(User.role, User.disabled, User.must_change_password).where(User.username == username)
    ).first()
    if row is None or row.disabled:
        return None, False
    return row.role, bool(row.must_change_password)
