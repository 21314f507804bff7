"""The database tables (SQLModel). Times are naive local times (settings.timezone).

Complaints carry a few columns derived on write (``submitted_month``, ``reply_tier``,
``score``) so that ratings and distributions are plain SQL aggregates that every
database computes quickly and identically; :mod:`models.rules.complaint` keeps them exact.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlmodel import Field, SQLModel

from models.clock import local_now


def _dt(nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=False), nullable=nullable, index=index)


def _part_of(table: str) -> Column:
    """The reference from a row to the ``table`` row it belongs to (and goes with)."""
    return Column(
        Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True
    )


def _entered_by() -> Column:
    """The account that entered a row (empty for imports and the command line)."""
    return Column(Integer, ForeignKey("app_user.id"))


class Platform(SQLModel, table=True):
    """A platform complained about (投诉平台), in one sector (赛道)."""

    __tablename__ = "platform"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    sector: str = Field(sa_column=Column(String(50), nullable=False, index=True))
    #: 入驻: onboarded platforms have an after-sales contact; others get 不予评级.
    onboarded: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    #: Why a platform is 不予评级 (未入驻, 未取得售后联系方式), as reports print it; NULL: none said.
    unrated_reason: str | None = Field(default=None, sa_column=Column(String(50)))
    created_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))


class User(SQLModel, table=True):
    """A person who logs in: viewer, platform, staff or admin (models/access/policy.py)."""

    __tablename__ = "app_user"
    __table_args__ = (
        Index("ix_app_user_name_key", "name_key", unique=True),
        Index("ix_app_user_name_skeleton", "name_skeleton", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    #: NFKC + case folding of the name: what a login matches (models/access/names.py).
    #: Both unique; NULL only for an account that already looked like an older one when
    #: revision 0010 came (kept, answering to its exact name; `tousu doctor` says so).
    name_key: str | None = Field(default=None, sa_column=Column(Text))
    #: TS #39 skeleton of the name: no two accounts look alike.
    name_skeleton: str | None = Field(default=None, sa_column=Column(Text))
    #: Bumped by every change of the account: an edit made on an older version is refused.
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    password_hash: str = Field(sa_column=Column(String(100), nullable=False), repr=False)
    disabled: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    #: Set for generated one-time passwords: the first login must choose a new one.
    must_change_password: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    created_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))


class UserPlatform(SQLModel, table=True):
    """A platform account's platforms: the complaints it answers and all it may see."""

    __tablename__ = "user_platform"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    )
    platform_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class LoginAttempt(SQLModel, table=True):
    """Every login try, for the login throttle per username and per client."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_user_at", "username", "at"),
        Index("ix_login_attempt_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False))
    at: datetime = Field(sa_column=_dt(nullable=False))
    #: pending (password being checked) | success | failure | throttled (refused unchecked)
    #: | unlock (by an admin) | locked (refused by the former lock, before revision 0006)
    outcome: str = Field(sa_column=Column(String(10), nullable=False))
    #: The client's address (an IPv6 client's /64 network), "local" for loopback.
    client: str | None = Field(default=None, sa_column=Column(String(64)))


class LoginSession(SQLModel, table=True):
    """A login, bound to the browser's HttpOnly cookie: revocable on the server.

    Only SHA-256 hashes of the cookie token and of the one-time ticket that sets the
    cookie are stored. A session ends at ``expires_at`` or when revoked (logout,
    password change, role change, disabling the account).
    """

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_part_of("app_user"))
    token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    ticket_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    created_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))
    expires_at: datetime = Field(sa_column=_dt(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_dt())


class AuditLog(SQLModel, table=True):
    """Who changed what, when, with the values before and after (JSON)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_dt(nullable=False, index=True))
    actor: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    entity: str = Field(sa_column=Column(String(40), nullable=False))
    entity_id: str | None = Field(default=None, sa_column=Column(String(64)))
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))


