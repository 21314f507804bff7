"""The consumer rating (消费评级) exactly as the reports define it.

For one platform and period, over its counting complaints (transferred, replied, rated):

* 平台反馈率 reply rate = replied ÷ complaints
* 回复时效性 timeliness = mean over replied complaints of 1.0 (< 72 h), 0.6 (< 120 h), 0
* 用户满意度 satisfaction = mean score over scored complaints only (0 when none)
* 综合指数 composite = reply rate × 0.5 + timeliness × 0.3 + satisfaction ÷ 10 × 0.2
* 评级 from the composite rounded to three decimals; 不予评级 when not onboarded.

The database returns additive counts per platform and month (:class:`RatingInputs`);
quarters, halves and years are sums of months, and the arithmetic is exact (fractions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlmodel import Session

from models import summary
from models.errors import NotFound
from models.filters import Filters
from models.labels import (
    GRADE_CAUTION,
    GRADE_NOT_RATED,
    GRADE_NOT_RECOMMENDED,
    GRADE_RECOMMENDED,
    GRADES,
)
from models.periods import Period, report_order
from models.tables import Complaint, Platform

FAST_HOURS = 72
SLOW_HOURS = 120
TIER_FAST, TIER_SLOW, TIER_LATE = 0, 1, 2
TIER_SCORES = {TIER_FAST: Fraction(1), TIER_SLOW: Fraction(3, 5), TIER_LATE: Fraction(0)}


def reply_tier(hours: float) -> int:
    """Timeliness tier of a reply ``hours`` after transfer (72 h and 120 h steps)."""
    if hours < FAST_HOURS:
        return TIER_FAST
    if hours < SLOW_HOURS:
        return TIER_SLOW
    return TIER_LATE


@dataclass(frozen=True)
class RatingInputs:
    """Additive counts behind a rating; sums of months give quarters and years."""

    complaints: int = 0
    replied: int = 0
    fast: int = 0
    slow: int = 0
    scored: int = 0
    score_sum: int = 0

    def __add__(self, other: RatingInputs) -> RatingInputs:
        return RatingInputs(
            self.complaints + other.complaints,
            self.replied + other.replied,
            self.fast + other.fast,
            self.slow + other.slow,
            self.scored + other.scored,
            self.score_sum + other.score_sum,
        )

    @property
    def reply_rate(self) -> Fraction:
        return Fraction(self.replied, self.complaints) if self.complaints else Fraction(0)

    @property
    def timeliness(self) -> Fraction:
        if not self.replied:
            return Fraction(0)
        return (self.fast + Fraction(3, 5) * self.slow) / self.replied

    @property
    def satisfaction(self) -> Fraction:
        return Fraction(self.score_sum, self.scored) if self.scored else Fraction(0)

    @property
    def composite(self) -> Fraction:
        return (
            self.reply_rate * Fraction(1, 2)
            + self.timeliness * Fraction(3, 10)
            + self.satisfaction / 10 * Fraction(1, 5)
        )


_NONE = RatingInputs()


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value the way a person does (0.0005 → 0.001)."""
    quantum = Decimal(1).scaleb(-places)
    return (
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            quantum, rounding=ROUND_HALF_UP
        )
        if value.denominator != 1
        else Decimal(value.numerator).quantize(quantum)
    )


def grade_for(composite: Decimal, onboarded: bool) -> str:
    """评级 for a composite index already rounded to three decimals."""
    if not onboarded:
        return GRADE_NOT_RATED
    if composite < Decimal("0.4"):
        return GRADE_NOT_RECOMMENDED
    if composite < Decimal("0.75"):
        return GRADE_CAUTION
    return GRADE_RECOMMENDED


@dataclass(frozen=True)
class Rating:
    """One platform's rating for one period, with the reports' formatting."""

    platform: str
    sector: str
    onboarded: bool
    period: Period | None  # None: an arbitrary date range
    inputs: RatingInputs

    @property
    def reply_rate(self) -> Decimal:
        """Percent, two decimals."""
        return round_half_up(self.inputs.reply_rate * 100, 2)

    @property
    def timeliness(self) -> Decimal:
        return round_half_up(self.inputs.timeliness, 3)

    @property
    def satisfaction(self) -> Decimal:
        return round_half_up(self.inputs.satisfaction, 3)

    @property
    def composite(self) -> Decimal:
        return round_half_up(self.inputs.composite, 3)

    @property
    def grade(self) -> str:
        return grade_for(self.composite, self.onboarded)

    def report_row(self) -> dict[str, str]:
        """The row as the reports print it (keys are the reports' column names)."""
        assert self.period is not None
        return {
            "年份": self.period.year_label,
            "时间段": self.period.label,
            "平台反馈率": f"{self.reply_rate}%",
            "回复时效性": str(self.timeliness),
            "用户满意度": str(self.satisfaction),
            "综合指数": str(self.composite),
            "评级": self.grade,
        }


