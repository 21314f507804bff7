"""The platforms: id, name, sector, whether they have onboarded (入驻), why 不予评级."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from models.errors import NotFound, UnknownName
from models.rules.filters import Filters
from models.store import scope
from models.store.tables import Platform


@dataclass(frozen=True)
class PlatformInfo:
    id: int
    name: str
    sector: str
    onboarded: bool
    #: Why it is 不予评级 (未入驻, 未取得售后联系方式), as staff or an import said; None: unsaid.
    unrated_reason: str | None = None


_COLUMNS = (
    Platform.id,
    Platform.name,
    Platform.sector,
    Platform.onboarded,
    Platform.unrated_reason,
)


def platforms(session: Session) -> dict[int, PlatformInfo]:
    """Every platform by id."""
    rows = session.execute(select(*_COLUMNS))
    return {row.id: PlatformInfo(*row[:3], bool(row.onboarded), row[4]) for row in rows}


def platform_by_name(session: Session, name: str) -> PlatformInfo:
    """The platform called ``name`` within the session's scope; NotFound lists near names
    (in the scope too) when there is none."""
    visible = platforms_in(session, Filters(statuses=None))
    for info in visible:
        if info.name == name:
            return info
    known = sorted(p.name for p in visible if name.lower() in p.name.lower())
    hint = f"（相近的平台：{'、'.join(known[:5])}）" if known else ""
    raise NotFound(f"没有名为“{name}”的平台{hint}")


def platforms_in(session: Session, filters: Filters) -> list[PlatformInfo]:
    """The platforms ``filters`` allows (its sectors and platforms), by name."""
    stmt = select(*_COLUMNS).where(*scope.platform_where(session, filters, Platform.id))
    rows = [PlatformInfo(*row[:3], bool(row.onboarded), row[4]) for row in session.execute(stmt)]
    # In code-point order, as SQLite's BINARY and PostgreSQL's "C" sort: a database made
    # with a zh_CN or en_US collation would list them otherwise (pinyin, case folded).
    return sorted(rows, key=lambda info: info.name)


def check_names(
    session: Session, sectors: list[str] | None, platform_names: list[str] | None
) -> None:
    """Refuse sector or platform names that match nothing, listing the known ones."""
    known = session.execute(select(Platform.name, Platform.sector)).all()
    for asked, names, what in (
        (sectors, sorted({s for _n, s in known}), "赛道"),
        (platform_names, sorted({n for n, _s in known}), "平台"),
    ):
        unknown = sorted(set(asked or ()) - set(names))
        if unknown:
            raise UnknownName(
                f"未知{what}：{'、'.join(unknown)}。已有{what}：{'、'.join(names) or '（无）'}"
            )
