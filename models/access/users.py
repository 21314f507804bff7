"""Accounts: bcrypt password hashes, roles, and the login check.

There are no default accounts. The first administrator comes from `tousu user add`.
Failed logins slow further tries down (:mod:`models.access.throttle`); a successful login starts
a server-side session (:mod:`models.access.sessions`) that the login cookie stands for.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import bcrypt
from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.access import names, policy, sessions, throttle
from models.access.policy import Can, authorize, principal
from models.access.roles import RESERVED_NAMES, ROLE_NAMES, ROLES, Actor
from models.clock import local_now
from models.errors import Conflict, NotFound, TousuError, UnknownName
from models.store.db import session_scope
from models.store.tables import LoginAttempt, Platform, User, UserPlatform
from models.writes import audit

T = TypeVar("T")
MIN_PASSWORD = 10
#: bcrypt reads at most 72 bytes of a password (bcrypt 5 refuses longer ones outright).
MAX_PASSWORD_BYTES = 72
#: The length of app_user.username, in characters on every database.
MAX_USERNAME = 64
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


def _bytes(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    """The bcrypt hash of a new password of at most 72 bytes (see :func:`check_strength`)."""
    if len(_bytes(password)) > MAX_PASSWORD_BYTES:
        raise _refused([_BCRYPT_LIMIT])
    return bcrypt.hashpw(_bytes(password), bcrypt.gensalt()).decode()


def _matches(password: str, hashed: str) -> bool:
    # Hashes that bcrypt before version 5 made from longer passwords used their first
    # 72 bytes: compare exactly those, so such passwords keep working. New passwords
    # cannot be longer (check_strength), so nothing else is ever cut.
    try:
        return bcrypt.checkpw(_bytes(password)[:MAX_PASSWORD_BYTES], hashed.encode())
    except ValueError:
        return False


def valid_username(username: str) -> bool:
    """Whether ``username`` could be an account name: 1–64 characters, no spaces or
    control characters (a NUL byte in a query is an error on PostgreSQL, not a miss)."""
    return 0 < len(username) <= MAX_USERNAME and not any(
        c.isspace() or unicodedata.category(c).startswith("C") for c in username
    )


def _attempt_key(username: str) -> str:
    """What a login attempt is recorded and throttled under: the name's key (so ``Admin``
    and ``ａｄｍｉｎ`` count against ``admin``), storable on every database."""
    if valid_username(username):
        return names.key(username)[:MAX_USERNAME]
    cleaned = "".join(
        "\ufffd" if c.isspace() or unicodedata.category(c).startswith("C") else c for c in username
    )
    return cleaned[:MAX_USERNAME] or "\ufffd"


@dataclass(frozen=True)
class PasswordRule:
    """One rule every new password meets: as the pages and the README state it, and the
    check itself (``broken(username, password)``)."""

    text: str
    broken: Callable[[str, str], bool]


_BCRYPT_LIMIT = PasswordRule(
    f"不超过 {MAX_PASSWORD_BYTES} 字节（约 {MAX_PASSWORD_BYTES} 个英文字母或 "
    f"{MAX_PASSWORD_BYTES // 3} 个汉字）",
    lambda _name, p: len(_bytes(p)) > MAX_PASSWORD_BYTES,
)
#: Every rule of :func:`check_strength`, in the order the pages list them: the check and
#: the text people read come from here, so neither can say more than the other.
PASSWORD_RULES: tuple[PasswordRule, ...] = (
    PasswordRule(f"至少 {MIN_PASSWORD} 个字符", lambda _name, p: len(p) < MIN_PASSWORD),
    _BCRYPT_LIMIT,
    PasswordRule("至少含 4 个不同的字符", lambda _name, p: len(set(p)) < 4),
    PasswordRule("不含用户名（不分大小写）", lambda name, p: name.lower() in p.lower()),
    PasswordRule(
        "不是常见密码（如 1234567890）",
        lambda _name, p: p.lower() in _WEAK,
    ),
)


def password_rules() -> str:
    """The rules as one sentence, for the pages that set a password."""
    return "密码要求：" + "；".join(rule.text for rule in PASSWORD_RULES) + "。"


def check_strength(username: str, password: str) -> None:
    """Refuse a password that breaks any of :data:`PASSWORD_RULES`, naming each one."""
    broken = [rule for rule in PASSWORD_RULES if rule.broken(username, password)]
    if broken:
        raise _refused(broken)


def _refused(rules: Sequence[PasswordRule]) -> WeakPassword:
    return WeakPassword("新密码不符合要求：" + "；".join(rule.text for rule in rules) + "。")


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
    #: Until when logins for this username are refused by the throttle (None: not now).
    throttled_until: datetime | None
    #: The account's version: an edit made on an older one is refused.
    version: int = 0
    #: The older account this one looks like (created before look-alikes were refused).
    looks_like: str | None = None
    #: A platform account's own platforms (the complaints it answers, all it may see).
    platforms: tuple[str, ...] = ()


def _by_name(name: str, *columns):
    """The accounts a typed ``name`` may mean: that very name, and those sharing its key."""
    return (
        select(*(columns or (User,)))
        .where(or_(User.username == name, User.name_key == names.key(name)))
        .order_by(User.id)
    )


def _pick(candidates: list, name: str):
    """The one account ``name`` means: the exact name wins; otherwise the single account
    with its key. Two older look-alikes sharing a key answer only to their exact names."""
    exact = [c for c in candidates if c.username == name]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def _user(session: Session, username: str) -> User:
    # populate_existing: the version as it is now, even if this session read it before.
    found = _by_name(username).execution_options(populate_existing=True)
    user = (
        _pick(list(session.execute(found).scalars()), username)
        if valid_username(username)
        else None
    )
    if user is None:
        raise NotFound(f"没有用户“{_attempt_key(username)}”")
    return user


def look_alikes(session: Session) -> dict[str, str]:
    """Accounts that look like an older one (created before revision 0011 refused them),
    each with the older account's name."""
    rows = session.execute(
        select(User.username, User.name_key, User.name_skeleton).order_by(User.id)
    ).all()
    by_key = {r.name_key: r.username for r in rows if r.name_key}
    by_skeleton = {r.name_skeleton: r.username for r in rows if r.name_skeleton}
    return {
        r.username: (r.name_key is None and by_key.get(names.key(r.username)))
        or by_skeleton.get(names.skeleton(r.username), "?")
        for r in rows
        if r.name_key is None or r.name_skeleton is None
    }


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "disabled": user.disabled,
        "version": user.version,
    }


