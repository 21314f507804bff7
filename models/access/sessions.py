"""Login sessions: what the browser's HttpOnly login cookie stands for, kept on the server.

A successful login starts a session and returns a one-time *ticket*; the browser trades
the ticket (within 2 minutes, once) for the cookie's *token* at a small HTTP endpoint
(``web/cookie_routes.py``), which sets the cookie HttpOnly, so no script in the
page ever sees the token. Only SHA-256 hashes of tickets and tokens are stored.

Every script run looks its session up again (:func:`current`): a session ends at once
when it is revoked — logout, password change, role change, disabling the account — or
after :data:`LIFETIME`, and a captured cookie then logs in nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, select, update
from sqlmodel import Session

from models.clock import local_now
from models.store.tables import LoginSession, User

LIFETIME = timedelta(days=7)
TICKET_LIFETIME = timedelta(minutes=2)
#: Longest ticket or token accepted from a browser (ours are 43 characters).
MAX_SECRET = 100


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Handle:
    """How a browser session holds on to its login session, on the server: the id with the
    start. Ids can come again (a database restored, a sequence reset); the same id started in
    the same second as well would be needed for a stale tab to become someone else's login.
    """

    id: int
    created_at: datetime


class _Held:
    """A login session as a browser tab holds on to it (see :class:`Handle`)."""

    id: int
    created_at: datetime

    @property
    def handle(self) -> Handle:
        return Handle(self.id, self.created_at)


@dataclass(frozen=True)
class Started(_Held):
    """A new session: its id (kept in the server's session state) and its ticket."""

    id: int
    ticket: str
    created_at: datetime


@dataclass(frozen=True)
class Current(_Held):
    """A valid session and its account, as read on this run."""

    id: int
    username: str
    role: str
    must_change_password: bool
    #: Whether the browser has traded the ticket for the cookie yet.
    cookie_set: bool
    created_at: datetime


def start(session: Session, user_id: int, now: datetime | None = None) -> Started:
    """Start a session for an account whose password was just checked."""
    now = now or local_now()
    # Sessions long over are of no use to anyone: keep the table small.
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now - LIFETIME))
    ticket = secrets.token_urlsafe(32)
    session_id = session.execute(
        insert(LoginSession)
        .values(
            user_id=user_id,
            ticket_hash=_digest(ticket),
            created_at=now,
            expires_at=now + LIFETIME,
        )
        .returning(LoginSession.id)
    ).scalar_one()
    return Started(session_id, ticket, now)


def redeem_ticket(session: Session, ticket: str, now: datetime | None = None) -> str | None:
    """Trade a fresh, unused ticket for the cookie's token (once); None otherwise."""
    if not ticket or len(ticket) > MAX_SECRET:
        return None
    now = now or local_now()
    token = secrets.token_urlsafe(32)
    result = session.execute(
        update(LoginSession)
        .where(
            LoginSession.ticket_hash == _digest(ticket),
            LoginSession.token_hash.is_(None),
            LoginSession.revoked_at.is_(None),
            LoginSession.created_at > now - TICKET_LIFETIME,
            LoginSession.expires_at > now,
        )
        .values(token_hash=_digest(token), ticket_hash=None)
    )
    return token if result.rowcount == 1 else None


def _which(handle: Handle | None, token: str | None):
    if handle is not None:
        return and_(LoginSession.id == handle.id, LoginSession.created_at == handle.created_at)
    return LoginSession.token_hash == _digest(token or "")


def current(
    session: Session,
    *,
    handle: Handle | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> Current | None:
    """The valid session with this handle (or cookie token) and an enabled account, or None."""
    if handle is None and (not token or len(token) > MAX_SECRET):
        return None
    now = now or local_now()
    which = _which(handle, token)
    row = session.execute(
        select(
            LoginSession.id,
            User.username,
            User.role,
            User.must_change_password,
            LoginSession.token_hash,
            LoginSession.created_at,
        )
        .join(User, User.id == LoginSession.user_id)
        .where(
            which,
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
            User.disabled.is_(False),
        )
    ).first()
    if row is None:
        return None
    return Current(
        row.id,
        row.username,
        row.role,
        bool(row.must_change_password),
        bool(row.token_hash),
        row.created_at,
    )


def revoke(
    session: Session,
    *,
    handle: Handle | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> None:
    """End one session (logout), given its handle or its cookie token."""
    if handle is None and (not token or len(token) > MAX_SECRET):
        return
    session.execute(
        update(LoginSession)
        .where(_which(handle, token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or local_now())
    )


def revoke_user(session: Session, user_id: int, now: datetime | None = None) -> int:
    """End every session of an account; returns how many were open."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or local_now())
    )
    return result.rowcount


def reissue(session: Session, handle: Handle, now: datetime | None = None) -> Started | None:
    """A new session for the account of session ``handle`` (revoked or not), if enabled.

    Used right after that session's own password change, which revoked every session of
    the account: the browser that changed the password stays logged in with a new cookie.
    """
    user_id = session.execute(
        select(User.id)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(_which(handle, None), User.disabled.is_(False))
    ).scalar()
    if user_id is None:
        return None
    revoke(session, handle=handle, now=now)
    return start(session, user_id, now)
