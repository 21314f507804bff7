"""The rule for periods in progress: what a period counts as of a day, and the days it is
compared with — generated periods and days, every day of three years swept."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.rules.periods import (
    Period,
    Span,
    compare_period,
    compare_range,
    report_order,
    shift_months,
    year_on_year,
)

DAY = timedelta(days=1)


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _same_days_before(period: Period, today: date) -> date:
    """Independently: the day as many whole months into the previous period as ``today`` is
    into ``period``, its day clamped to that month's length."""
    before = period.previous()
    offset = (today.year - period.year) * 12 + today.month - period.first_day.month
    year, month0 = divmod(before.year * 12 + before.first_day.month - 1 + offset, 12)
    return date(year, month0 + 1, min(today.day, _month_length(year, month0 + 1)))


def check(period: Period, today: date) -> None:
    c = compare_period(period, today)
    before = period.previous()
    assert c.previous.first <= c.previous.last < c.current.first <= c.current.last
    assert before.first_day <= c.previous.first and c.previous.last <= before.last_day
    assert c.previous.first == before.first_day and c.current.first == period.first_day
    if period.first_day <= today <= period.last_day:
        assert c.in_progress and not period.complete(today)
        assert c.current == Span(period.first_day, today)
        assert c.previous.last == _same_days_before(period, today)
        clamped = c.previous.last.day < today.day
        if period.kind == "month":  # the same count of days, or the whole (shorter) month
            assert c.previous.days == c.current.days or (
                clamped and c.previous.last == before.last_day
            )
        assert "同期" in c.sentence and c.note == f"统计中（截至{today.month}月{today.day}日）"
    else:
        assert not c.in_progress and c.note == ""
        assert c.current == Span(period.first_day, period.last_day)
        assert c.previous == Span(before.first_day, before.last_day)
        assert c.sentence == f"与上一期（{before.title}）相比"
        assert period.complete(today) == (today > period.last_day)


periods = st.builds(
    lambda year, kind, n: Period(
        year, kind, {"year": 1, "half": 1, "quarter": n % 4 + 1}.get(kind, n % 12 + 1)
    ),
    st.integers(1991, 2100),
    st.sampled_from(["year", "half", "quarter", "month"]),
    st.integers(0, 11),
)


@settings(max_examples=400, deadline=None)
@given(periods, st.integers(-40, 400))
@example(Period(2026, "year", 1), 339)  # 6 December
@example(Period(2024, "month", 3), 30)  # 31 March of a leap year → the whole of February
@example(Period(2025, "month", 3), 30)  # 31 March → 1–28 February
@example(Period(2024, "year", 1), 59)  # 29 February → 28 February a year before
@example(Period(2025, "quarter", 1), 0)  # 1 January: the quarter before is last year's
@example(Period(2025, "year", 1), 364)  # 31 December, the year's last day
def test_a_period_is_compared_with_the_same_days_of_the_one_before(period, offset):
    check(period, period.first_day + timedelta(days=offset))


def test_every_day_of_three_years_against_every_period_around_it():
    """A sweep: each day of 2023–2025 (a leap year among them) with each period of those
    years and the years around them, in progress, ended or not begun."""
    all_periods = [p for year in range(2022, 2027) for p in report_order(year)]
    day = date(2023, 1, 1)
    while day <= date(2025, 12, 31):
        for period in all_periods:
            if abs(period.year - day.year) <= 1:
                check(period, day)
        day += DAY


def test_the_sentences_say_which_days_are_compared():
    assert compare_period(Period(2026, "year", 1), date(2026, 12, 6)).sentence == (
        "与去年同期（1月1日–12月6日）相比"
    )
    month = compare_period(Period(2026, "month", 12), date(2026, 12, 6))
    assert month.sentence == "与上月同期（11月1日–6日）相比"
    assert month.previous == Span(date(2026, 11, 1), date(2026, 11, 6))
    march = compare_period(Period(2025, "month", 3), date(2025, 3, 31))
    assert march.sentence == "与上月同期（2月1日–28日）相比"
    january = compare_period(Period(2026, "month", 1), date(2026, 1, 1))
    assert january.sentence == "与上月同期（2025年12月1日）相比"
    quarter = compare_period(Period(2026, "quarter", 4), date(2026, 12, 6))
    assert quarter.previous == Span(date(2026, 7, 1), date(2026, 9, 6))
    assert compare_period(Period(2025, "year", 1), date(2026, 1, 1)).sentence == (
        "与上一期（2024年）相比"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.integers(0, 800),
    st.integers(-50, 900),
)
def test_a_custom_range_is_compared_with_as_many_days_just_before(first, length, offset):
    last, today = first + timedelta(days=length), first + timedelta(days=offset)
    c = compare_range(first, last, today)
    assert c is not None
    assert c.previous.days == c.current.days
    assert c.previous.last == c.current.first - timedelta(days=length + 1) + (
        c.current.last - c.current.first
    )
    assert c.previous.last < c.current.first
    assert c.in_progress == (first <= today <= last)
    assert c.current.last == (today if c.in_progress else last)
    # the comparison starts one whole range length before
    assert c.previous.first == first - timedelta(days=length + 1)


def test_ranges_reaching_back_to_year_one_or_empty_have_nothing_before_them():
    assert compare_range(date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 1)) is None
    assert year_on_year(date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 1)) is None
    assert compare_range(date(1, 1, 1), date(1, 12, 31), date(2026, 1, 1)) is None
    assert year_on_year(date(1, 3, 1), date(1, 3, 31), date(2026, 1, 1)) is None
    assert shift_months(date(1, 1, 31), -1) is None
    assert shift_months(date(9999, 12, 31), 1) is None


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1901, 1, 1), date(2100, 12, 31)), st.integers(-30, 30))
def test_shifting_by_months_keeps_the_day_or_clamps_it_to_the_month_end(day, months):
    shifted = shift_months(day, months)
    assert shifted is not None
    assert (shifted.year * 12 + shifted.month) - (day.year * 12 + day.month) == months
    assert shifted.day == min(day.day, _month_length(shifted.year, shifted.month))


@settings(max_examples=300, deadline=None)
@given(periods, st.integers(-40, 400))
def test_year_on_year_compares_the_same_calendar_days_a_year_earlier(period, offset):
    today = period.first_day + timedelta(days=offset)
    c = year_on_year(period.first_day, period.last_day, today)
    assert c is not None
    assert c.current == compare_period(period, today).current
    assert c.previous.first == date(period.year - 1, period.first_day.month, 1)
    if c.in_progress:
        assert c.previous.last == shift_months(today, -12)
    else:  # ended (or not begun): the whole period a year earlier, 29 February or not
        previous_year = Period(period.year - 1, period.kind, period.index)
        assert c.previous == Span(previous_year.first_day, previous_year.last_day)
