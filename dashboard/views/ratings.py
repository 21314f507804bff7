"""平台评级: a platform's rating timeline and report table; the 消费评级榜 of a period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import sidebar
from models import clock
from models.rules import report_text
from models.rules.filters import Filters
from models.rules.months import year_of
from models.rules.periods import IN_PROGRESS, progress_note
from models.rules.rating import NO_SCORE, Rating
from models.settings import get_settings
from web import charts, data, frames, rating_frames, widgets
from web.markup import literal


def summary_sentence(platform: str, year: int, ratings: list[Rating], today: date) -> str:
    """The report's sentence for the platform's year (共获得N次消费评级; periods in progress
    named, not counted)."""
    data_org = get_settings().report_data_org
    return report_text.year_ratings_sentence(data_org, year, platform, ratings, today) or (
        f"{year}年“{platform}”没有计入评级的投诉。"
    )


def _minimum() -> int:
    return get_settings().rating_min_complaints


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("平台评级")
    widgets.title_line("各平台的消费评级（平台在本页中选择）")
    everyone = data.range_ratings(filters.with_dates(None, None))
    if not everyone:
        widgets.empty()
        return
    ranked = rating_frames.default_platforms(everyone, filters.sectors)
    # Unrated platforms stay choosable (their components are facts), after the rated ones.
    platforms = ranked + sorted({r.platform for r in everyone} - set(ranked))
    with st.expander("评级说明：评级怎么算、怎么读"):
        st.markdown(rating_frames.note(_minimum()))
    tab_one, tab_board, tab_compare = st.tabs(
        ["单个平台", "消费评级榜", "平台对比"], key="rp_tab", bind="query-params"
    )
    if tab_one.open:
        with tab_one:
            _platform(filters, selection, platforms)
    if tab_board.open:
        with tab_board:
            _board(filters, selection)
    if tab_compare.open:
        with tab_compare:
            _compare(filters, platforms, ranked)


def _platform_charts(
    platform: str, year: int, ratings: list, unscoped: Filters, today: date
) -> None:
    """The platform's monthly index, the year's quarters and the index's components."""
    months = data.monthly_timeline(Filters(platforms=(platform,)).intersect(unscoped)).get(
        platform, []
    )
    made = rating_frames.platform_figures(months, ratings, year, _minimum(), today)
    caption = (
        "背景色为评级区间：不建议下单 [0, 0.4)，谨慎下单 [0.4, 0.75)，建议下单 [0.75, 1]；"
        f"空心点为样本较少（投诉少于 {_minimum()} 件）或{IN_PROGRESS}"
        f"（尚未结束的期间，以虚线相连，截至{today.month}月{today.day}日）。"
    )
    if ratings and not ratings[0].rated:
        st.info(f"“{literal(platform)}”不予评级：综合指数不在指数轴上绘制，下面只列各项指标。")
    else:
        widgets.figure(
            f"{platform} 月度综合指数",
            made.monthly,
            made.monthly_export.copy(),
            "rp_timeline",
            caption=caption,
        )
        if made.quarters is not None and made.quarters_export is not None:
            widgets.figure(
                f"{platform} {year}年季度综合指数",
                made.quarters,
                made.quarters_export.copy(),
                "rp_quarters",
            )
    widgets.small_multiples(
        f"{platform} 各项指标",
        made.components,
        made.components_export.copy(),
        "rp_components",
        caption=f"平台反馈率以比例显示（1 = 100%）；用户满意度为 0–10 分，{NO_SCORE}的月份不绘制。",
        picture=made.components_picture,
    )


def _headline(rating: Rating, today: date) -> None:
    """The period's grade in words, its sample, then the four numbers as cards."""
    row = rating.report_row()
    few = rating.small_sample(_minimum())
    mark = f" · :orange-badge[{rating_frames.SMALL_SAMPLE}]" if few else ""
    pending = f" · :gray-badge[{progress_note(today)}]" if not rating.complete(today) else ""
    assert rating.period is not None  # a year's ratings are of named periods
    st.markdown(f"#### {rating.period.title}评级：{literal(row['评级'])}{mark}{pending}")
    st.caption(rating_frames.sample_sentence(rating, _minimum()))
    shown = {
        **row,
        "用户满意度": row["用户满意度"] if rating.has_score else NO_SCORE,
        "综合指数": row["综合指数"] if rating.rated else "不予评级",
    }
    cards = widgets.card_row()
    for name in ("平台反馈率", "回复时效性", "用户满意度", "综合指数"):
        cards.metric(name, shown[name], border=True)
    if not rating.rated:
        st.caption("该平台未入驻或未取得售后联系方式，按规则“不予评级”。")