FIELD_NAMES = {
    "role": "角色",
    "disabled": "停用",
    "password": "密码",
    "one_time": "一次性密码",
    "username": "用户名",
    "platforms": "负责平台",
}
ACTION_NAMES = {
    "add_user": "创建账号",
    "set_role": "修改角色",
    "disable_user": "停用账号",
    "enable_user": "启用账号",
    "set_password": "修改密码",
}


def _describe(entry: audit.Entry) -> str:
    def readable(values: dict | None) -> dict | None:
        if values is None or "role" not in values:
            return values
        return {**values, "role": ROLE_NAMES.get(values["role"], values["role"])}

    entry = replace(entry, before=readable(entry.before), after=readable(entry.after))
    return audit.describe(entry, FIELD_NAMES, ACTION_NAMES, hidden=("version", "username"))


def changes_since_seen(session: Session, username: str, seen_version: int) -> str:
    """Who changed the account since ``seen_version``, when, and what (from the audit log)."""
    found = audit.changes_since(session, "user", username, seen_version)
    return "；".join(_describe(e) for e in found) or "它已被修改"


def describe_changes(session: Session, actor: Actor, username: str, seen_version: int) -> str:
    """:func:`changes_since_seen` for the admin page (which warns before a save is refused)."""
    authorize(session, actor, Can.MANAGE_USERS)
    return changes_since_seen(session, username, seen_version)