REPORT_COLUMNS = ("年份", "时间段", "平台反馈率", "回复时效性", "用户满意度", "综合指数", "评级")


@dataclass(frozen=True)
class PlatformInfo:
    id: int
    name: str
    sector: str
    onboarded: bool


def platform_inputs(session: Session, filters: Filters = Filters()) -> dict[int, RatingInputs]:
    """Rating inputs per platform id summed over everything in ``filters``."""
    plan = summary.plan(filters)
    rows = list(
        summary.rating_rows(session, filters, plan.months, by_month=False) if plan.months else []
    )
    for part in plan.direct:
        rows += _direct_inputs(session, part, by_month=False)
    out: dict[int, RatingInputs] = {}
    for pid, *counts in rows:
        value = RatingInputs(*counts)
        out[pid] = out[pid] + value if pid in out else value
    return out


def monthly_inputs(
    session: Session, filters: Filters = Filters()
) -> dict[tuple[int, int], RatingInputs]:
    """Rating inputs per (platform id, YYYYMM) for every platform and month in ``filters``.

    Whole months come from ``summary_rating``; cut months and chosen provinces are
    counted from the complaints.
    """
    plan = summary.plan(filters)
    rows = list(summary.rating_rows(session, filters, plan.months) if plan.months else [])
    for part in plan.direct:
        rows += _direct_inputs(session, part)
    out: dict[tuple[int, int], RatingInputs] = {}
    for pid, month, *counts in rows:  # integers from both drivers (COUNT and SUM of ints)
        value = RatingInputs(*counts)
        key = (pid, month)
        out[key] = out[key] + value if key in out else value
    return out


def _direct_inputs(session: Session, filters: Filters, *, by_month: bool = True) -> list:
    keys = (Complaint.platform_id, Complaint.submitted_month)[: 2 if by_month else 1]
    stmt = select(*keys, *summary.rating_sums()).where(*filters.conditions()).group_by(*keys)
    return session.connection().execute(stmt).all()


def platforms(session: Session) -> dict[int, PlatformInfo]:
    """Every platform by id."""
    rows = session.exec(select(Platform.id, Platform.name, Platform.sector, Platform.onboarded))  # type: ignore[call-overload]
    return {pid: PlatformInfo(pid, name, sector, bool(on)) for pid, name, sector, on in rows}


def platform_by_name(session: Session, name: str) -> PlatformInfo:
    """The platform called ``name``; NotFound lists near names when there is none."""
    for info in platforms(session).values():
        if info.name == name:
            return info
    known = sorted(p.name for p in platforms(session).values() if name.lower() in p.name.lower())
    hint = f"（相近的平台：{'、'.join(known[:5])}）" if known else ""
    raise NotFound(f"没有名为“{name}”的平台{hint}")


def roll_up(
    monthly: dict[int, RatingInputs], periods: Iterable[Period]
) -> list[tuple[Period, RatingInputs]]:
    """Sum monthly inputs (keyed by YYYYMM) into each period; drop periods without complaints."""
    out = []
    for period in periods:
        months = period.yyyymm
        if len(months) == 1:  # a month period: no sum to make
            total = monthly.get(months[0], _NONE)
        else:
            total = sum((monthly.get(m, _NONE) for m in months), _NONE)
        if total.complaints:
            out.append((period, total))
    return out


def year_ratings(
    session: Session, platform: str, year: int, filters: Filters = Filters()
) -> list[Rating]:
    """A platform's ratings for a year in the reports' order, periods with complaints only."""
    info = platform_by_name(session, platform)
    scoped = Filters(platform_ids=(info.id,)).intersect(filters)
    return year_table(session, year, scoped).get(info.name, [])


def year_table(
    session: Session, year: int, filters: Filters = Filters()
) -> dict[str, list[Rating]]:
    """Every platform's ratings for a year in the reports' 18 periods, from one query."""
    by_platform: dict[int, dict[int, RatingInputs]] = defaultdict(dict)
    for (pid, month), value in monthly_inputs(
        session, Filters.for_year(year).intersect(filters)
    ).items():
        by_platform[pid][month] = value
    infos = platforms(session)
    periods = report_order(year)
    return {
        infos[pid].name: [
            Rating(infos[pid].name, infos[pid].sector, infos[pid].onboarded, period, total)
            for period, total in roll_up(monthly, periods)
        ]
        for pid, monthly in by_platform.items()
    }


def period_ratings(session: Session, period: Period, filters: Filters = Filters()) -> list[Rating]:
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
        period = Period(month // 100, "month", month % 100)
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


def grade_counts(ratings: Iterable[Rating]) -> dict[str, int]:
    """How many platforms sit in each grade (all four grades present, zero or not)."""
    out = dict.fromkeys(GRADES, 0)
    for rating in ratings:
        out[rating.grade] += 1
    return out
