"""总览's monthly chart: whatever the selection, no line mixes the selection's months with
the same days a year before, nor holds a calendar month twice, and a month counted only in
part says which days — in the chart's frame and its download."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.views.overview import _volume_export, period_lines, volume_frame
from models.rules.months import month_end, month_of
from models.rules.periods import IN_PROGRESS, year_on_year


def _months_of(first: date, last: date) -> list[int]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(month_of(day))
        day = month_end(day) + timedelta(days=1)
    return out


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(date(2021, 1, 1), date(2027, 12, 31)),
    length=st.integers(0, 500),
    today=st.dates(date(2022, 1, 1), date(2028, 12, 31)),
)
def test_no_line_mixes_the_selection_with_the_year_before(first, length, today):
    last = first + timedelta(days=length)
    same = year_on_year(first, last, today)
    current = _months_of(same.current.first, same.current.last)
    previous = _months_of(same.previous.first, same.previous.last)
    counts = {f"{m // 100}-{m % 100:02d}": m % 7 + 1 for m in {*previous, *current}}
    partial = frozenset({month_of(same.current.last)} if same.in_progress else ())
    lines = period_lines(same.current, same.previous)
    frame = volume_frame(counts, partial, lines, same.current.last)
    ym = frame["year"].astype(int) * 100 + frame["month"]
    for _line, rows in frame.groupby("line"):
        assert rows["month"].is_unique or not lines  # calendar-year lines: a year's months
        months = set(ym[rows.index])
        # A period line holds only one side; a year line may hold both only where the
        # two spans overlap (a selection longer than a year).
        if lines:
            assert months <= set(current) or months <= set(previous)
    if len(current) <= 12:  # the two sides on distinct lines
        assert set(frame.loc[ym.isin(current), "line"]).isdisjoint(
            frame.loc[ym.isin(set(previous) - set(current)), "line"]
        )
    exported = _volume_export(frame)
    if partial:
        note = exported.loc[ym == month_of(same.current.last), "状态"].item()
        assert note.startswith(IN_PROGRESS) and f"{same.current.last.day}日" in note
