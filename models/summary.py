"""Summary tables: the counts behind every figure, grouped per month, platform and status.

A dashboard reads a year of figures many times a minute. Counting 140,000 complaint rows
for each figure costs SQLite a tenth of a second and more; the same counts grouped per
month, platform and status are a few thousand rows. ``summary_rating`` holds the rating
inputs, ``summary_count`` the complaints per value of each value dimension (platform 0
holding the sum over all platforms).

Exact by construction: every write to complaints ends with :func:`changed`, which bumps
the data version and then recomputes the touched (month, platform) keys from the
complaints in the same transaction. Nothing is added or subtracted, so nothing can drift.
On PostgreSQL the data-version row lock orders concurrent writers (READ COMMITTED), so
each recompute sees the writes committed before it; SQLite has one writer at a time.

What the summaries cannot answer — chosen provinces, two value dimensions at once, the
days of a month that a custom date range cuts — is counted from the complaints:
:func:`plan` splits a selection into a summary part and direct parts.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Integer, Row, String, case, delete, false, func, insert, literal, or_, select
from sqlmodel import Session

from models.dimensions import VALUE_DIMENSIONS, labelled_value
from models.filters import Filters
from models.freshness import bump
from models.tables import Complaint, Platform, SummaryCount, SummaryRating

Key = tuple[int, int]  # (YYYYMM, platform id)
ALL_PLATFORMS = 0  # summary_count rows summed over every platform
_FAST, _SLOW = 0, 1  # reply tiers (models.rating): under 72 h, under 120 h


# --- keeping the summaries exact -----------------------------------------------------


def changed(session: Session, keys: Iterable[Key] | None) -> None:
    """Record a write to complaints: bump the data version, recompute what it touched.

    ``keys`` are the (month, platform id) pairs of every complaint written, before and
    after the write; None recomputes everything. Call it last in the writing transaction.
    """
    bump(session)  # first: on PostgreSQL its row lock queues concurrent recomputes
    if keys is None:
        _recompute(session, None, None)
        return
    by_month: dict[int, set[int]] = defaultdict(set)
    for month, platform_id in keys:
        by_month[month].add(platform_id)
    for month in sorted(by_month):
        _recompute(session, [month], sorted(by_month[month]))


def rebuild(session: Session) -> None:
    """Recompute both summaries from scratch (migrations, bulk loads, `tousu summary`)."""
    _recompute(session, None, None)


_RATING_COLUMNS = [
    "month",
    "platform_id",
    "status",
    "complaints",
    "replied",
    "fast",
    "slow",
    "scored",
    "score_sum",
]
_COUNT_COLUMNS = ["dimension", "month", "platform_id", "status", "value", "complaints"]
_KEYS = (Complaint.submitted_month, Complaint.platform_id, Complaint.status)


def _rating_source(where: list):
    """summary_rating rows as counted from the complaints."""
    return (
        select(
            *_KEYS,
            func.count(),
            func.count(Complaint.replied_at),
            func.sum(case((Complaint.reply_tier == _FAST, 1), else_=0)),
            func.sum(case((Complaint.reply_tier == _SLOW, 1), else_=0)),
            func.count(Complaint.score),
            func.coalesce(func.sum(Complaint.score), 0),
        )
        .where(*where)
        .group_by(*_KEYS)
    )


def _count_source(dimension: str, where: list):
    """summary_count rows of one dimension, per platform, as counted from the complaints."""
    value = labelled_value(dimension)
    return (
        select(literal(dimension, String), *_KEYS, value, func.count())
        .where(*where)
        .group_by(*_KEYS, value)
    )


def _recompute(
    session: Session, months: Sequence[int] | None, platform_ids: Sequence[int] | None
) -> None:
    def scope(month_col, platform_col) -> list:
        where = []
        if months is not None:
            where.append(month_col.in_(months))
        if platform_ids is not None:
            where.append(platform_col.in_(platform_ids))
        return where

    session.execute(
        delete(SummaryRating).where(*scope(SummaryRating.month, SummaryRating.platform_id))
    )
    stale = scope(SummaryCount.month, SummaryCount.platform_id)
    if platform_ids is not None:  # the all-platform rows of these months are redone too
        stale[-1] = or_(stale[-1], SummaryCount.platform_id == ALL_PLATFORMS)
    session.execute(delete(SummaryCount).where(*stale))

    source = scope(Complaint.submitted_month, Complaint.platform_id)
    session.execute(insert(SummaryRating).from_select(_RATING_COLUMNS, _rating_source(source)))
    for dimension in VALUE_DIMENSIONS:
        session.execute(
            insert(SummaryCount).from_select(_COUNT_COLUMNS, _count_source(dimension, source))
        )
    per_platform = [SummaryCount.platform_id != ALL_PLATFORMS]
    if months is not None:
        per_platform.append(SummaryCount.month.in_(months))
    totals = (SummaryCount.dimension, SummaryCount.month, SummaryCount.status, SummaryCount.value)
    session.execute(
        insert(SummaryCount).from_select(
            _COUNT_COLUMNS,
            select(
                SummaryCount.dimension,
                SummaryCount.month,
                literal(ALL_PLATFORMS, Integer),
                SummaryCount.status,
                SummaryCount.value,
                func.sum(SummaryCount.complaints),
            )
            .where(*per_platform)
            .group_by(*totals),
        )
    )


def check(session: Session) -> list[str]:
    """Where the summaries differ from a recount of the complaints (empty: exact)."""
    r = SummaryRating
    stored = {
        tuple(row[:3]): tuple(row[3:])
        for row in session.execute(select(*(getattr(r, name) for name in _RATING_COLUMNS)))
    }
    counted = {
        tuple(row[:3]): tuple(int(v) for v in row[3:])
        for row in session.execute(_rating_source([]))
    }
    c = SummaryCount
    stored_counts = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(select(*(getattr(c, name) for name in _COUNT_COLUMNS)))
    }
    counted_counts: dict[tuple, int] = defaultdict(int)
    for dimension in VALUE_DIMENSIONS:
        for _d, month, pid, status, value, n in session.execute(_count_source(dimension, [])):
            for platform in (pid, ALL_PLATFORMS):
                counted_counts[(dimension, month, platform, status, value)] += int(n)
    problems = []
    for name, a, b in (
        ("summary_rating", stored, counted),
        ("summary_count", stored_counts, counted_counts),
    ):
        problems += [
            f"{name} {key}: stored {a.get(key)}, recounted {b.get(key)}"
            for key in sorted(set(a) | set(b), key=repr)
            if a.get(key) != b.get(key)
        ]
    return problems


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Where a selection's counts come from.

    ``months``: (first, last) YYYYMM read from the summaries, None for an open end; the
    whole attribute is None when nothing comes from them. ``direct``: selections counted
    from the complaints themselves.
    """

    months: tuple[int | None, int | None] | None
    direct: tuple[Filters, ...]


