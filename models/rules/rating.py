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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from models.rules.labels import (
    GRADE_CAUTION,
    GRADE_NOT_RATED,
    GRADE_NOT_RECOMMENDED,
    GRADE_RECOMMENDED,
    GRADES,
)
from models.rules.numbers import percent, round_half_up
from models.rules.periods import IN_PROGRESS, Period

FAST_HOURS = 72
SLOW_HOURS = 120
#: 用户满意度 on screen for a rating without a scored complaint (the composite counts it as 0).
NO_SCORE = "无评分"


TIER_FAST, TIER_SLOW, TIER_LATE = 0, 1, 2


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
        return percent(self.inputs.replied, self.inputs.complaints)

    @property
    def timeliness(self) -> Decimal:
        return round_half_up(self.inputs.timeliness, 3)

    @property
    def satisfaction(self) -> Decimal:
        return round_half_up(self.inputs.satisfaction, 3)

    @property
    def has_score(self) -> bool:
        """Whether any complaint was scored: without one, 用户满意度 enters the composite as
        0 (the reports' convention) but is shown on screen as 无评分, not as a score of 0."""
        return self.inputs.scored > 0

    @property
    def composite(self) -> Decimal:
        return round_half_up(self.inputs.composite, 3)

    def complete(self, today: date) -> bool:
        """Whether its period has ended (a date range's rating is taken as it stands)."""
        return self.period is None or self.period.complete(today)

    @property
    def grade(self) -> str:
        return grade_for(self.composite, self.onboarded)

    @property
    def rated(self) -> bool:
        """False for 不予评级: its composite is a number but not a position on the index."""
        return self.onboarded

    @property
    def index(self) -> float | None:
        """The composite to draw or sort on; None when not rated (never drawn at 0)."""
        return float(self.composite) if self.rated else None

    def small_sample(self, minimum: int) -> bool:
        """样本较少: the rating rests on fewer than ``minimum`` complaints."""
        return self.inputs.complaints < minimum

    def period_label(self, today: date | None = None) -> str:
        """时间段: 12月, or 12月（统计中） while the period is in progress as of ``today``."""
        assert self.period is not None
        if today is not None and not self.complete(today):
            return f"{self.period.label}（{IN_PROGRESS}）"
        return self.period.label

    def report_row(self, today: date | None = None) -> dict[str, str]:
        """The row as the reports print it (keys are the reports' column names); with
        ``today``, a period in progress says so in 时间段."""
        assert self.period is not None
        return {
            "年份": self.period.year_label,
            "时间段": self.period_label(today),
            "平台反馈率": f"{self.reply_rate}%",
            "回复时效性": str(self.timeliness),
            "用户满意度": str(self.satisfaction),
            "综合指数": str(self.composite),
            "评级": self.grade,
        }


#: How pages, downloads and publications mark a rating on few complaints (Rating.small_sample).
SMALL_SAMPLE = "样本较少"
REPORT_COLUMNS = ("年份", "时间段", "平台反馈率", "回复时效性", "用户满意度", "综合指数", "评级")


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


def completed(ratings: Iterable[Rating], today: date) -> list[Rating]:
    """The ratings whose period has ended: a year's "共获得N次消费评级" counts only these
    (a month in progress is not yet a rating the platform has obtained)."""
    return [r for r in ratings if r.complete(today)]


def grade_counts(ratings: Iterable[Rating]) -> dict[str, int]:
    """How many platforms sit in each grade (all four grades present, zero or not)."""
    out = dict.fromkeys(GRADES, 0)
    for rating in ratings:
        out[rating.grade] += 1
    return out
