"""What a backup (or a database) holds, in brief: shown before a restore writes anything.

Rows per table, the complaints' time span, every account with its role and every share
link with its expiry (:class:`Contents`) — read the same from a dump, while it is verified
(:class:`Collector`), and from a database, in SQL (:func:`of_database`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, func, select

if TYPE_CHECKING:
    from models.ops.transfer import TableSpec

ACCOUNTS, LINKS, COMPLAINTS, SESSIONS = "app_user", "share_link", "complaint", "login_session"


@dataclass(frozen=True, order=True)
class Account:
    username: str
    role: str
    disabled: bool = False


@dataclass(frozen=True, order=True)
class Link:
    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        """Whether the link opens the dashboard at ``now``."""
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True)
class Contents:
    """Rows per table, the complaints' time span, every account and every share link."""

    counts: dict[str, int] = field(default_factory=dict)
    first_complaint: datetime | None = None
    last_complaint: datetime | None = None
    accounts: tuple[Account, ...] = ()
    links: tuple[Link, ...] = ()


# --- reading ---------------------------------------------------------------------------


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _account(row: Mapping[str, Any]) -> Account:
    return Account(str(row["username"]), str(row["role"]), bool(row.get("disabled", False)))


def _link(row: Mapping[str, Any]) -> Link:
    return Link(
        int(row["id"]),
        str(row.get("label", "")),
        _datetime(row["created_at"]),  # type: ignore[arg-type]
        _datetime(row["expires_at"]),  # type: ignore[arg-type]
        _datetime(row.get("revoked_at")),
    )


class Collector:
    """Builds :class:`Contents` from a dump's rows (raw JSON values) as they are read.

    Raises ValueError, TypeError or KeyError for a row it cannot read.
    """

    def __init__(self) -> None:
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.accounts: list[Account] = []
        self.links: list[Link] = []
        self._submitted: int | None = None  # the column of complaint.submitted_at

    def add(self, spec: TableSpec, row: list) -> None:
        if spec.name == COMPLAINTS:  # a million rows: nothing per row but one parse
            if self._submitted is None:
                self._submitted = spec.names.index("submitted_at")
            at = _datetime(row[self._submitted])
            if at is not None:
                self.first = at if self.first is None or at < self.first else self.first
                self.last = at if self.last is None or at > self.last else self.last
        elif spec.name == ACCOUNTS:
            self.accounts.append(_account(dict(zip(spec.names, row, strict=True))))
        elif spec.name == LINKS:
            self.links.append(_link(dict(zip(spec.names, row, strict=True))))

    def contents(self, counts: dict[str, int]) -> Contents:
        return Contents(
            dict(counts),
            self.first,
            self.last,
            tuple(sorted(self.accounts)),
            tuple(sorted(self.links)),
        )


def of_database(connection: Connection, tables: list[Table], counts: dict[str, int]) -> Contents:
    """The same as a :class:`Collector` builds, read in SQL (any schema revision)."""
    by_name = {t.name: t for t in tables}
    first = last = None
    if COMPLAINTS in by_name:
        at = by_name[COMPLAINTS].c.submitted_at
        first, last = connection.execute(select(func.min(at), func.max(at))).one()

    def rows(name: str) -> list:
        table = by_name.get(name)
        return list(connection.execute(select(table)).mappings()) if table is not None else []

    return Contents(
        dict(counts),
        _datetime(first),
        _datetime(last),
        tuple(sorted(_account(row) for row in rows(ACCOUNTS))),
        tuple(sorted(_link(row) for row in rows(LINKS))),
    )
