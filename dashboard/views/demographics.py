"""用户画像: the dimensions declared for it (gender, amount brackets, age groups …), each
overall and side by side per sector."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models.rules.dimensions import REGISTRY
from models.rules.numbers import fraction, percent
from web import charts, data, frames, params, widgets
from web.chart_memo import memoized, memoized_frame

DIMENSIONS = tuple(d for d in REGISTRY if d.profile)
#: The URL parameter naming the open tab (a dimension's label; web/params.py).
TAB = params.DEMOGRAPHICS_TAB.name


@memoized_frame
def sector_frame(table: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for sector, label_counts in sorted(table.items()):
        total = sum(label_counts.values())
        for label, n in label_counts.items():
            share = fraction(percent(n, total))  # 12.35%, as reported
            rows.append({"sector": sector, "label": label, "count": n, "share": share})
    return pd.DataFrame(rows, columns=["sector", "label", "count", "share"])


@memoized  # found by the read's counts: a page run hashes no frame (web/chart_memo.py)
def _sector_chart(table: dict[str, dict[str, int]], dimension) -> object:
    frame = sector_frame(table)
    return charts.grouped_shares(frame, dimension.label, dimension.ordered(frame["label"]))


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("用户画像")
    # One line for the page, not a caption under each of the sector charts: a page run
    # sends every element anew, and the sentence was the same four times.
    widgets.title_line(
        f"投诉用户的{'、'.join(d.label for d in DIMENSIONS)}；"
        "各赛道对比图为每个赛道内部的占比，便于横向比较"
    )
    if data.total(filters) == 0:
        widgets.empty()
        return
    # One tab per dimension, only the open one drawn (its name is in the URL, dg_tab): a
    # run drawing all four sent eight charts with their headings and menus, the most
    # elements of any page.
    tabs = st.tabs([d.label for d in DIMENSIONS], key=TAB, bind="query-params")
    for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
        if tab.open:
            with tab:
                _dimension(filters, dimension)


def _dimension(filters, dimension) -> None:
    """The dimension overall, and side by side each sector's shares."""
    by, label = dimension.name, dimension.label
    items = data.distribution(filters, by)
    shares = widgets.shares_frame(items)
    left, right = st.columns([2, 3])
    with left:
        widgets.figure(
            f"{label}分布",
            charts.distribution_of(dimension, items),
            shares,
            f"dg_{by}",
            # Downloads made when chosen (web/widgets.py), not on every run.
            export=lambda: frames.shares(items, label),
        )
    with right:
        table = data.crosstab(filters, by, "sector")
        frame = sector_frame(table)
        widgets.figure(
            f"各赛道{label}对比",
            _sector_chart(table, dimension),
            frame,
            f"dg_{by}_sector",
            export=lambda: frame.rename(
                columns={"sector": "赛道", "label": label, "count": "投诉量", "share": "占比"}
            ),
        )


if __name__ == "__main__":
    widgets.live(render)
