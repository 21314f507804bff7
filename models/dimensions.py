"""The dimensions complaints are counted by (问题类型, 投诉地区, 性别 …) and their labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import case, func

from models.errors import TousuError
from models.labels import UNKNOWN
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
#: Dimensions that are columns (or a banding) of the complaint itself; the others come
#: from the month and the platform.
VALUE_DIMENSIONS = ("problem_type", "province", "gender", "amount_bracket", "age_group")
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


def check(by: str) -> None:
    if by not in DIMENSIONS:
        raise TousuError(f"unknown dimension {by!r}; choose one of: {', '.join(DIMENSIONS)}")


AGE_BOUNDS = (18, 25, 35, 45, 55)  # each group ends below its bound


def _age_group():
    age = Complaint.age
    return case(
        (age.is_(None), UNKNOWN),
        *((age < bound, group) for bound, group in zip(AGE_BOUNDS, AGE_GROUPS, strict=False)),
        else_=AGE_GROUPS[-1],
    )


def age_group_labels(ages: pd.Series) -> pd.Series:
    """The same banding as the SQL expression, for ages already in memory."""
    numbers = pd.to_numeric(ages)
    conditions = [numbers.isna(), *(numbers < bound for bound in AGE_BOUNDS)]
    labels = np.select(conditions, [UNKNOWN, *AGE_GROUPS[:-1]], default=AGE_GROUPS[-1])
    return pd.Series(labels, index=ages.index, dtype=object)


def text_labels(values: pd.Series) -> pd.Series:
    """:func:`label` of a text dimension, for values already in memory."""
    text = values.astype(object)
    return text.where(text.notna() & (text != ""), UNKNOWN)


def complaint_column(by: str):
    """(expression on the complaint table, needs a join with platform) for ``by``."""
    check(by)
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


def labelled_value(by: str):
    """The label of a value dimension as SQL: what :func:`label` makes of the raw value."""
    column, _join = complaint_column(by)
    return column if by == "age_group" else func.coalesce(func.nullif(column, ""), UNKNOWN)


def month_label(yyyymm: int) -> str:
    """2024-07; the year always has four digits, so labels sort and split alike."""
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def label(by: str, value) -> str:
    """How a value of ``by`` is printed; empty values are 未知, never dropped."""
    if by == "month":
        return month_label(value)
    return value if value not in (None, "") else UNKNOWN
