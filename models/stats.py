"""Distributions (占比) of complaints by one dimension, as the reports print them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlmodel import Session

from models.errors import TousuError
from models.filters import Filters
from models.labels import UNKNOWN
from models.rating import round_half_up
from models.tables import Complaint, Platform

DIMENSIONS = (
    "problem_type",
    "province",
    "gender",
    "amount_bracket",
    "platform",
    "month",
    "sector",
    "age_group",
)
AGE_GROUPS = ("18岁以下", "18-24岁", "25-34岁", "35-44岁", "45-54岁", "55岁及以上")
DIMENSION_LABELS = {
    "problem_type": "问题类型",
    "province": "投诉地区",
    "gender": "性别",
    "amount_bracket": "金额区间",
    "platform": "投诉平台",
    "month": "月份",
    "sector": "赛道",
    "age_group": "年龄段",
}


def _age_group():
    age = Complaint.age
    return case(
        (age.is_(None), UNKNOWN),
        (age < 18, AGE_GROUPS[0]),
        (age < 25, AGE_GROUPS[1]),
        (age < 35, AGE_GROUPS[2]),
        (age < 45, AGE_GROUPS[3]),
        (age < 55, AGE_GROUPS[4]),
        else_=AGE_GROUPS[5],
    )


def _column(by: str):
    """(expression, needs a join with platform) for a dimension."""
    if by not in DIMENSIONS:
        raise TousuError(f"unknown dimension {by!r}; choose one of: {', '.join(DIMENSIONS)}")
    return {
        "problem_type": (Complaint.problem_type, False),
        "province": (Complaint.province, False),
        "gender": (Complaint.gender, False),
        "amount_bracket": (Complaint.amount_bracket, False),
        "month": (Complaint.submitted_month, False),
        "platform": (Platform.name, True),
        "sector": (Platform.sector, True),
        "age_group": (_age_group(), False),
    }[by]


def _label(by: str, value) -> str:
    if by == "month":
        return month_label(value)
    return value if value not in (None, "") else UNKNOWN


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
    column, join = _column(by)
    stmt = select(column, func.count()).select_from(Complaint)
    if join:
        stmt = stmt.join(Platform, Platform.id == Complaint.platform_id)
    stmt = stmt.where(*filters.conditions()).group_by(column)
    out: dict[str, int] = {}
    for value, n in session.execute(stmt):
        label = _label(by, value)
        out[label] = out.get(label, 0) + int(n)
    return out


def crosstab(
    session: Session, by: str, split: str, filters: Filters = Filters()
) -> dict[str, dict[str, int]]:
    """Counts per ``split`` label (e.g. sector), then per ``by`` label: one GROUP BY."""
    column, join_a = _column(by)
    split_column, join_b = _column(split)
    stmt = select(split_column, column, func.count()).select_from(Complaint)
    if join_a or join_b:
        stmt = stmt.join(Platform, Platform.id == Complaint.platform_id)
    stmt = stmt.where(*filters.conditions()).group_by(split_column, column)
    out: dict[str, dict[str, int]] = {}
    for group, value, n in session.execute(stmt):
        inner = out.setdefault(_label(split, group), {})
        label = _label(by, value)
        inner[label] = inner.get(label, 0) + int(n)
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
    return int(session.scalar(stmt) or 0)