class ShareLink(SQLModel, table=True):
    """A read-only dashboard link for journalists: scoped, expiring, revocable."""

    __tablename__ = "share_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    label: str = Field(sa_column=Column(String(200), nullable=False))
    #: JSON lists; NULL means no restriction.
    sectors: str | None = Field(default=None, sa_column=Column(Text))
    platforms: str | None = Field(default=None, sa_column=Column(Text))
    date_from: date | None = Field(default=None, sa_column=Column(Date))
    date_to: date | None = Field(default=None, sa_column=Column(Date))
    downloads: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    created_by: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))
    expires_at: datetime = Field(sa_column=_dt(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_dt())
    views: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=_dt())
    #: The link also opens 预警 (internal by default: only when an admin says so).
    alerts: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class Complaint(SQLModel, table=True):
    """One complaint (投诉) with its personal data and workflow state."""

    __tablename__ = "complaint"
    __table_args__ = (
        # The rating and distribution queries read a date range, then group.
        # It also holds every column a summary recount reads (models/store/summary.py),
        # so recounting a year after a large import reads the index, not the table.
        Index(
            "ix_complaint_month_platform",
            *("submitted_month", "platform_id", "status", "replied_at", "reply_tier"),
            *("score", "problem_type", "province", "gender", "amount_bracket", "age"),
            "complainant_type",
            "submitted_at",
        ),
        Index("ix_complaint_platform_submitted", "platform_id", "submitted_at"),
        Index("ix_complaint_status_transferred", "status", "transferred_at"),
        # Figures for chosen provinces are counted from the complaints themselves.
        Index("ix_complaint_province_month", "province", "submitted_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    platform_id: int = Field(sa_column=Column(Integer, ForeignKey("platform.id"), nullable=False))
    submitted_at: datetime = Field(sa_column=_dt(nullable=False, index=True))
    #: YYYYMM of submitted_at, derived on write: grouping by month without date functions.
    submitted_month: int = Field(sa_column=Column(Integer, nullable=False))
    province: str | None = Field(default=None, sa_column=Column(String(20)))
    gender: str = Field(default="未知", sa_column=Column(String(4), nullable=False))
    age: int | None = Field(default=None, sa_column=Column(SmallInteger))
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    amount_bracket: str = Field(default="未选择", sa_column=Column(String(20), nullable=False))
    problem_type: str = Field(sa_column=Column(String(50), nullable=False))
    #: 投诉人类型: 消费者 or 商家 (a dimension: models/rules/dimensions.py).
    complainant_type: str = Field(
        default="消费者", sa_column=Column(String(8), nullable=False, server_default="消费者")
    )
    title: str | None = Field(default=None, sa_column=Column(String(300)))
    content: str | None = Field(default=None, sa_column=Column(Text))
    demand: str | None = Field(default=None, sa_column=Column(Text))
    #: Title and content scrubbed of personal data (models.rules.complaint.public_text): what
    #: anyone but staff searches, so a phone number or a name can never find a complaint.
    public_text: str | None = Field(default=None, sa_column=Column(Text))
    # Personal data: staff only; everyone else sees mask_name().
    complainant: str | None = Field(default=None, sa_column=Column(String(100)))
    phone: str | None = Field(default=None, sa_column=Column(String(40)))
    email: str | None = Field(default=None, sa_column=Column(String(200)))
    id_number: str | None = Field(default=None, sa_column=Column(String(40)))
    order_number: str | None = Field(default=None, sa_column=Column(String(80)))
    status: str = Field(sa_column=Column(String(8), nullable=False))
    rejection_reason: str | None = Field(default=None, sa_column=Column(Text))
    transferred_at: datetime | None = Field(default=None, sa_column=_dt())
    replied_at: datetime | None = Field(default=None, sa_column=_dt())
    #: 0: reply within 72 h (1.0), 1: within 120 h (0.6), 2: later (0); NULL: no reply.
    reply_tier: int | None = Field(default=None, sa_column=Column(SmallInteger))
    #: Current satisfaction score 0–10; the history is in satisfaction_score.
    score: int | None = Field(default=None, sa_column=Column(SmallInteger))
    #: Chosen by staff as a typical case (典型案例) for reports, with its headline (案例标题).
    typical: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    headline: str | None = Field(default=None, sa_column=Column(String(200)))
    #: 处理情况: the sentence a report prints after the case, as staff wrote it; NULL: the
    #: report's default (the platform's reply, or that none came).
    handling: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))
    updated_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))
    #: Optimistic lock: every write bumps it; a stale save is refused.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False))