def month_of(day: date) -> int:
    return day.year * 100 + day.month


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(yyyymm: int) -> int:
    return yyyymm + 89 if yyyymm % 100 == 12 else yyyymm + 1


def _previous_month(yyyymm: int) -> int:
    return yyyymm - 89 if yyyymm % 100 == 1 else yyyymm - 1


def plan(filters: Filters, dimensions: Sequence[str] = ()) -> Plan:
    """Split ``filters`` into whole months from the summaries and the rest."""
    value_dimensions = [d for d in dimensions if d in VALUE_DIMENSIONS]
    start, end = filters.date_from, filters.date_to
    if (
        filters.provinces is not None
        or len(value_dimensions) > 1
        or (start is not None and end is not None and start > end)
    ):
        return Plan(None, (filters,))
    first = None if start is None else month_of(start)
    last = None if end is None else month_of(end)
    direct: list[Filters] = []
    if start is not None and start.day != 1:  # the cut days of the first month
        direct.append(replace(filters, date_to=min(_month_end(start), end or _month_end(start))))
        first = _next_month(first)  # type: ignore[arg-type]
    if end is not None and end != _month_end(end):  # the cut days of the last month
        if not direct or month_of(start) != last:  # type: ignore[arg-type]
            cut = end.replace(day=1)
            direct.append(replace(filters, date_from=cut if start is None else max(cut, start)))
        last = _previous_month(last)  # type: ignore[arg-type]
    whole = first is None or last is None or first <= last
    return Plan((first, last) if whole else None, tuple(direct))


def _where(table, filters: Filters, months: tuple[int | None, int | None]) -> list:
    where = []
    if filters.statuses is not None:
        where.append(table.status.in_(filters.statuses) if filters.statuses else false())
    where += filters.platform_conditions(table.platform_id)
    first, last = months
    if first is not None:
        where.append(table.month >= first)
    if last is not None:
        where.append(table.month <= last)
    return where


def rating_rows(
    session: Session, filters: Filters, months: tuple[int | None, int | None]
) -> Sequence[Row]:
    """(platform id, month, complaints, replied, fast, slow, scored, score sum) rows."""
    t = SummaryRating
    stmt = (
        select(
            t.platform_id,
            t.month,
            func.sum(t.complaints),
            func.sum(t.replied),
            func.sum(t.fast),
            func.sum(t.slow),
            func.sum(t.scored),
            func.sum(t.score_sum),
        )
        .where(*_where(t, filters, months))
        .group_by(t.platform_id, t.month)
    )
    return session.execute(stmt).all()


def count_rows(
    session: Session,
    dimensions: Sequence[str],
    filters: Filters,
    months: tuple[int | None, int | None],
) -> Sequence[Row]:
    """(value per dimension …, complaints) rows; at most one value dimension."""
    value_dimensions = [d for d in dimensions if d in VALUE_DIMENSIONS]
    by_platform = bool({"platform", "sector"} & set(dimensions))
    if value_dimensions:
        t = SummaryCount
        where = [t.dimension == value_dimensions[0], *_where(t, filters, months)]
        if not (by_platform or filters.restricts_platforms):
            where.append(t.platform_id == ALL_PLATFORMS)
        elif not filters.restricts_platforms:
            where.append(t.platform_id != ALL_PLATFORMS)
    else:
        t = SummaryRating
        where = _where(t, filters, months)
    columns = {
        "month": t.month,
        "platform": Platform.name,
        "sector": Platform.sector,
        **{d: SummaryCount.value for d in value_dimensions},
    }
    groups = [columns[d] for d in dimensions]
    stmt = select(*groups, func.sum(t.complaints)).select_from(t)
    if by_platform:
        stmt = stmt.join(Platform, Platform.id == t.platform_id)
    stmt = stmt.where(*where)
    if groups:
        stmt = stmt.group_by(*groups)
    return [row for row in session.execute(stmt).all() if row[-1] is not None]


def month_span(
    session: Session, filters: Filters, months: tuple[int | None, int | None]
) -> tuple[int, int] | None:
    """First and last month with complaints in the summary part, or None."""
    t = SummaryRating
    stmt = select(func.min(t.month), func.max(t.month)).where(*_where(t, filters, months))
    first, last = session.execute(stmt).one()
    return None if first is None else (int(first), int(last))
