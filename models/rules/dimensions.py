"""The dimensions complaints are counted by (问题类型, 投诉地区, 性别 …), each declared once.

A :class:`Dimension` says all Tousu knows of one: its name and Chinese label, the column
it reads and how a raw value becomes a label (in SQL and in memory, the same way), the
order its labels are shown in, how an import file fills it, how it is drawn, whether the
sidebar filters by it and what the annual report says of it. The summary recount, the
importer, the demo data, the pages, the downloads, ``tousu stats --by`` and the report
iterate over :data:`REGISTRY`: a new dimension is an entry here, its column in
``models/store/tables.py`` and a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func

from models.errors import TousuError
from models.rules import months
from models.rules import report_text as text
from models.rules.labels import (
    AMOUNT_BRACKETS,
    GENDERS,
    UNKNOWN,
    bracket_for_amount,
    is_coarse_bracket,
    normalize_bracket,
    normalize_gender,
    normalize_province,
)
from models.store.tables import Complaint, Platform

if TYPE_CHECKING:
    from models.reads.stats import Share

#: How a distribution is drawn (pages and report alike).
BAR, DONUT = "bar", "donut"
PLATFORM_PREFIX = "platform."


@dataclass(frozen=True)
class Bands:
    """A number read in labelled bands: each group ends below its bound, the last has
    none; a missing number is 未知."""

    bounds: tuple[int, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Imported:
    """How a complaints file fills the dimension's column (its key: the column's name)."""

    header: str  # the file's Chinese column name
    #: A cell → its canonical value, None when not recognised; without one, taken as written
    #: (within the column's length).
    parse: Callable[[str], str | None] | None = None
    problem: str = ""  # the import report's reason for a cell ``parse`` does not recognise
    empty: str | None = None  # the value of an empty cell …
    #: … or, when given, derived from another column's value: (column, function of it).
    derive: tuple[str, Callable[[Any], str]] | None = None
    #: Cells that name no value of their own (a coarse 0-5万元 spanning several brackets):
    #: derived as an empty cell is.
    vague: Callable[[str], bool] | None = None
    required: bool = False


@dataclass(frozen=True)
class Reported:
    """The dimension's figure in the annual report (二、整体数据)."""

    heading: str  # 投诉问题类型分布
    chart_title: str  # 投诉问题占比图, printed after "2023年社交电商"
    #: The report's sentence: (org, year, sector, shares) → text; None: the sentence any
    #: distribution takes (:func:`models.rules.report_text.distribution_sentence`).
    sentence: Callable[[str, int, str, Sequence[Share]], str] | None = None


@dataclass(frozen=True)
class Dimension:
    """One dimension: what it reads, how it is labelled, imported, drawn and reported."""

    name: str  # ASCII: `tousu stats --by`, summary_count.dimension, the URL
    label: str  # as pages, downloads and the command line's help name it
    #: The complaint column it reads, or ``platform.<column>`` (read through a join).
    column: str
    #: Kept in summary_count per month, platform and status (a "value dimension"); month,
    #: platform and sector are the summaries' own keys.
    summarised: bool = True
    bands: Bands | None = None  # a number read in bands (age → 年龄段)
    show: Callable[[Any], str] | None = None  # how a raw value reads, when not as itself
    #: The labels in the order they are shown; empty: largest count first.
    order: tuple[str, ...] = ()
    chart: str = BAR
    profile: bool = False  # drawn on 用户画像, overall and per sector
    filtered: bool = False  # chosen in the sidebar (a URL parameter of its name)
    imported: Imported | None = None
    reported: Reported | None = None

    @property
    def on_platform(self) -> bool:
        """Read from the platform table (a join), not from the complaint."""
        return self.column.startswith(PLATFORM_PREFIX)

    def expression(self):
        """What SQL groups by: the column, or its bands."""
        if self.on_platform:
            return getattr(Platform, self.column.removeprefix(PLATFORM_PREFIX))
        column = getattr(Complaint, self.column)
        if self.bands is None:
            return column
        bands = zip(self.bands.bounds, self.bands.groups, strict=False)
        return case(
            (column.is_(None), UNKNOWN),
            *((column < bound, group) for bound, group in bands),
            else_=self.bands.groups[-1],
        )

    def labelled(self):
        """The label as SQL: what :meth:`label_of` makes of the value (value dimensions)."""
        expression = self.expression()
        if self.bands is not None:
            return expression
        return func.coalesce(func.nullif(expression, ""), UNKNOWN)

    def labels_of(self, values: pd.Series) -> pd.Series:
        """:meth:`labelled` for values already in memory (the summary recount)."""
        if self.bands is None:
            as_text = values.astype(object)
            return as_text.where(as_text.notna() & (as_text != ""), UNKNOWN)
        numbers = pd.to_numeric(values)
        bounds, groups = self.bands.bounds, self.bands.groups
        conditions = [numbers.isna(), *(numbers < bound for bound in bounds)]
        labels = np.select(conditions, [UNKNOWN, *groups[:-1]], default=groups[-1])
        return pd.Series(labels, index=values.index, dtype=object)

    def label_of(self, value: Any) -> str:
        """How a value is printed; empty values are 未知, never dropped."""
        if self.show is not None:
            return self.show(value)
        return value if value not in (None, "") else UNKNOWN

    def sentence(self, org: str, year: int, sector: str, shares: Sequence[Share]) -> str:
        """The report's sentence on ``shares`` (none when there are no shares)."""
        if not shares or self.reported is None:
            return ""
        if self.reported.sentence is None:
            return text.distribution_sentence(org, year, sector, self.label, shares)
        return self.reported.sentence(org, year, sector, shares)

    def ordered(self, labels: Iterable[str]) -> list[str] | None:
        """``labels`` in display order, or None when they are shown largest first."""
        if not self.order:
            return None
        present = set(labels)
        return [o for o in self.order if o in present]


