"""Platforms: the platforms file, and the one check of a platform's name and sector that
the import, ``tousu import platforms`` and the 平台管理 page all apply."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlmodel import Session

from models.clock import local_now
from models.errors import TousuError
from models.importing.cells import parse_bool
from models.importing.files import Table
from models.importing.report import CellError, ImportReport
from models.importing.table import layout
from models.rules.text import text_problem
from models.store.freshness import bump
from models.store.tables import Platform

PLATFORM_COLUMNS: dict[str, tuple[str, bool]] = {
    "name": ("平台", True),
    "sector": ("赛道", True),
    "onboarded": ("是否入驻", False),
    "unrated_reason": ("不予评级原因", False),
}
#: The reasons the house gives for 不予评级 (any other short text is taken as written).
UNRATED_REASONS = ("未入驻", "未取得售后联系方式")
NAME_LENGTH = Platform.__table__.c["name"].type.length
SECTOR_LENGTH = Platform.__table__.c["sector"].type.length
REASON_LENGTH = Platform.__table__.c["unrated_reason"].type.length


def name_problem(name: str) -> str | None:
    """Why ``name`` (stripped) cannot be a platform's name, or None."""
    return "必填" if not name else text_problem(name, NAME_LENGTH)


def sector_problem(sector: str) -> str | None:
    """Why ``sector`` (stripped) cannot be a sector's name, or None."""
    return "必填" if not sector else text_problem(sector, SECTOR_LENGTH)


def check_unrated_reason(reason: str | None) -> str | None:
    """A 不予评级 reason stripped (None when empty), or a :class:`TousuError`."""
    reason = (reason or "").strip()
    if problem := text_problem(reason, REASON_LENGTH):
        raise TousuError(f"不予评级原因{problem}")
    return reason or None


def check_platform(name: str, sector: str) -> tuple[str, str]:
    """Name and sector stripped, or a :class:`TousuError` saying what is wrong."""
    name, sector = name.strip(), sector.strip()
    if not name or not sector:
        raise TousuError("平台名称和赛道都不能为空")
    for label, problem in (("平台名称", name_problem(name)), ("赛道", sector_problem(sector))):
        if problem:
            raise TousuError(f"{label}{problem}")
    return name, sector


def _validate(table: Table, report: ImportReport) -> dict[str, dict]:
    """Check every row; the valid rows' values by platform name."""
    columns = layout(table, PLATFORM_COLUMNS)
    report.warnings += columns.warnings
    report.add(columns.errors)
    clean: dict[str, dict] = {}
    seen: dict[str, int] = {}
    header_ok = not columns.errors
    for number, raw in table.rows:
        report.rows += 1
        if not header_ok:
            continue  # the rows are only counted
        cells, errors = columns.cells(number, raw)
        name, sector = cells.get("name", ""), cells.get("sector", "")
        problems: list[tuple[str, str]] = []
        if problem := name_problem(name):
            problems.append(("name", problem))
        elif name in seen:
            problems.append(("name", f"与第{seen[name]}行重复"))
        else:
            seen[name] = number
        if problem := sector_problem(sector):
            problems.append(("sector", problem))
        try:
            onboarded = parse_bool(cells.get("onboarded", ""))
        except ValueError as exc:
            problems.append(("onboarded", str(exc)))
        reason = cells.get("unrated_reason", "").strip()
        if problem := text_problem(reason, REASON_LENGTH):
            problems.append(("unrated_reason", problem))
        errors += [
            CellError(number, columns.names.get(key, key), cells.get(key, ""), reason)
            for key, reason in problems
        ]
        report.add(errors)
        if not errors:
            clean[name] = {"name": name, "sector": sector, "onboarded": onboarded}
            if "unrated_reason" in columns.names:  # a file without the column keeps them
                clean[name]["unrated_reason"] = reason or None
    return clean


def import_platform_table(session: Session, table: Table, *, dry_run: bool = False) -> ImportReport:
    """Validate a platforms table; add new platforms, update the sector and onboarding of
    known ones."""
    report = ImportReport(dry_run=dry_run)
    clean = _validate(table, report)
    if not report.ok:
        return report
    known = dict(session.execute(select(Platform.name, Platform.id)).all())
    now = local_now()
    new = [dict(v, created_at=now) for n, v in clean.items() if n not in known]
    changed = [dict(v, id=known[n]) for n, v in clean.items() if n in known]
    if dry_run:  # what it would do, said by the check
        report.inserted, report.updated = len(new), len(changed)
        return report
    if new:
        session.execute(insert(Platform), new)
    if changed:
        session.execute(update(Platform), changed)
    bump(session)
    report.inserted, report.updated = len(new), len(changed)
    report.platforms_created = [v["name"] for v in new]
    return report
