"""平台评级: a platform's rating timeline and report table; the 消费评级榜 of a period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models.rules.filters import Filters
from models.rules.labels import GRADE_NOT_RATED
from models.rules.months import year_of
from models.rules.rating import REPORT_COLUMNS, Rating
from web import charts, data, widgets
from web.markup import literal


def summary_sentence(platform: str, year: int, ratings: list[Rating]) -> str:
    """The reports' sentence: 2023年“云集”共获得6次消费评级，均为“建议下单”。"""
    if not ratings:
        return f"{year}年“{platform}”没有计入评级的投诉。"
    grades = [r.grade for r in ratings]
    head = f"{year}年“{platform}”共获得{len(grades)}次消费评级，"
    if len(set(grades)) == 1:
        return head + f"均为“{grades[0]}”。"
    parts = "，".join(f"{grades.count(g)}次获“{g}”" for g in dict.fromkeys(grades))
    return head + f"其中{parts}，{year}年整体消费评级为“{ratings[0].grade}”。"


def _timeline_frame(ratings: list[Rating]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "period": r.period.code if r.period else "",
                "composite": float(r.composite),
                "grade": r.grade,
                "平台反馈率": float(r.reply_rate) / 100,
                "回复时效性": float(r.timeliness),
                "用户满意度": float(r.satisfaction),
                "综合指数": float(r.composite),
            }
            for r in ratings
        ],
        columns=[
            "period",
            "composite",
            "grade",
            "平台反馈率",
            "回复时效性",
            "用户满意度",
            "综合指数",
        ],
    )


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("平台评级")
    platforms = sorted({r.platform for r in data.range_ratings(filters.with_dates(None, None))})
    if not platforms:
        widgets.empty()
        return
    tab_one, tab_board, tab_compare = st.tabs(["单个平台", "消费评级榜", "平台对比"])
    with tab_one:
        _platform(filters, selection, platforms)
    with tab_board:
        _board(filters, selection)
    with tab_compare:
        _compare(filters, platforms)


def _platform_charts(platform: str, year: int, ratings: list, unscoped: Filters) -> None:
    """The platform's monthly index, the year's quarters and the index's components."""
    months = data.monthly_timeline(Filters(platforms=(platform,)).intersect(unscoped)).get(
        platform, []
    )
    monthly = _timeline_frame(months)
    widgets.figure(
        f"{platform} 月度综合指数",
        charts.rating_timeline(monthly, "月份"),
        monthly[["period", "综合指数", "grade"]],
        "rp_timeline",
        caption="背景色为评级区间：不建议下单 [0, 0.4)，谨慎下单 [0.4, 0.75)，建议下单 [0.75, 1]。",
    )
    quarters = _timeline_frame(
        [r for r in ratings if r.period and r.period.kind == "quarter"][::-1]
    )
    if not quarters.empty:
        quarters["period"] = [f"{year}Q{p[-1]}" for p in quarters["period"]]
        widgets.figure(
            f"{platform} {year}年季度综合指数",
            charts.rating_timeline(quarters, "季度"),
            quarters[["period", "综合指数", "grade"]],
            "rp_quarters",
        )
    long = monthly.melt(
        id_vars=["period"],
        value_vars=["平台反馈率", "回复时效性", "用户满意度", "综合指数"],
        var_name="component",
        value_name="value",
    )
    widgets.figure(
        f"{platform} 各项指标",
        charts.components_lines(long),
        long,
        "rp_components",
        caption="平台反馈率以比例显示（1 = 100%）；用户满意度为 0–10 分。",
    )


def _platform(filters: Filters, selection: sidebar.Selection, platforms: list[str]) -> None:
    platform = st.selectbox("平台", platforms, key="rp", bind="query-params")
    unscoped = filters.with_dates(None, None)
    span = data.data_span(Filters(platforms=(platform,)).intersect(unscoped))
    if span is None:
        widgets.empty()
        return
    years = list(range(year_of(span[1]), year_of(span[0]) - 1, -1))
    default_year = (
        selection.period.year if selection.period and selection.period.year in years else years[0]
    )
    year = st.selectbox("年份", years, index=years.index(default_year), key=f"rp_year_{platform}")

    ratings = data.year_ratings(unscoped, platform, year)
    st.markdown(f"**{literal(summary_sentence(platform, year, ratings))}**")
    if ratings:
        whole_year = ratings[0].report_row()  # 全年 comes first in the reports' order
        cols = st.columns(5)
        for col, name in zip(
            cols, ("平台反馈率", "回复时效性", "用户满意度", "综合指数", "评级"), strict=True
        ):
            col.metric(f"{year}年{name}", whole_year[name], border=True)
    if ratings and ratings[0].grade == GRADE_NOT_RATED:
        st.caption("该平台未入驻或未取得售后联系方式，按规则“不予评级”。")

    _platform_charts(platform, year, ratings, unscoped)
    table = pd.DataFrame([r.report_row() for r in ratings], columns=list(REPORT_COLUMNS))
    widgets.table(f"{platform}电商消费{year}年评级数据", table, "rp_table")


def _board(filters: Filters, selection: sidebar.Selection) -> None:
    if selection.period is None:
        ratings = data.range_ratings(filters)
        title = f"消费评级榜 · {selection.title}"
    else:
        ratings = data.period_ratings(filters, selection.period)
        title = f"{selection.period.title}消费评级榜"
    frame = pd.DataFrame(
        [
            {
                "平台": r.platform,
                "赛道": r.sector,
                "投诉量": r.inputs.complaints,
                "平台反馈率": f"{r.reply_rate}%",
                "回复时效性": str(r.timeliness),
                "用户满意度": str(r.satisfaction),
                "综合指数": str(r.composite),
                "评级": r.grade,
            }
            for r in ratings
        ],
        columns=[
            "平台",
            "赛道",
            "投诉量",
            "平台反馈率",
            "回复时效性",
            "用户满意度",
            "综合指数",
            "评级",
        ],
    )
    widgets.table(title, frame, "rp_board")
    st.caption("综合指数 = 平台反馈率×0.5 + 回复时效性×0.3 + 用户满意度/10×0.2；投诉量不计入评级。")


def _compare(filters: Filters, platforms: list[str]) -> None:
    chosen = st.multiselect(
        "选择要对比的平台（最多 6 个）",
        platforms,
        default=platforms[:3],
        key="cmp",
        max_selections=6,
        bind="query-params",
    )
    if not chosen:
        widgets.empty("请选择至少一个平台。")
        return
    timeline = data.monthly_timeline(Filters(platforms=tuple(chosen)).intersect(filters))
    frame = pd.DataFrame(
        [
            {
                "period": r.period.code,
                "platform": name,
                "composite": float(r.composite),
                "评级": r.grade,
            }
            for name, ratings in timeline.items()
            for r in ratings
            if r.period
        ],
        columns=["period", "platform", "composite", "评级"],
    )
    widgets.figure(
        "平台综合指数对比",
        charts.comparison_lines(frame.sort_values("period")),
        frame,
        "rp_compare_chart",
    )


if __name__ == "__main__":
    widgets.live(render)
