"""Rating periods: 全年, 上半年, 第一季度…第四季度, 1月…12月 — each a set of months of a year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models.rules import months

QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
#: The earliest day Tousu takes complaints from: imports refuse earlier dates, and the
#: dashboards offer no period before it. (A database filled before that check may hold
#: 0001-01-01; such rows still count under 全部时间, they just get no period of their own.)
EARLIEST_DAY = date(2000, 1, 1)
#: The last day a date filter may name (a period code's years end there too).
LATEST_DAY = date(2100, 12, 31)


@dataclass(frozen=True, order=True)
class Period:
    """A named span of whole months within one year."""

    year: int
    kind: str  # "year" | "half" | "quarter" | "month"
    index: int  # 1 for the year and the half, 1–4 for quarters, 1–12 for months

    @classmethod
    def for_month(cls, yyyymm: int) -> Period:
        """The month period of a YYYYMM value."""
        return cls(months.year_of(yyyymm), "month", months.month_number(yyyymm))

    @property
    def months(self) -> tuple[int, ...]:
        if self.kind == "year":
            return tuple(range(1, 13))
        if self.kind == "half":
            return tuple(range(1, 7))
        if self.kind == "quarter":
            return tuple(range(3 * self.index - 2, 3 * self.index + 1))
        return (self.index,)

    @property
    def label(self) -> str:
        """The reports' name: 全年, 上半年, 第三季度, 12月."""
        if self.kind == "year":
            return "全年"
        if self.kind == "half":
            return "上半年"
        if self.kind == "quarter":
            return QUARTER_NAMES[self.index - 1]
        return f"{self.index}月"

    @property
    def year_label(self) -> str:
        return f"{self.year}年"

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def end_day(self) -> date:
        """The day after the period (exclusive end)."""
        last = self.months[-1]
        return date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end_day.toordinal() - 1)

    @property
    def yyyymm(self) -> tuple[int, ...]:
        return tuple(self.year * 100 + m for m in self.months)

    @property
    def code(self) -> str:
        """Compact URL form: 2024, 2024H1, 2024Q3, 2024-07."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "half":
            return f"{self.year}H1"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def title(self) -> str:
        """Full name for headings: 2024年, 2024年上半年, 2024年第三季度, 2024年7月."""
        return self.year_label if self.kind == "year" else self.year_label + self.label

    def previous(self) -> Period:
        """The period of the same kind just before (上半年 → the previous year's 上半年)."""
        if self.kind in ("year", "half"):
            return Period(self.year - 1, self.kind, self.index)
        count = 4 if self.kind == "quarter" else 12
        if self.index == 1:
            return Period(self.year - 1, self.kind, count)
        return Period(self.year, self.kind, self.index - 1)


_CODE = re.compile(r"^(\d{4})(?:(H1)|Q([1-4])|-(\d{2}))?$")


def parse_code(code: str) -> Period | None:
    """The period for a URL code (see :attr:`Period.code`); None when malformed."""
    match = _CODE.match(code.strip())
    if not match:
        return None
    year = int(match.group(1))
    if not 1990 <= year <= 2100:
        return None
    if match.group(2):
        return Period(year, "half", 1)
    if match.group(3):
        return Period(year, "quarter", int(match.group(3)))
    if match.group(4):
        month = int(match.group(4))
        return Period(year, "month", month) if 1 <= month <= 12 else None
    return Period(year, "year", 1)


def report_order(year: int) -> list[Period]:
    """The 18 periods of a year in the order the reports' rating tables list them."""
    order: list[Period] = [Period(year, "year", 1)]
    for quarter in (4, 3):
        order.append(Period(year, "quarter", quarter))
        order += [Period(year, "month", m) for m in range(3 * quarter, 3 * quarter - 3, -1)]
    order.append(Period(year, "half", 1))
    for quarter in (2, 1):
        order.append(Period(year, "quarter", quarter))
        order += [Period(year, "month", m) for m in range(3 * quarter, 3 * quarter - 3, -1)]
    return order


def supported_span(span: tuple[int, int] | None, today: date) -> tuple[int, int] | None:
    """The part of a YYYYMM ``span`` that periods can describe: from :data:`EARLIEST_DAY`
    to the end of next year; None when nothing of it is left."""
    if span is None:
        return None
    first = max(span[0], months.month_of(EARLIEST_DAY))
    last = min(span[1], (today.year + 1) * 100 + 12)
    return (first, last) if first <= last else None


def year_before(day: date) -> date:
    """The same calendar day a year earlier (29 February → 28 February; year 1 stays)."""
    if day.year == 1:
        return date.min
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
