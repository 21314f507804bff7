"""What a selection says about itself, and which periods the sidebar offers a viewer."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.sidebar import periods_offered
from models.rules.filters import Filters
from models.rules.labels import PROVINCES
from models.rules.periods import Period

SECTORS = ("社交电商", "金融科技", "跨境电商", "在线票务", "物流科技")
PLATFORMS = ("云集", "分期乐", "小红书", "1688", "拼多多")
KINDS = ("year", "half", "quarter", "month")


def names(pool):
    return st.none() | st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True).map(
        tuple
    )


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
periods = st.builds(
    lambda year, kind, n: Period(
        year, kind, 1 + n % {"year": 1, "half": 1, "quarter": 4, "month": 12}[kind]
    ),
    st.integers(2019, 2027),
    st.sampled_from(KINDS),
    st.integers(0, 11),
)


@settings(max_examples=300, deadline=None)
@given(
    names(SECTORS),
    names(PLATFORMS),
    names(tuple(PROVINCES)),
    days | st.none(),
    days | st.none(),
    periods,
    st.booleans(),
)
def test_the_line_says_every_active_filter(sectors, platforms, provinces, start, end, period, own):
    """Each sector, platform and province chosen is named (or, past three, the first and how
    many); the time is the period's name only when the dates are exactly its own."""
    if own:
        start, end = period.first_day, period.last_day
    f = Filters(
        sectors=sectors, platforms=platforms, provinces=provinces, date_from=start, date_to=end
    )
    line = f.describe(period)
    parts = f.parts(period)
    assert line == " · ".join(parts)
    if own:
        assert parts[0] == period.title
    else:
        assert parts[0] == (
            "全部时间" if start is None and end is None else f"{start or '最早'} 至 {end or '最新'}"
        )
    for kind, chosen in (("赛道", sectors), ("平台", platforms), ("地区", provinces)):
        if chosen is None:
            assert f"个{kind}" not in line
        elif len(chosen) <= 3:
            assert "、".join(chosen) in parts
        else:
            assert f"{chosen[0]}等{len(chosen)}个{kind}" in parts
    assert len(parts) == 1 + sum(x is not None for x in (sectors, platforms, provinces))


def _every_period(kind: str) -> list[Period]:
    count = {"year": 1, "half": 1, "quarter": 4, "month": 12}[kind]
    return [Period(y, kind, n) for y in range(2019, 2028) for n in range(1, count + 1)]


@settings(max_examples=300, deadline=None)
@given(days, st.integers(0, 1500), days | st.none(), days | st.none(), st.sampled_from(KINDS))
def test_a_viewer_is_offered_exactly_the_periods_inside_its_dates(first, length, lo, hi, kind):
    """Offered: the periods with data that lie wholly inside the viewer's dates — found by
    looking at every period there is, newest first."""
    last = min(first + timedelta(days=length), date(2027, 12, 31))
    span = (first.year * 100 + first.month, last.year * 100 + last.month)
    scope = Filters(date_from=lo, date_to=hi)
    expected = [
        p
        for p in _every_period(kind)
        if p.yyyymm[0] <= span[1]
        and p.yyyymm[-1] >= span[0]
        and (lo is None or p.first_day >= lo)
        and (hi is None or p.last_day <= hi)
    ]
    offered = periods_offered(span, kind, scope)
    assert sorted(offered, key=lambda p: p.first_day) == expected
    assert [p.first_day for p in offered] == sorted((p.first_day for p in offered), reverse=True)
    assert periods_offered(None, kind, scope) == []