def _save(
    session: Session,
    actor: Actor,
    user: User,
    seen_version: int | None,
    action: str,
    values: dict,
    audited: tuple[dict, dict] | None = None,
) -> None:
    """Write ``values`` to the account only if it is still at ``seen_version`` (atomically),
    bump its version and record the change. ``seen_version`` None: the command line, which
    acts on the account as it is now."""
    seen = user.version if seen_version is None else seen_version
    before, after = audited or (_snapshot(user), {**_snapshot(user), **values})
    result = session.execute(
        update(User)
        .where(User.id == user.id, User.version == seen)
        .values(**values, version=User.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        detail = changes_since_seen(session, user.username, seen)
        raise Conflict(
            f"保存被拒绝：你打开账号“{user.username}”之后，{detail}。"
            "你的修改没有保存，也没有覆盖对方的修改；请载入最新内容，核对后再保存。"
        )
    before = {**before, "version": seen}
    after = {**after, "version": seen + 1}
    audit.record(session, actor, action, "user", user.username, before, after)


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    *,
    must_change_password: bool = False,
    platforms: Sequence[str] = (),
) -> str:
    """Create an account (administrators, or the local command line); returns its name.
    A platform account (role ``platform``) names the platforms it answers for.

    The name is stored in NFKC form and must not look like an existing account's or the
    command line's (:mod:`models.access.names`: same TS #39 skeleton), nor mix scripts.
    """
    authorize(session, actor, Can.MANAGE_USERS)
    username = names.display_form(username.strip())
    if not valid_username(username) or any(map(names.ignorable, username)):
        raise TousuError(f"用户名应为 1–{MAX_USERNAME} 个字符，不含空格、控制字符或不可见字符")
    skeleton = names.skeleton(username)
    if any(
        names.key(username) == names.key(reserved) or skeleton == names.skeleton(reserved)
        for reserved in RESERVED_NAMES
    ):
        raise TousuError(f"用户名“{username}”保留给服务器上的命令行，请换一个")
    names.check_scripts(username)
    if role not in ROLES:
        raise TousuError(f"角色应为 {', '.join(ROLES)} 之一")
    platform_ids = _platform_ids(session, role, platforms)
    _refuse_look_alike(session, username, skeleton)
    check_strength(username, password)
    try:
        user_id = session.execute(
            insert(User)
            .values(
                username=username,
                name_key=names.key(username),
                name_skeleton=skeleton,
                role=role,
                password_hash=hash_password(password),
                disabled=False,
                must_change_password=must_change_password,
                created_at=local_now(),
            )
            .returning(User.id)
        ).scalar_one()
    except IntegrityError:  # the same name, added at the same moment elsewhere
        raise TousuError(f"用户“{username}”已存在，或与刚创建的账号看起来相同") from None
    audit.record(
        session,
        actor,
        "add_user",
        "user",
        username,
        None,
        {
            "username": username,
            "role": role,
            "disabled": False,
            "version": 0,
            **({"platforms": sorted(platforms)} if platform_ids else {}),
        },
    )
    _bind(session, user_id, platform_ids)
    return username


def _platform_ids(session: Session, role: str, names: Sequence[str]) -> tuple[int, ...]:
    """The ids of a platform account's platforms; refused for other roles, for none, or
    for a name that is no platform (the known ones listed)."""
    names = sorted({n.strip() for n in names if n.strip()})
    if role != "platform":
        if names:
            raise TousuError("只有“平台”角色的账号才绑定平台")
        return ()
    if not names:
        raise TousuError("平台账号需要指定它负责的平台（至少一个）")
    known = dict(session.execute(select(Platform.name, Platform.id)).all())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownName(
            f"未知平台：{'、'.join(unknown)}。已有平台：{'、'.join(sorted(known)) or '（无）'}"
        )
    return tuple(sorted(known[n] for n in names))


def _bind(session: Session, user_id: int, platform_ids: tuple[int, ...]) -> None:
    """Make ``platform_ids`` the account's platforms (none for other roles)."""
    session.execute(delete(UserPlatform).where(UserPlatform.user_id == user_id))
    for pid in platform_ids:
        session.execute(insert(UserPlatform).values(user_id=user_id, platform_id=pid))


def _platform_names(session: Session) -> dict[int, tuple[str, ...]]:
    """Each platform account's platforms by name, by user id."""
    rows = session.execute(
        select(UserPlatform.user_id, Platform.name).join(
            Platform, Platform.id == UserPlatform.platform_id
        )
    )
    out: dict[int, tuple[str, ...]] = {}
    for user_id, name in sorted(rows, key=lambda row: row.name):  # code points, as platforms_in
        out[user_id] = (*out.get(user_id, ()), name)
    return out


def _refuse_look_alike(session: Session, username: str, skeleton: str) -> None:
    existing = session.execute(
        select(User.username).where(
            or_(User.name_key == names.key(username), User.name_skeleton == skeleton)
        )
    ).scalar()
    if existing == username:
        raise TousuError(f"用户“{username}”已存在")
    if existing is not None:
        raise TousuError(
            f"用户名“{username}”与已有账号“{existing}”看起来相同"
            "（只差大小写、全角半角或形近的字母），容易被认错：请换一个"
        )


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    authorize(session, actor, Can.MANAGE_USERS)
    now = local_now()
    similar = look_alikes(session)
    bound = _platform_names(session)
    return [
        UserInfo(
            u.username,
            u.role,
            u.disabled,
            u.must_change_password,
            u.created_at,
            throttle.username_until(session, _attempt_key(u.username), now),
            u.version,
            similar.get(u.username),
            bound.get(u.id, ()),
        )
        # Code-point order in Python, as platforms_in: the same on every database.
        for u in sorted(session.execute(select(User)).scalars(), key=lambda u: u.username)
    ]


def set_disabled(
    session: Session, actor: Actor, username: str, disabled: bool, *, seen_version: int | None
) -> None:
    """Disable an account (ending its sessions) or enable it again (administrators)."""
    authorize(session, actor, Can.MANAGE_USERS)
    user = _user(session, username)
    if disabled and actor == Actor(user.username):
        raise TousuError("不能停用自己的账号")
    action = "disable_user" if disabled else "enable_user"
    _save(session, actor, user, seen_version, action, {"disabled": disabled})
    if disabled:
        sessions.revoke_user(session, user.id)


def set_role(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    *,
    seen_version: int | None,
    platforms: Sequence[str] = (),
) -> None:
    """Give an account another role (and a platform account its platforms); a new role or
    new platforms start with a new login (administrators)."""
    authorize(session, actor, Can.MANAGE_USERS)
    if role not in ROLES:
        raise TousuError(f"角色应为 {', '.join(ROLES)} 之一")
    user = _user(session, username)
    platform_ids = _platform_ids(session, role, platforms)
    before_ids = policy.platforms_of(session, user.id)
    changed = role != user.role or platform_ids != before_ids
    audited = None
    if platform_ids or before_ids:  # the platforms are part of what changed, and audited
        names = dict(session.execute(select(Platform.id, Platform.name)).all())
        audited = (
            {**_snapshot(user), "platforms": sorted(names.get(i, str(i)) for i in before_ids)},
            {**_snapshot(user), "role": role, "platforms": sorted(platforms)},
        )
    _save(session, actor, user, seen_version, "set_role", {"role": role}, audited)
    _bind(session, user.id, platform_ids)
    if changed:  # a new privilege level starts with a new login
        sessions.revoke_user(session, user.id)


def set_password(
    session: Session,
    actor: Actor,
    username: str,
    new_password: str,
    *,
    seen_version: int | None,
    one_time: bool = False,
) -> None:
    """Set anyone's password (administrators, the command line); your own changes through
    :func:`change_own_password`, which proves the current one through the throttle.

    Ends every session of the account: a cookie captured before the change is worthless.
    """
    authorize(session, actor, Can.MANAGE_USERS)
    user = _user(session, username)
    check_strength(user.username, new_password)
    values = {"password_hash": hash_password(new_password), "must_change_password": one_time}
    audited = ({"password": "***"}, {"password": "*** (changed)", "one_time": one_time})
    _save(session, actor, user, seen_version, "set_password", values, audited)
    sessions.revoke_user(session, user.id)


def unlock(session: Session, actor: Actor, username: str) -> None:
    """Lift the login throttle on a username at once (administrators)."""
    authorize(session, actor, Can.MANAGE_USERS)
    if not valid_username(username):
        raise NotFound(f"没有用户“{_attempt_key(username)}”")
    session.execute(
        insert(LoginAttempt).values(
            username=_attempt_key(username), at=local_now(), outcome="unlock"
        )
    )
    audit.record(
        session, actor, "unlock_user", "user", username, {"locked": True}, {"locked": False}
    )


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str
    role: str | None = None
    must_change_password: bool = False
    #: The new session (its id and one-time cookie ticket) after a successful login.
    session: sessions.Started | None = None


_REFUSED = "用户名或密码不正确，或账号已停用"
_LOGIN_COLUMNS = (
    User.id,
    User.username,
    User.version,
    User.password_hash,
    User.disabled,
    User.role,
    User.must_change_password,
)


@dataclass(frozen=True)
class _Checked(Generic[T]):
    """A throttled password check: right or not, what followed, or the wait still due."""

    ok: bool
    value: T | None = None
    wait: timedelta | None = None


def _throttled_check(
    engine: Engine,
    username: str,
    password: str,
    *,
    client: str,
    now: datetime | None,
    then: Callable[[Session, Any], T],
) -> _Checked[T]:
    """A password check through the login throttle, and on success ``then(session, user)``.

    Three steps of its own, so the write lock is never held while hashing, however many
    checks arrive at once: a short write (the throttle check and a "pending" record),
    bcrypt (~0.3 s) with no transaction open, and a short write of the outcome together
    with ``then``. Unknown and malformed usernames are checked against a dummy hash: they
    cost the same time.
    """
    name = username.strip()
    key = _attempt_key(name)
    client = client[:64]
    now = now or local_now()
    with session_scope(engine, write=True) as session:
        throttle.serialize(session)
        wait = throttle.wait(session, key, client, now)
        if wait is not None:
            session.execute(
                insert(LoginAttempt).values(
                    username=key, client=client, at=now, outcome="throttled"
                )
            )
            return _Checked(False, wait=wait)
        attempt = session.execute(
            insert(LoginAttempt)
            .values(username=key, client=client, at=now, outcome="pending")
            .returning(LoginAttempt.id)
        ).scalar_one()
        user = (
            _pick(session.execute(_by_name(name, *_LOGIN_COLUMNS)).all(), name)
            if valid_username(name)
            else None
        )
    valid = _matches(password, user.password_hash if user else _DUMMY_HASH)
    ok = user is not None and valid and not user.disabled
    with session_scope(engine, write=True) as session:
        session.execute(
            update(LoginAttempt)
            .where(LoginAttempt.id == attempt)
            .values(outcome="success" if ok else "failure")
        )
        if not ok:
            return _Checked(False)
        return _Checked(True, then(session, user))


def log_in(
    engine: Engine,
    username: str,
    password: str,
    *,
    client: str = "local",
    now: datetime | None = None,
) -> LoginResult:
    """Check a login through the throttle, record the attempt, and on success start a
    session. Every refusal of a password reads the same, for known and unknown names."""
    now = now or local_now()
    checked = _throttled_check(
        engine,
        username,
        password,
        client=client,
        now=now,
        then=lambda session, user: (user, sessions.start(session, user.id, now)),
    )
    if checked.wait is not None:
        return LoginResult(False, throttle.message(checked.wait))
    if not checked.ok:
        return LoginResult(False, _REFUSED)
    user, started = checked.value
    return LoginResult(True, "登录成功", user.role, bool(user.must_change_password), started)


def change_own_password(
    engine: Engine,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    client: str = "local",
    now: datetime | None = None,
) -> None:
    """我的账号: change your own password, proving the current one.

    That proof is a password guess like a login's, so it goes through the same throttle,
    per username and per client, and counts alike (a wrong one as a failed login).
    Ends every session of the account, this one included (the page then starts another).
    """
    check_strength(actor.username, new_password)  # says nothing about the current one
    new_hash = hash_password(new_password)  # hashed before any transaction opens

    def change(session: Session, user) -> None:
        principal(session, actor)  # any enabled account, its own password
        values = {"password_hash": new_hash, "must_change_password": False}
        audited = ({"password": "***"}, {"password": "*** (changed)", "one_time": False})
        _save(session, actor, user, user.version, "set_password", values, audited)
        sessions.revoke_user(session, user.id)

    checked = _throttled_check(
        engine, actor.username, current_password, client=client, now=now, then=change
    )
    if checked.wait is not None:
        raise TousuError(throttle.message(checked.wait, "当前密码错误次数过多"))
    if not checked.ok:
        raise TousuError("当前密码不正确")


def count_users(session: Session) -> int:
    return len(session.execute(select(User.id)).all())


def count_admins(session: Session) -> int:
    """Administrators who may log in (not disabled)."""
    return session.execute(
        select(func.count()).where(User.role == "admin", User.disabled.is_(False))
    ).scalar_one()
