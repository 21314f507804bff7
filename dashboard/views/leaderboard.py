"""投诉榜: platforms ranked by complaint volume, overall and per sector, with movement."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models import clock
from models.reads.leaderboard import Rank
from models.rules.filters import Filters
from models.rules.periods import Period, compare_period, shift_months
from web import charts, data, widgets
from web.chart_memo import memoized_frame
from web.markup import literal


@memoized_frame  # made once per ranks, a copy to each run
def rank_frame(ranks: list[Rank]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "排名": r.rank,
                "平台": r.platform,
                "赛道": r.sector,
                "投诉量": r.complaints,
                "上期排名": r.previous_rank,
                "上期投诉量": r.previous_complaints,
                "变化": r.movement,
            }
            for r in ranks
        ],
        columns=["排名", "平台", "赛道", "投诉量", "上期排名", "上期投诉量", "变化"],
    )


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("投诉榜")
    comparison = selection.comparison()
    previous = selection.previous()
    # Ranked over the days compared: a period in progress up to today.
    counted = selection.elapsed()
    widgets.title_line(
        "依据投诉量排行"
        + (
            f"；“变化”{comparison.sentence}"
            if comparison is not None and previous is not None
            else "；选择具体期间可查看名次变化"
        )
    )
    if data.total(filters) == 0:
        widgets.empty()
        return
    sectors = sorted(data.counts(filters, "sector"))
    # Tab labels read Markdown. Only the open tab is drawn (its name is in the URL): a page
    # run drawing every sector's table and chart cost nine times as much.
    tabs = st.tabs(["总榜", *(literal(s) for s in sectors)], key="lb_tab", bind="query-params")
    for tab, sector in zip(tabs, [None, *sectors], strict=True):
        if not tab.open:
            continue
        with tab:
            scoped = counted if sector is None else Filters(sectors=(sector,)).intersect(counted)
            prev = (
                Filters(sectors=(sector,)).intersect(previous)
                if sector is not None and previous is not None
                else previous
            )
            frame = rank_frame(data.leaderboard(scoped, prev))
            name = "总榜" if sector is None else sector
            left, right = st.columns([3, 2])
            with left:
                widgets.table(f"{selection.title} {name}投诉榜", frame, f"lb_{name}")
            with right:
                top = frame.head(15)
                widgets.figure(
                    f"{name} 投诉量 TOP{len(top)}",
                    charts.ranking_bars(top),
                    top,
                    f"lb_{name}_chart",
                )
    _monthly_top10(filters)


def _monthly_top10(filters: Filters) -> None:
    """The latest month with complaints against the same days of the month before."""
    span = data.data_span(filters)
    if span is None:
        return
    month = Period.for_month(span[1])
    comparison = compare_period(month, clock.today())
    first, last = comparison.current.first, comparison.current.last
    earlier_first, earlier_last = comparison.previous.first, comparison.previous.last
    # A selection that starts or ends within the month: the same days of the month before.
    if filters.date_from and filters.date_from > first:
        first = filters.date_from
        earlier_first = shift_months(first, -1) or earlier_first
    if filters.date_to and filters.date_to < last:
        last = filters.date_to
        earlier_last = shift_months(last, -1) or earlier_last
    current = filters.with_dates(first, last)
    previous = data.comparable(filters.with_dates(earlier_first, earlier_last))
    frame = rank_frame(data.leaderboard(current, previous, limit=10))
    title = f"{month.title}{comparison.note}平台投诉量 TOP10"
    widgets.table(title, frame, "lb_month")
    if previous is not None:
        st.caption(f"上期排名、上期投诉量与“变化”{comparison.sentence}。")


if __name__ == "__main__":
    widgets.live(render)
