"""Headline figures for the overview page, with the previous period for comparison."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import distinct, func, select
from sqlmodel import Session

from models.filters import Filters
from models.rating import grade_counts, range_ratings, round_half_up
from models.tables import Complaint


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
        return round_half_up(Fraction(100 * self.replied, self.complaints), 2)

    @property
    def satisfaction(self) -> Decimal | None:
        """Mean score over scored complaints, two decimals; None when nothing was scored."""
        if not self.scored:
            return None
        return round_half_up(Fraction(self.score_sum, self.scored), 2)


def headline(session: Session, filters: Filters) -> Headline:
    """Counts in one aggregate query, grades from the rating model."""
    stmt = select(
        func.count(),
        func.count(distinct(Complaint.platform_id)),
        func.count(Complaint.replied_at),
        func.count(Complaint.score),
        func.coalesce(func.sum(Complaint.score), 0),
    ).where(*filters.conditions())
    n, platforms, replied, scored, score_sum = session.execute(stmt).one()
    grades = grade_counts(range_ratings(session, filters)) if n else grade_counts([])
    return Headline(int(n), int(platforms), int(replied), int(scored), int(score_sum), grades)


def data_span(session: Session, filters: Filters = Filters()) -> tuple[int, int] | None:
    """First and last YYYYMM with complaints, or None for an empty selection."""
    stmt = select(func.min(Complaint.submitted_month), func.max(Complaint.submitted_month))
    first, last = session.execute(stmt.where(*filters.conditions())).one()
    return None if first is None else (int(first), int(last))
