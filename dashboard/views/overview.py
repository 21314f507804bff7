"""总览: headline figures, monthly volume with the year before, problem types, latest complaints."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models.rules.filters import Filters
from models.rules.labels import GRADES
from models.rules.periods import year_before
from web import charts, data, frames, widgets


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
    previous_filters = selection.previous()
    before = data.headline(previous_filters) if previous_filters else None
    if now.complaints == 0:
        widgets.empty()
        return

    _cards(now, before)
    if before is not None:
        st.caption(f"变化与上一期（{_previous_title(selection)}）相比。")

    left, right = st.columns(2)
    with left:
        _volume(filters, selection)
    with right:
        shares = data.distribution(filters, "problem_type")
        frame = widgets.shares_frame(shares)
        widgets.figure(
            "投诉问题类型分布",
            charts.shares_bar(frame.head(15), "问题类型"),
            frame,
            "ov_types",
            export=frames.shares(shares, "问题类型"),
        )
    _latest(filters)
    _version, changed_at = data.data_version()
    st.caption(f"数据更新于 {changed_at:%Y-%m-%d %H:%M:%S}" if changed_at else "尚无数据更新记录")


def _cards(now, before) -> None:
    """The headline figures and the platforms per grade, with the change since before."""
    cols = st.columns(4)
    cols[0].metric(
        "投诉量",
        f"{now.complaints:,}",
        _delta(now.complaints, before.complaints if before else None),
        delta_color="inverse",
        border=True,
    )
    cols[1].metric(
        "涉及平台",
        now.platforms,
        _delta(now.platforms, before.platforms if before else None),
        delta_color="off",
        border=True,
    )
    cols[2].metric(
        "平台反馈率",
        f"{now.reply_rate}%" if now.reply_rate is not None else "—",
        _delta(now.reply_rate, before.reply_rate if before else None, " 个百分点"),
        border=True,
    )
    cols[3].metric(
        "用户满意度（0–10）",
        now.satisfaction if now.satisfaction is not None else "—",
        _delta(now.satisfaction, before.satisfaction if before else None),
        border=True,
    )
    grade_cols = st.columns(4)
    for col, grade in zip(grade_cols, GRADES, strict=True):
        col.metric(
            grade,
            f"{now.grades[grade]} 个平台",
            _delta(now.grades[grade], before.grades[grade] if before else None),
            delta_color="off",
            border=True,
        )


def _previous_title(selection: sidebar.Selection) -> str:
    if selection.period is not None:
        return selection.period.previous().title
    prev = selection.previous()
    return f"{prev.date_from} 至 {prev.date_to}" if prev else ""


def _volume(filters: Filters, selection: sidebar.Selection) -> None:
    """Monthly volume of the selected range, with the year before for comparison."""
    months = data.counts(filters, "month")
    if filters.date_from and filters.date_to:
        earlier = data.comparable(
            filters.with_dates(year_before(filters.date_from), year_before(filters.date_to))
        )
        if earlier is not None:
            months = {**data.counts(earlier, "month"), **months}
    rows = [{"year": label[:4], "month": int(label[5:]), "count": n} for label, n in months.items()]
    frame = pd.DataFrame(rows, columns=["year", "month", "count"]).sort_values(["year", "month"])
    widgets.figure(
        "月度投诉量（同比）",
        charts.monthly_volume(frame),
        frame,
        "ov_volume",
        caption="各年份按月对比；当前期间与上一年同期。",
        export=frame.astype({"year": "int64"}).rename(
            columns={"year": "年份", "month": "月份", "count": "投诉量"}
        ),
    )


def _latest(filters: Filters) -> None:
    rows, _total = data.search_cases(filters, limit=10)
    st.subheader("最新投诉")
    if not rows:
        widgets.empty()
        return
    st.dataframe(frames.cases(rows), hide_index=True, width="stretch", key="ov_latest")


if __name__ == "__main__":
    widgets.live(render)
