"""Months as the database stores them: YYYYMM integers (202412), and their arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, datetime


def month_of(moment: date | datetime) -> int:
    """YYYYMM of a day or a time."""
    return moment.year * 100 + moment.month


def year_of(yyyymm: int) -> int:
    return yyyymm // 100


def month_number(yyyymm: int) -> int:
    """1–12."""
    return yyyymm % 100


def first_day(yyyymm: int) -> date:
    return date(year_of(yyyymm), month_number(yyyymm), 1)


def last_day(yyyymm: int) -> date:
    year, month = year_of(yyyymm), month_number(yyyymm)
    return date(year, month, calendar.monthrange(year, month)[1])


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return last_day(month_of(day))


def next_month(yyyymm: int) -> int:
    return yyyymm + 89 if month_number(yyyymm) == 12 else yyyymm + 1


def previous_month(yyyymm: int) -> int:
    return yyyymm - 89 if month_number(yyyymm) == 1 else yyyymm - 1


def label(yyyymm: int) -> str:
    """2024-07; the year always has four digits, so labels sort and split alike."""
    return f"{year_of(yyyymm):04d}-{month_number(yyyymm):02d}"
