"""用户画像: gender, amount brackets and age groups, overall and side by side per sector."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import streamlit as st

from dashboard import sidebar
from models.rules.dimensions import AGE_GROUPS
from models.rules.labels import AMOUNT_BRACKETS, GENDERS
from models.rules.numbers import round_half_up
from web import charts, data, frames, widgets

DIMENSIONS = {
    "gender": ("性别", list(GENDERS)),
    "amount_bracket": ("投诉金额区间", list(AMOUNT_BRACKETS)),
    "age_group": ("年龄段", [*AGE_GROUPS, "未知"]),
}


def sector_frame(table: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for sector, label_counts in sorted(table.items()):
        total = sum(label_counts.values()) or 1
        for label, n in label_counts.items():
            share = float(round_half_up(Fraction(n, total), 4))  # 12.35%, as reported
            rows.append({"sector": sector, "label": label, "count": n, "share": share})
    return pd.DataFrame(rows, columns=["sector", "label", "count", "share"])


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    st.title("用户画像")
    st.caption(f"{selection.title} · 投诉用户的性别、投诉金额与年龄")
    if data.total(filters) == 0:
        widgets.empty()
        return
    for by, (label, order) in DIMENSIONS.items():
        items = data.distribution(filters, by)
        shares = widgets.shares_frame(items)
        left, right = st.columns([2, 3])
        with left:
            natural = [o for o in order if o in set(shares["label"])]
            chart = (
                charts.donut(shares, label)
                if by == "gender"
                else charts.shares_bar(shares, label, order=natural)
            )
            widgets.figure(
                f"{label}分布",
                chart,
                shares,
                f"dg_{by}",
                export=frames.shares(items, label),
            )
        with right:
            frame = sector_frame(data.crosstab(filters, by, "sector"))
            present = [o for o in order if o in set(frame["label"])]
            widgets.figure(
                f"各赛道{label}对比",
                charts.grouped_shares(frame, label, present),
                frame,
                f"dg_{by}_sector",
                caption="每个赛道内部的占比，便于横向比较。",
                export=frame.rename(
                    columns={"sector": "赛道", "label": label, "count": "投诉量", "share": "占比"}
                ),
            )
        st.divider()


if __name__ == "__main__":
    widgets.live(render)