def _platform(filters: Filters, selection: sidebar.Selection, platforms: list[str]) -> None:
    # The page's one platform control (the sidebar leaves out its 投诉平台 here).
    # Opens on the platform the sidebar chose on another page (?platform=京东), if one.
    picked = [p for p in selection.other_pages_platforms if p in platforms]
    platform = st.selectbox(
        "平台",
        platforms,
        index=platforms.index(picked[0]) if picked else 0,
        key="rp",
        bind="query-params",
        placeholder="选择平台",
    )
    unscoped = filters.with_dates(None, None)
    span = data.data_span(Filters(platforms=(platform,)).intersect(unscoped))
    if span is None:
        widgets.empty()
        return
    years = list(range(year_of(span[1]), year_of(span[0]) - 1, -1))
    # The sidebar's year: its period's, or the year a date range ends in (the page rates
    # whole periods of a year, as the reports do).
    chosen = selection.period.year if selection.period else filters.date_to and filters.date_to.year
    default_year = chosen if chosen in years else years[0]
    year = st.selectbox(
        "年份",
        years,
        index=years.index(default_year),
        key=f"rp_year_{platform}",
        placeholder="选择年份",
    )

    today = clock.today()
    ratings = data.year_ratings(unscoped, platform, year)
    st.markdown(f"**{literal(summary_sentence(platform, year, ratings, today))}**")
    if ratings:
        # The sidebar's period when it is one of the year's rated periods (第三季度, 7月),
        # else 全年, which comes first in the reports' order.
        shown = next((r for r in ratings if r.period == selection.period), ratings[0])
        _headline(shown, today)
    _platform_charts(platform, year, ratings, unscoped, today)
    widgets.table(
        f"{platform}电商消费{year}年评级数据",
        rating_frames.report_table(ratings, _minimum(), today),
        "rp_table",
        missing=rating_frames.MISSING,
    )


def _board(filters: Filters, selection: sidebar.Selection) -> None:
    if selection.period is None:
        ratings = data.range_ratings(filters)
        title = f"消费评级榜 · {selection.title}"
    else:
        ratings = data.period_ratings(filters, selection.period)
        title = f"{selection.period.title}消费评级榜"
        today = clock.today()
        if not selection.period.complete(today):
            title += f"（{progress_note(today)}）"
    frame = rating_frames.board(ratings, _minimum())
    widgets.table(title, frame, "rp_board", missing=rating_frames.MISSING)
    st.caption(
        "综合指数 = 平台反馈率×0.5 + 回复时效性×0.3 + 用户满意度/10×0.2；投诉量不计入评级；"
        f"不予评级的平台没有综合指数排名；样本较少：投诉少于 {_minimum()} 件；"
        f"{NO_SCORE}：没有已评分的投诉（综合指数按 0 分计）。"
    )


def _compare(filters: Filters, platforms: list[str], ranked: list[str]) -> None:
    chosen = st.multiselect(
        "选择要对比的平台（最多 6 个）",
        platforms,
        default=ranked[:3],
        key="cmp",
        max_selections=6,
        bind="query-params",
        placeholder="选择平台",
    )
    if not chosen:
        widgets.empty("请选择至少一个平台。")
        return
    timeline = data.monthly_timeline(Filters(platforms=tuple(chosen)).intersect(filters))
    today = clock.today()
    frame = rating_frames.comparison(timeline, _minimum(), today)
    unrated = [name for name, rs in timeline.items() if rs and not rs[0].rated]
    if unrated:
        st.caption(f"不予评级，未在指数轴上绘制：{literal('、'.join(unrated))}")
    widgets.figure(
        "平台综合指数对比",
        charts.comparison_lines(frame.sort_values("period")),
        frames.with_status(frame.drop(columns=["few"])).rename(
            columns={"period": "月份", "platform": "平台", "composite": "综合指数"}
        ),
        "rp_compare_chart",
        caption=f"背景色为评级区间；空心点为样本较少（投诉少于 {_minimum()} 件）"
        f"或{IN_PROGRESS}（本月尚未结束，以虚线相连，截至{today.month}月{today.day}日）。",
    )


if __name__ == "__main__":
    widgets.live(render)
