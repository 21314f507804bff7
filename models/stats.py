"""Distributions (占比) of complaints by one dimension, as the reports print them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlmodel import Session

from models.errors import TousuError
from models.filters import Filters
from models.labels import UNKNOWN
from models.rating import round_half_up
from models.tables import Complaint, Platform

DIMENSIONS = ("problem_type", "province", "gender", "amount_bracket", "platform", "month")
DIMENSION_LABELS = {
    "problem_type": "问题类型",
    "province": "投诉地区",
    "gender": "性别",
    "amount_bracket": "金额区间",
    "platform": "投诉平台",
    "month": "月份",
}


@dataclass(frozen=True)
class Share:
    """One bar of a distribution: label, complaint count and percent of the total."""

    label: str
    count: int
    percent: Decimal  # two decimals, e.g. 38.89

    def row(self) -> dict[str, str | int]:
        return {"label": self.label, "count": self.count, "percent": f"{self.percent}%"}


def month_label(yyyymm: int) -> str:
    return f"{yyyymm // 100}-{yyyymm % 100:02d}"


def counts(session: Session, by: str, filters: Filters = Filters()) -> dict[str, int]:
    """Complaint counts per label of dimension ``by`` (GROUP BY in the database)."""
    if by not in DIMENSIONS:
        raise TousuError(f"unknown dimension {by!r}; choose one of: {', '.join(DIMENSIONS)}")
    where = filters.conditions()
    if by == "platform":
        stmt = (
            select(Platform.name, func.count())
            .select_from(Complaint)
            .join(Platform, Platform.id == Complaint.platform_id)
            .where(*where)
            .group_by(Platform.name)
        )
    else:
        column = {
            "problem_type": Complaint.problem_type,
            "province": Complaint.province,
            "gender": Complaint.gender,
            "amount_bracket": Complaint.amount_bracket,
            "month": Complaint.submitted_month,
        }[by]
        stmt = select(column, func.count()).where(*where).group_by(column)
    out: dict[str, int] = {}
    for value, n in session.exec(stmt):  # type: ignore[call-overload]
        if by == "month":
            label = month_label(value)
        else:
            label = value if value not in (None, "") else UNKNOWN
        out[label] = out.get(label, 0) + int(n)
    return out


def shares(label_counts: dict[str, int]) -> list[Share]:
    """Counts as shares of their total, largest first, then by label."""
    total = sum(label_counts.values())
    ordered = sorted(label_counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        Share(label, n, round_half_up(Fraction(100 * n, total), 2) if total else Decimal("0.00"))
        for label, n in ordered
    ]


def distribution(session: Session, by: str, filters: Filters = Filters()) -> list[Share]:
    """The distribution of complaints in ``filters`` by ``by``, as the reports list it."""
    return shares(counts(session, by, filters))


def total(session: Session, filters: Filters = Filters()) -> int:
    """How many complaints ``filters`` selects."""
    stmt = select(func.count()).select_from(Complaint).where(*filters.conditions())
    return int(session.exec(stmt).one())  # type: ignore[call-overload]
