"""总览: headline figures, monthly volume with the year before, problem types, latest complaints."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models import clock
from models.rules.filters import Filters
from models.rules.labels import GRADES
from models.rules.months import month_end, month_number, month_of, next_month
from models.rules.numbers import percent
from models.rules.periods import IN_PROGRESS, Span, progress_note, year_on_year
from models.rules.rating import NO_SCORE
from web import charts, data, frames, widgets
from web.chart_memo import memoized, memoized_frame


def _delta(now, before, suffix="") -> str | None:
    if before is None or now is None:
        return None
    diff = now - before
    return f"{diff:+,}{suffix}" if isinstance(diff, int) else f"{diff:+.2f}{suffix}"


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("总览")
    widgets.title_line("计入统计的投诉（已移交、已回复、已评价）")
    now = data.headline(filters)
    if now.complaints == 0:
        widgets.empty()
        return
    comparison = selection.comparison()
    previous_filters = selection.previous()
    before = data.headline(previous_filters) if previous_filters else None
    # The change is of the same days: a period in progress up to today against the same
    # days before it (the selection's own figures differ only by stray later dates).
    elapsed = selection.elapsed()
    counted = now if elapsed == filters else data.headline(elapsed)
    _cards(now, counted, before)
    if comparison is not None and before is not None:  # the title line says 统计中
        st.caption(f"变化{comparison.sentence}。")

    left, right = st.columns(2)
    with left:
        _volume(filters, selection)
    with right:
        shares = data.distribution(filters, "problem_type")
        frame = widgets.shares_frame(shares)
        widgets.figure(
            "投诉问题类型分布",
            charts.shares_bar_of(shares, "问题类型", TYPES_DRAWN),
            frame,
            "ov_types",
            caption=_rest_of(shares, TYPES_DRAWN),
            export=lambda: frames.shares(shares, "问题类型"),  # made when chosen
        )
    _latest(filters)
    _version, changed_at = data.data_version()
    st.caption(f"数据更新于 {changed_at:%Y-%m-%d %H:%M:%S}" if changed_at else "尚无数据更新记录")


#: Problem types the chart draws; the rest are said under it, and all are in the download.
TYPES_DRAWN = 15


def _rest_of(shares, drawn: int) -> str | None:
    """What a chart of the first ``drawn`` shares leaves out, so its bars are not read as
    the whole: 另有 6 类问题合计 4.76%."""
    rest = shares[drawn:]
    if not rest:
        return None
    total = sum(s.count for s in shares)
    left = sum(s.count for s in rest)
    return (
        f"图中为投诉量前 {drawn} 的问题类型；另有 {len(rest)} 类合计 {left:,} 件"
        f"（{percent(left, total)}%），见下载的表格。"
    )


def _cards(now, counted, before) -> None:
    """The headline figures and the platforms per grade, with the change of the days
    counted (``counted``) since the days compared with (``before``)."""

    def delta(field: str, suffix: str = "") -> str | None:
        if before is None:
            return None
        return _delta(getattr(counted, field), getattr(before, field), suffix)

    row = widgets.card_row()
    row.metric(
        "投诉量", f"{now.complaints:,}", delta("complaints"), delta_color="inverse", border=True
    )
    row.metric("涉及平台", now.platforms, delta("platforms"), delta_color="off", border=True)
    row.metric(
        "平台反馈率",
        f"{now.reply_rate}%" if now.reply_rate is not None else "—",
        delta("reply_rate", " 个百分点"),
        border=True,
    )
    row.metric(
        "用户满意度（0–10）",
        now.satisfaction if now.satisfaction is not None else NO_SCORE,
        delta("satisfaction"),
        border=True,
    )
    grades = widgets.card_row()
    for grade in GRADES:
        grades.metric(
            grade,
            f"{now.grades[grade]} 个平台",
            _delta(now.grades[grade], before.grades[grade]) if before else None,
            delta_color="off",
            border=True,
        )


def _volume(filters: Filters, selection: sidebar.Selection) -> None:
    """Monthly volume of the selected range, with the same days a year before; a month
    counted only in part (in progress, and the same days of it a year before) drawn so."""
    today = clock.today()
    first, last = filters.date_from, filters.date_to
    same = year_on_year(first, last, today) if first and last else None
    lines: Lines = ()
    cut = today
    if same is None:  # 全部时间 (or nothing before it): every month, this one still open
        months = data.counts(filters, "month")
        partial = {month_of(today)}
    else:
        months = data.counts(filters.with_dates(same.current.first, same.current.last), "month")
        earlier = data.comparable(filters.with_dates(same.previous.first, same.previous.last))
        if earlier is not None:
            months = {**data.counts(earlier, "month"), **months}
        lines = period_lines(same.current, same.previous)
        cut = same.current.last
        # Months counted only in part because the period is in progress: the current one,
        # and the same days of it a year before (unless those are the whole month).
        partial = set()
        if same.in_progress:
            partial.add(month_of(same.current.last))
            if same.previous.last != month_end(same.previous.last):
                partial.add(month_of(same.previous.last))
    partial = frozenset(partial)
    frame = volume_frame(months, partial, lines, cut)
    caption = "各年份按月对比" if not lines else "本期与去年同期按月对比"
    if same is not None:
        caption += f"；当前期间{same.sentence}"
    if frame["partial"].any():
        caption += (
            f"；虚线与空心点为只计到{cut.day}日的月份（{IN_PROGRESS}的当月，及去年同月的同期）"
        )
    widgets.figure(
        "月度投诉量（同比）",
        _volume_chart(months, partial, lines, cut),  # found by the read's counts, no frame hashed
        frame,
        "ov_volume",
        caption=caption + "。",
        export=lambda: _volume_export(frame),  # made when a file is chosen
    )


#: A line of the volume chart per period when the selection crosses a new year: (its
#: label, first YYYYMM, last YYYYMM). Empty: a line per calendar year.
Lines = tuple[tuple[str, int, int], ...]


def period_lines(current: Span, previous: Span) -> Lines:
    """One line for the selection and one for the same days a year before, when the
    selection crosses a new year within twelve months (November–February: lines per
    calendar year would join the selection's November to the year before's February);
    none otherwise — a line per calendar year says the same then."""
    first, last = current.first, current.last
    length = (last.year - first.year) * 12 + last.month - first.month + 1  # in months
    if first.year == last.year or length > 12:
        return ()
    return tuple(
        (f"{span.first.year}–{span.last.year}", month_of(span.first), month_of(span.last))
        for span in (previous, current)
    )


@memoized
def _volume_chart(months: dict[str, int], partial: frozenset[int], lines: Lines, cut):
    frame = volume_frame(months, partial, lines, cut)
    order = [m for _label, first, last in lines[-1:] for m in _month_order(first, last)]
    return charts.monthly_volume(frame, order or None)


def _month_order(first: int, last: int) -> list[int]:
    """The calendar months from YYYYMM ``first`` to ``last``, in that order (11, 12, 1, 2)."""
    out, month = [], first
    while month <= last:
        out.append(month_number(month))
        month = next_month(month)
    return out


@memoized_frame
def volume_frame(
    months: dict[str, int], partial: frozenset[int], lines: Lines = (), cut=None
) -> pd.DataFrame:
    """Monthly counts (``YYYY-MM``: n) by year and month, each on its ``line`` (a period of
    ``lines``, else its year); ``partial``: YYYYMM counted only up to ``cut``'s day, with
    a ``note`` saying which days (统计中 for ``cut``'s own month, 同期 for a year before)."""
    rows = []
    for label, n in months.items():
        year, month = int(label[:4]), int(label[5:])
        ym = year * 100 + month
        line = next((name for name, a, b in lines if a <= ym <= b), str(year))
        note = ""
        if ym in partial and cut is not None:
            note = (
                progress_note(cut) if ym == month_of(cut) else f"同期（{month}月1日–{cut.day}日）"
            )
        rows.append(
            {
                "year": str(year),
                "month": month,
                "count": n,
                "partial": ym in partial,
                "line": line,
                "note": note,
            }
        )
    columns = ["year", "month", "count", "partial", "line", "note"]
    return pd.DataFrame(rows, columns=columns).sort_values(["year", "month"])


@memoized_frame
def _volume_export(frame: pd.DataFrame) -> pd.DataFrame:
    """年份, 月份, 投诉量 and, when a month is counted in part, a 状态 saying which days."""
    out = frame[["year", "month", "count"]].astype({"year": "int64"})
    if frame["partial"].any():
        out["状态"] = frame["note"]
    return out.rename(columns={"year": "年份", "month": "月份", "count": "投诉量"})


def _latest(filters: Filters) -> None:
    rows, _total = data.search_cases(filters, limit=10)
    st.subheader("最新投诉")
    if not rows:
        widgets.empty()
        return
    st.dataframe(frames.cases_table(rows), hide_index=True, width="stretch", key="ov_latest")


if __name__ == "__main__":
    widgets.live(render)
