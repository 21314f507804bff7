"""Share links for journalists: random tokens stored only as hashes, scoped, expiring, revocable.

A link's scope becomes a :class:`~models.rules.filters.Filters` that every dashboard query is
intersected with, so editing the URL can never widen what a shared session sees.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor
from models.clock import local_now
from models.errors import NotFound, TousuError
from models.ops import serving
from models.reads.platforms import check_names
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.rules.text import checked
from models.settings import get_settings
from models.store.tables import Platform, ShareLink
from models.writes import audit

TOKEN_BYTES = 24  # 192 bits
DEFAULT_DAYS = 30
MAX_DAYS = 365
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visit_key(token: str) -> str:
    """A short name for the link a token opens, for the browser to remember it has visited
    (nothing the token's URL does not already give away)."""
    return _hash(token)[:16]


@dataclass(frozen=True)
class LinkInfo:
    id: int
    label: str
    sectors: tuple[str, ...] | None
    platforms: tuple[str, ...] | None
    date_from: date | None
    date_to: date | None
    downloads: bool
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    views: int
    last_used_at: datetime | None
    alerts: bool = False  # also opens 预警

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        if self.expires_at <= local_now():
            return "已过期"
        return "有效"

    @property
    def filters(self) -> Filters:
        """The most this link may ever show: reviewed complaints within its scope."""
        return Filters(
            sectors=self.sectors,
            platforms=self.platforms,
            date_from=self.date_from,
            date_to=self.date_to,
            statuses=COUNTING_STATUSES,
        )

    def describe(self) -> str:
        """What the link shows, as every page says its filters (:meth:`Filters.describe`)."""
        return self.filters.describe()


def _info(row: ShareLink) -> LinkInfo:
    def listed(text: str | None) -> tuple[str, ...] | None:
        return tuple(json.loads(text)) if text else None

    return LinkInfo(
        row.id,
        row.label,
        listed(row.sectors),
        listed(row.platforms),
        row.date_from,
        row.date_to,
        row.downloads,
        row.created_by,
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.views,
        row.last_used_at,
        bool(row.alerts),
    )


def base_url(seen_at: str | None = None) -> str:
    """Where share links point: TOUSU_BASE_URL, else the address the app is seen at (the
    admin page's own address), else what the latest `tousu serve` runs with — its
    TOUSU_BASE_URL, or where it listens (on a command line whose shell lacks the variable)."""
    noted = serving.last()
    chosen = get_settings().base_url or seen_at or (noted and (noted.base_url or noted.address))
    return (chosen or "http://localhost:8501").rstrip("/")


def is_loopback(url: str) -> bool:
    """True when only this machine can open ``url`` (journalists elsewhere cannot)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified  # 0.0.0.0: "every local address"


LOOPBACK_WARNING = (
    "注意：链接地址 {base} 只能在本机打开。请把 TOUSU_BASE_URL 设为记者能访问的地址"
    "（如 https://tousu.example.org）后重新创建链接。"
)


def url_for(token: str, seen_at: str | None = None) -> str:
    """The full link for a token; see :func:`base_url` for the address."""
    return f"{base_url(seen_at)}/?share={token}"


def _check_scope(session: Session, sectors: list[str] | None, platforms: list[str] | None) -> None:
    """Refuse names that match nothing: a link that shows nothing is a mistake."""
    check_names(session, sectors, platforms)
    known = session.execute(select(Platform.name, Platform.sector)).all()
    if sectors and platforms:
        inside = {n for n, s in known if s in sectors}
        outside = sorted(set(platforms) - inside)
        if outside:
            raise TousuError(f"平台 {'、'.join(outside)} 不属于所选赛道，链接将看不到它们")


def create_link(
    session: Session,
    actor: Actor,
    *,
    label: str,
    expires_days: int = DEFAULT_DAYS,
    sectors: list[str] | None = None,
    platforms: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    downloads: bool = True,
    alerts: bool = False,
) -> tuple[LinkInfo, str]:
    """Make a link (administrators). Returns its info and the token — shown only this once."""
    authorize(session, actor, Can.SHARE)
    if not 1 <= expires_days <= MAX_DAYS:
        raise TousuError(f"有效期应为 1 到 {MAX_DAYS} 天")
    if date_from and date_to and date_from > date_to:
        raise TousuError("开始日期晚于结束日期")
    _check_scope(session, sectors, platforms)
    label = checked(label, "标签", 200) or f"分享链接 {local_now():%Y-%m-%d}"
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = local_now()
    values = {
        "token_hash": _hash(token),
        "label": label,
        "sectors": json.dumps(sorted(set(sectors)), ensure_ascii=False) if sectors else None,
        "platforms": json.dumps(sorted(set(platforms)), ensure_ascii=False) if platforms else None,
        "date_from": date_from,
        "date_to": date_to,
        "downloads": downloads,
        "alerts": alerts,
        "created_by": actor.username,
        "created_at": now,
        "expires_at": now + timedelta(days=expires_days),
        "views": 0,
    }
    link_id = session.execute(
        insert(ShareLink).values(**values).returning(ShareLink.id)
    ).scalar_one()
    shown = {k: v for k, v in values.items() if k != "token_hash"}
    audit.record(session, actor, "create_share", "share_link", link_id, None, shown)
    return _info(session.get(ShareLink, link_id)), token


def list_links(session: Session, actor: Actor) -> list[LinkInfo]:
    authorize(session, actor, Can.SHARE)
    rows = session.execute(select(ShareLink).order_by(ShareLink.id.desc())).scalars()
    return [_info(row) for row in rows]


def revoke(session: Session, actor: Actor, link_id: int) -> None:
    """End a link at once (administrators)."""
    authorize(session, actor, Can.SHARE)
    row = session.get(ShareLink, link_id)
    if row is None:
        raise NotFound(f"没有编号为 {link_id} 的分享链接")
    if row.revoked_at is None:
        now = local_now()
        session.execute(update(ShareLink).where(ShareLink.id == link_id).values(revoked_at=now))
        audit.record(
            session,
            actor,
            "revoke_share",
            "share_link",
            link_id,
            {"revoked_at": None},
            {"revoked_at": now},
        )


def resolve(session: Session, token: str, *, count_view: bool = False) -> LinkInfo | None:
    """The link for ``token`` if it is well-formed, known, unrevoked and unexpired; else None."""
    if not token or not _TOKEN_RE.match(token):
        return None
    row = session.execute(select(ShareLink).where(ShareLink.token_hash == _hash(token))).scalar()
    if row is None or row.revoked_at is not None or row.expires_at <= local_now():
        return None
    if count_view:
        session.execute(
            update(ShareLink)
            .where(ShareLink.id == row.id)
            .values(views=ShareLink.views + 1, last_used_at=local_now())
        )
    return _info(row)