class Reply(SQLModel, table=True):
    """The platform's reply to a complaint, as entered by staff or imported."""

    __tablename__ = "reply"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_part_of("complaint"))
    content: str = Field(sa_column=Column(Text, nullable=False))
    replied_at: datetime = Field(sa_column=_dt(nullable=False))
    entered_by_id: int | None = Field(default=None, sa_column=_entered_by())
    entered_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))


class SatisfactionScore(SQLModel, table=True):
    """A satisfaction score given to a complaint; every correction adds a row."""

    __tablename__ = "satisfaction_score"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_part_of("complaint"))
    score: int = Field(sa_column=Column(SmallInteger, nullable=False))
    entered_by_id: int | None = Field(default=None, sa_column=_entered_by())
    entered_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))


class SummaryRating(SQLModel, table=True):
    """Rating inputs per month, platform and status: :mod:`models.store.summary` keeps it exact."""

    __tablename__ = "summary_rating"
    __table_args__ = {"sqlite_with_rowid": False}

    #: A status, or "*" for the sum over the statuses that count towards ratings.
    status: str = Field(sa_column=Column(String(8), primary_key=True))
    month: int = Field(sa_column=Column(Integer, primary_key=True))
    platform_id: int = Field(sa_column=Column(Integer, primary_key=True))
    complaints: int = Field(sa_column=Column(Integer, nullable=False))
    replied: int = Field(sa_column=Column(Integer, nullable=False))
    fast: int = Field(sa_column=Column(Integer, nullable=False))
    slow: int = Field(sa_column=Column(Integer, nullable=False))
    scored: int = Field(sa_column=Column(Integer, nullable=False))
    score_sum: int = Field(sa_column=Column(Integer, nullable=False))


class SummaryCount(SQLModel, table=True):
    """Complaints per value of a dimension, month, platform and status.

    ``platform_id`` 0 holds the sum over all platforms, so a figure for everyone reads
    one row per value and month. :mod:`models.store.summary` keeps it exact.
    """

    __tablename__ = "summary_count"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(sa_column=Column(String(16), primary_key=True))
    platform_id: int = Field(sa_column=Column(Integer, primary_key=True))
    month: int = Field(sa_column=Column(Integer, primary_key=True))
    status: str = Field(sa_column=Column(String(8), primary_key=True))
    value: str = Field(sa_column=Column(String(50), primary_key=True))
    complaints: int = Field(sa_column=Column(Integer, nullable=False))


class SummaryWeek(SQLModel, table=True):
    """Complaints per ISO week, platform, status and value of a weekly dimension (problem
    type, province): the weekly counts 消费预警 compares (models/alerts).

    ``week`` is the Monday (YYYYMMDD); ``month`` the month of the complaints, so a week
    across two months has rows in each and the (month, platform) keys that
    :mod:`models.store.summary` recounts hold here too. ``platform_id`` 0 holds the sum
    over all platforms, as in ``summary_count``.
    """

    __tablename__ = "summary_week"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(sa_column=Column(String(16), primary_key=True))
    month: int = Field(sa_column=Column(Integer, primary_key=True))
    week: int = Field(sa_column=Column(Integer, primary_key=True))
    platform_id: int = Field(sa_column=Column(Integer, primary_key=True))
    status: str = Field(sa_column=Column(String(8), primary_key=True))
    value: str = Field(sa_column=Column(String(50), primary_key=True))
    complaints: int = Field(sa_column=Column(Integer, nullable=False))


class DataVersion(SQLModel, table=True):
    """One row, bumped by every write: dashboards key their caches on it."""

    __tablename__ = "data_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    changed_at: datetime = Field(default_factory=local_now, sa_column=_dt(nullable=False))
