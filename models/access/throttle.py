"""The login throttle: a wait that grows with failed logins, per username and per client.

Not a lock. A stranger who guesses at ``admin`` slows the guessing for everyone to one
try a minute, but cannot keep the real administrator out for more than a minute; the
guesser's own address is slowed far more, up to one try in 15 minutes.

- Per username: the first 5 failures within 15 minutes (since the last success or an
  administrator's unlock) are free; after that an attempt must wait 2 s after the last
  failure, doubling with each further failure, at most 60 s.
- Per client (address): the first 10 failures within an hour, whatever the usernames,
  are free; then 2 s, doubling, at most 15 minutes.
- A refused attempt is not checked and does not count, so waiting always works.
  Unknown usernames are throttled exactly like known ones, so refusals reveal nothing.

The check and the "pending" record of an attempt happen in one short write transaction,
serialised (SQLite's write lock, an advisory lock on PostgreSQL), so a burst of
simultaneous guesses cannot all slip through before the first one is recorded.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlmodel import Session

from models.store.tables import LoginAttempt

#: Outcomes that count as a failure: "pending" is a password still being checked.
FAILED = ("failure", "pending")
#: Outcomes after which a username's failures no longer count.
RESETS = ("success", "unlock")
# Any constant shared by every Tousu process: the PostgreSQL advisory lock of login checks.
_PG_LOCK = 7_250_011


@dataclass(frozen=True)
class Policy:
    """Free failures within ``window``; then ``first`` after the last one, doubling up to ``cap``."""

    free: int
    window: timedelta
    first: timedelta
    cap: timedelta

    def delay(self, failures: int) -> timedelta | None:
        """The wait after the latest of ``failures`` failures, None while they are free."""
        if failures < self.free:
            return None
        return min(self.first * 2 ** min(failures - self.free, 30), self.cap)


USERNAME = Policy(
    free=5, window=timedelta(minutes=15), first=timedelta(seconds=2), cap=timedelta(seconds=60)
)
CLIENT = Policy(
    free=10, window=timedelta(hours=1), first=timedelta(seconds=2), cap=timedelta(minutes=15)
)


def serialize(session: Session) -> None:
    """Make login checks take turns (SQLite's write transaction already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})


def _until(policy: Policy, failures: list[datetime], now: datetime) -> datetime | None:
    delay = policy.delay(len(failures))
    if delay is None or failures[0] + delay <= now:
        return None
    return failures[0] + delay


def username_until(session: Session, username: str, now: datetime) -> datetime | None:
    """When ``username`` may be tried again, or None when it may be tried now."""
    recent = session.execute(
        select(LoginAttempt.at, LoginAttempt.outcome)
        .where(LoginAttempt.username == username, LoginAttempt.at > now - USERNAME.window)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
    ).all()
    failures: list[datetime] = []
    for at, outcome in recent:
        if outcome in RESETS:
            break
        if outcome in FAILED:
            failures.append(at)
    return _until(USERNAME, failures, now)


def client_until(session: Session, client: str, now: datetime) -> datetime | None:
    """When ``client`` may try any login again, or None when it may try now."""
    failures = list(
        session.execute(
            select(LoginAttempt.at)
            .where(
                LoginAttempt.client == client,
                LoginAttempt.at > now - CLIENT.window,
                LoginAttempt.outcome.in_(FAILED),
            )
            .order_by(LoginAttempt.at.desc())
        ).scalars()
    )
    return _until(CLIENT, failures, now)


def wait(session: Session, username: str, client: str, now: datetime) -> timedelta | None:
    """How long this attempt must wait (the longer of both limits), or None."""
    untils = [
        until
        for until in (username_until(session, username, now), client_until(session, client, now))
        if until is not None
    ]
    return max(untils) - now if untils else None


def message(wait: timedelta, why: str = "登录失败次数过多") -> str:
    """The refusal shown to the person logging in (the same for unknown usernames)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    later = f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"
    return f"{why}，请 {later}后再试"


def forwarded_client(peer: str, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address: the connection's ``peer``, or when ``peer`` is one of the
    ``trusted`` proxies, the right-most X-Forwarded-For entry that is not itself a trusted
    proxy (entries further left are whatever the client claimed; a malformed one ends the
    walk). Applied to every request by :mod:`web.proxies`, and nowhere else.
    """
    client = peer
    if not forwarded_for or not is_trusted(peer, trusted):
        return client
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            break
        client = str(address)
        if not is_trusted(client, trusted):
            break
    return client


def is_trusted(host: str, trusted: Sequence[str]) -> bool:
    """Whether ``host`` is one of the ``trusted`` proxies (addresses or networks)."""
    address = parse_address(host)
    return address is not None and any(
        address in ipaddress.ip_network(network, strict=False) for network in trusted
    )


def client_key(client: str | None) -> str:
    """The key a login attempt from ``client`` (an address; None for loopback) counts under.

    An IPv6 client counts as its /64 network: one subscriber holds a whole /64.
    """
    address = parse_address(client) if client else ipaddress.ip_address("127.0.0.1")
    if address is None:
        return "unknown"
    if address.is_loopback:
        return "local"
    if address.version == 6:
        return str(ipaddress.ip_network((address, 64), strict=False))
    return str(address)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> Address | None:
    """An IP address from a socket or a header (``[v6]`` brackets; v4-mapped v6 unwrapped)."""
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
