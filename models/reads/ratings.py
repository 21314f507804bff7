"""Ratings read from the database: per platform, period, year and month.

The formula lives in :mod:`models.rules.rating`; this module only gathers its
inputs (whole months from the summaries, cut days and provinces from the complaints).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from models.reads.platforms import platform_by_name, platforms
from models.rules.filters import Filters
from models.rules.labels import GRADE_NOT_RATED
from models.rules.periods import Period, report_order
from models.rules.rating import (
    Rating,
    RatingInputs,
    roll_up,
)
from models.store import scope, summary
from models.store.tables import Complaint


def platform_inputs(session: Session, filters: Filters = Filters()) -> dict[int, RatingInputs]:
    """Rating inputs per platform id summed over everything in ``filters``."""
    plan = summary.plan(session, filters)
    rows = list(
        summary.rating_rows(session, filters, plan.months, by_month=False) if plan.months else []
    )
    for part in plan.direct:
        rows += _direct_inputs(session, part, by_month=False)
    out: dict[int, RatingInputs] = {}
    for pid, *counts in rows:
        value = RatingInputs(*counts)
        out[pid] = out[pid] + value if pid in out else value
    return dict(sorted(out.items()))  # key order, not the database plan's (stats.grouped)


def monthly_inputs(
    session: Session, filters: Filters = Filters()
) -> dict[tuple[int, int], RatingInputs]:
    """Rating inputs per (platform id, YYYYMM) for every platform and month in ``filters``.

    Whole months come from ``summary_rating``; cut months and chosen provinces are
    counted from the complaints.
    """
    plan = summary.plan(session, filters)
    rows = list(summary.rating_rows(session, filters, plan.months) if plan.months else [])
    for part in plan.direct:
        rows += _direct_inputs(session, part)
    out: dict[tuple[int, int], RatingInputs] = {}
    for pid, month, *counts in rows:  # integers from both drivers (COUNT and SUM of ints)
        value = RatingInputs(*counts)
        key = (pid, month)
        out[key] = out[key] + value if key in out else value
    return dict(sorted(out.items()))  # key order, not the database plan's (stats.grouped)


def _direct_inputs(session: Session, filters: Filters, *, by_month: bool = True) -> list:
    keys = (Complaint.platform_id, Complaint.submitted_month)[: 2 if by_month else 1]
    stmt = (
        select(*keys, *summary.rating_sums()).where(*scope.where(session, filters)).group_by(*keys)
    )
    return session.connection().execute(stmt).all()


def year_ratings(session: Session, filters: Filters, platform: str, year: int) -> list[Rating]:
    """A platform's ratings for a year in the reports' order, periods with complaints only."""
    info = platform_by_name(session, platform)
    scoped = Filters(platform_ids=(info.id,)).intersect(filters)
    return year_table(session, scoped, year).get(info.name, [])


def year_table(session: Session, filters: Filters, year: int) -> dict[str, list[Rating]]:
    """Every platform's ratings for a year in the reports' 18 periods, from one query.

    Only periods wholly inside the dates the reader may see are rated: under a link for
    March–May, a 全年 or 第二季度 rating would be a whole period's name on part of its data.
    """
    within = scope.narrow(session, Filters.for_year(year).intersect(filters))
    by_platform: dict[int, dict[int, RatingInputs]] = defaultdict(dict)
    for (pid, month), value in monthly_inputs(session, within).items():
        by_platform[pid][month] = value
    infos = platforms(session)
    periods = [p for p in report_order(year) if _covers(within, p)]
    return {
        infos[pid].name: [
            Rating(infos[pid].name, infos[pid].sector, infos[pid].onboarded, period, total)
            for period, total in roll_up(monthly, periods)
        ]
        for pid, monthly in by_platform.items()
    }


def _covers(filters: Filters, period: Period) -> bool:
    start, end = filters.date_from, filters.date_to
    return (start is None or start <= period.first_day) and (end is None or period.last_day <= end)


def period_ratings(session: Session, filters: Filters, period: Period) -> list[Rating]:
    """消费评级榜: every platform with complaints in ``period``, best composite first."""
    scoped = Filters(date_from=period.first_day, date_to=period.last_day).intersect(filters)
    return ratings_of(session, platform_inputs(session, scoped), period)


def monthly_timeline(session: Session, filters: Filters = Filters()) -> dict[str, list[Rating]]:
    """Every platform's monthly ratings over the filtered range, oldest month first.

    Months without complaints are left out, as :func:`roll_up` leaves them out.
    """
    infos = platforms(session)
    out: dict[str, list[Rating]] = {}
    for (pid, month), value in sorted(monthly_inputs(session, filters).items()):
        info = infos[pid]
        period = Period.for_month(month)
        rating = Rating(info.name, info.sector, info.onboarded, period, value)
        out.setdefault(info.name, []).append(rating)
    return out


def range_ratings(session: Session, filters: Filters = Filters()) -> list[Rating]:
    """Each platform's rating over everything ``filters`` selects, best first."""
    return ratings_of(session, platform_inputs(session, filters))


def ratings_of(
    session: Session, totals: dict[int, RatingInputs], period: Period | None = None
) -> list[Rating]:
    """Ratings of summed inputs per platform id (over ``period``, or a date range), best first."""
    infos = platforms(session)
    ratings = [
        Rating(infos[pid].name, infos[pid].sector, infos[pid].onboarded, period, total)
        for pid, total in totals.items()
    ]
    return sorted(ratings, key=lambda r: (r.grade == GRADE_NOT_RATED, -r.composite, r.platform))