AGE = Bands(
    (18, 25, 35, 45, 55), ("18岁以下", "18-24岁", "25-34岁", "35-44岁", "45-54岁", "55岁及以上")
)
AGE_GROUPS = AGE.groups


CONSUMER, MERCHANT = "消费者", "商家"  # 投诉人类型: who files the complaint


def one_of(spellings: dict[str, str]) -> Callable[[str], str | None]:
    """A parser of a closed vocabulary: each accepted spelling (any case) → its label."""
    folded = {key.lower(): label for key, label in spellings.items()}
    return lambda text: folded.get(text.strip().lower())


def _regions_sentence(org: str, _year: int, _sector: str, shares: Sequence[Share]) -> str:
    return text.regions_sentence(org, shares)


REGISTRY: tuple[Dimension, ...] = (
    Dimension(
        "problem_type",
        "问题类型",
        "problem_type",
        imported=Imported("问题类型", required=True),
        reported=Reported("投诉问题类型分布", "投诉问题占比图", text.problem_types_sentence),
    ),
    Dimension(
        "province",
        "投诉地区",
        "province",
        imported=Imported(
            "投诉地区", normalize_province, "无法识别的省级地区，应为如“广东省”或“广东”"
        ),
        reported=Reported("投诉地区分布", "投诉地区占比图", _regions_sentence),
    ),
    Dimension(
        "gender",
        "性别",
        "gender",
        order=GENDERS,
        chart=DONUT,
        profile=True,
        imported=Imported(
            "性别", normalize_gender, "应为 男/女/M/F/male/female 或留空", empty=UNKNOWN
        ),
        reported=Reported("投诉用户性别分布", "投诉性别占比图", text.gender_sentence),
    ),
    Dimension(
        "amount_bracket",
        "投诉金额区间",
        "amount_bracket",
        order=AMOUNT_BRACKETS,  # the reports' one ordered scheme, stored and shown
        profile=True,
        imported=Imported(
            "金额区间",
            normalize_bracket,
            "无法识别的金额区间，应为如“100-500元”或“未选择”",
            derive=("amount", bracket_for_amount),
            vague=is_coarse_bracket,
        ),
        reported=Reported("投诉金额区间分布", "投诉金额占比图", text.amounts_sentence),
    ),
    Dimension("platform", "被投诉平台", "platform.name", summarised=False),
    Dimension("month", "月份", "submitted_month", summarised=False, show=months.label),
    Dimension("sector", "赛道", "platform.sector", summarised=False),
    Dimension("age_group", "年龄段", "age", bands=AGE, order=(*AGE.groups, UNKNOWN), profile=True),
    Dimension(
        "complainant_type",
        "投诉人类型",
        "complainant_type",
        order=(CONSUMER, MERCHANT),
        chart=DONUT,
        profile=True,
        filtered=True,
        imported=Imported(
            "投诉人类型",
            one_of(
                {
                    **dict.fromkeys(("消费者", "个人", "用户", "买家", "consumer"), CONSUMER),
                    **dict.fromkeys(("商家", "商户", "卖家", "店铺", "merchant"), MERCHANT),
                }
            ),
            "应为 消费者 或 商家（留空为消费者）",
            empty=CONSUMER,
        ),
        reported=Reported("投诉人类型分布", "投诉人类型占比图"),
    ),
)
BY_NAME: dict[str, Dimension] = {d.name: d for d in REGISTRY}
DIMENSIONS = tuple(BY_NAME)
#: Dimensions counted in summary_count (the others are the summaries' keys).
VALUE_DIMENSIONS = tuple(d.name for d in REGISTRY if d.summarised)
#: Dimensions a complaints file fills, in registry order.
IMPORTED = tuple(d for d in REGISTRY if d.imported is not None)
#: Dimensions the sidebar filters by (Filters.choices).
FILTERED = tuple(d for d in REGISTRY if d.filtered)


def get(by: str) -> Dimension:
    """The dimension named ``by``; TousuError names the known ones."""
    try:
        return BY_NAME[by]
    except KeyError:
        raise TousuError(
            f"unknown dimension {by!r}; choose one of: {', '.join(DIMENSIONS)}"
        ) from None
