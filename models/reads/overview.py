"""Headline figures for the overview page, with the previous period for comparison."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlmodel import Session

from models.clock import local_now
from models.reads.ratings import platform_inputs, ratings_of
from models.rules.filters import Filters
from models.rules.numbers import percent, round_half_up
from models.rules.periods import supported_span
from models.rules.rating import RatingInputs, grade_counts
from models.store import scope, summary
from models.store.tables import Complaint


@dataclass(frozen=True)
class Headline:
    """What management reads first."""

    complaints: int
    platforms: int
    replied: int
    scored: int
    score_sum: int
    grades: dict[str, int]

    @property
    def reply_rate(self) -> Decimal | None:
        """Percent of complaints replied, two decimals; None without complaints."""
        if not self.complaints:
            return None
        return percent(self.replied, self.complaints)

    @property
    def satisfaction(self) -> Decimal | None:
        """Mean score over scored complaints, two decimals; None when nothing was scored."""
        if not self.scored:
            return None
        return round_half_up(Fraction(self.score_sum, self.scored), 2)


def headline(session: Session, filters: Filters) -> Headline:
    """Sums of the rating inputs per platform and month; grades from the rating model."""
    per_platform = platform_inputs(session, filters)
    everything = sum(per_platform.values(), RatingInputs())
    return Headline(
        everything.complaints,
        len(per_platform),
        everything.replied,
        everything.scored,
        everything.score_sum,
        grade_counts(ratings_of(session, per_platform)),
    )


def data_span(session: Session, filters: Filters = Filters()) -> tuple[int, int] | None:
    """First and last YYYYMM with complaints, or None for an empty selection.

    Only months periods can describe count (:func:`models.rules.periods.supported_span`): a
    stray 0001-01-01 from an old import must not make every page reckon back to year 1.
    """
    plan = summary.plan(session, filters)
    spans = [summary.month_span(session, filters, plan.months)] if plan.months else []
    stmt = select(func.min(Complaint.submitted_month), func.max(Complaint.submitted_month))
    for part in plan.direct:
        first, last = session.execute(stmt.where(*scope.where(session, part))).one()
        spans.append(None if first is None else (int(first), int(last)))
    found = [span for span in spans if span is not None]
    if not found:
        return None
    # Periods are offered only within the supported years (see models.rules.periods).
    return supported_span((min(s[0] for s in found), max(s[1] for s in found)), local_now().date())
