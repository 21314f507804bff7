"""Rating periods: 全年, 上半年, 第一季度…第四季度, 1月…12月 — each a set of months of a year."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

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
        last = self.months[-1]
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

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

    def complete(self, today: date) -> bool:
        """Whether the period has ended: its last day is before ``today`` (on the last day
        itself the day's complaints are still coming in)."""
        return self.last_day < today

    def in_progress(self, today: date) -> bool:
        """Whether ``today`` falls within the period (it has begun and not ended)."""
        return self.first_day <= today <= self.last_day

    @property
    def step(self) -> int:
        """Months from the previous period's start to this one's (12 for a year or a half)."""
        return 12 if self.kind in ("year", "half") else len(self.months)

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
    return shift_months(day, -12) or date.min


def shift_months(day: date, months: int) -> date | None:
    """The same day ``months`` months away, its day clamped to that month's end (31 March
    − 1 → 28 or 29 February; 29 February − 12 → 28 February); None before year 1."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- periods in progress and what they are compared with -----------------------------------
#
# One rule for every comparison the pages and reports make. A period that has ended is
# compared with the whole period before it. A period in progress (today falls within it)
# counts from its first day to today, and is compared with the same calendar days of the
# period before: 1 January–6 December with 1 January–6 December of last year, 1–6 December
# with 1–6 November, 1 October–6 December with 1 July–6 September. A day the earlier month
# lacks is clamped to that month's end (31 March → 1–28 February, the whole of February;
# 29 February → 28 February a year before), so the earlier span never spills into the
# period after it. A custom date range is compared with the equally long range just before
# it; while it is in progress, with that range's first as many days as have elapsed.

IN_PROGRESS = "统计中"


@dataclass(frozen=True)
class Span:
    """Whole days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Comparison:
    """The days a selection counts, and the days it is compared with."""

    current: Span  # the selection, cut at today while it is in progress
    previous: Span  # the same days of the period before
    in_progress: bool
    sentence: str  # 与去年同期（1月1日–12月6日）相比

    @property
    def note(self) -> str:
        """统计中（截至12月6日） while in progress, else empty."""
        return progress_note(self.current.last) if self.in_progress else ""


def progress_note(day: date) -> str:
    """How a period in progress says so: 统计中（截至12月6日）."""
    return f"{IN_PROGRESS}（截至{day.month}月{day.day}日）"


def day_text(day: date, year: bool = False) -> str:
    """12月6日, or 2025年12月6日."""
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def span_text(span: Span, year: bool = False) -> str:
    """1月1日–12月6日, 11月1日–6日 (the month once when both days share it), 12月1日; with
    the year on the first day when asked, and on both whenever they are in different years
    (2023年11月1日–2024年2月29日: "11月1日–2月29日" would not say which February)."""
    if span.first == span.last:
        return day_text(span.first, year)
    if span.first.year != span.last.year:
        return f"{day_text(span.first, True)}–{day_text(span.last, True)}"
    end = (
        f"{span.last.day}日"
        if (span.first.year, span.first.month) == (span.last.year, span.last.month)
        else day_text(span.last)
    )
    return f"{day_text(span.first, year)}–{end}"


_SAME_TIME = {"year": "去年同期", "half": "去年同期", "quarter": "上季度同期", "month": "上月同期"}


def compare_period(period: Period, today: date) -> Comparison:
    """A named period against the one before it, as of ``today`` (see the rule above)."""
    before = period.previous()
    if not period.in_progress(today):  # ended, or not begun (nothing elapsed to match)
        whole = Span(before.first_day, before.last_day)
        return Comparison(
            Span(period.first_day, period.last_day), whole, False, f"与上一期（{before.title}）相比"
        )
    last = shift_months(today, -period.step)
    assert last is not None  # periods lie within 1990–2100
    previous = Span(before.first_day, min(last, before.last_day))
    years_apart = period.kind in ("quarter", "month") and before.year != period.year
    return Comparison(
        Span(period.first_day, today),
        previous,
        True,
        f"与{_SAME_TIME[period.kind]}（{span_text(previous, years_apart)}）相比",
    )


def compare_range(first: date, last: date, today: date) -> Comparison | None:
    """A custom date range against the equally long range just before it, as of ``today``;
    None when that range would begin before year 1, or the range is empty."""
    if first > last:
        return None
    length = timedelta(days=(last - first).days + 1)
    in_progress = first <= today <= last
    end = today if in_progress else last
    try:
        previous = Span(first - length, end - length)
    except OverflowError:
        return None
    sentence = f"与上一期{'同期' if in_progress else ''}（{previous.first} 至 {previous.last}）相比"
    return Comparison(Span(first, end), previous, in_progress, sentence)


def year_on_year(first: date, last: date, today: date) -> Comparison | None:
    """The same calendar days a year earlier (the year-on-year chart), cut at ``today``
    while ``first``..``last`` is in progress; None before year 1. A span that has ended on
    a month's last day is compared up to that month's last day (February 2025 with the whole
    of February 2024). None for an empty range too."""
    if first > last:
        return None
    in_progress = first <= today <= last
    end = today if in_progress else last
    start, stop = shift_months(first, -12), shift_months(end, -12)
    if start is None or stop is None:
        return None
    if not in_progress and end == months.month_end(end):
        stop = months.month_end(stop)
    span = Span(start, stop)
    return Comparison(Span(first, end), span, in_progress, f"与去年同期（{span_text(span)}）相比")
