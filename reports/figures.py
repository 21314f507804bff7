"""The report's charts, the dashboard's own, as PNG with the report's footer: each drawn
as its dimension says (models/rules/dimensions.py), like on the pages."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt

from models.reads.report import Distribution, Report
from models.rules import dimensions
from web import charts, frames
from web.exports import chart_png

MOST_BARS = 15


def _chart(distribution: Distribution) -> alt.TopLevelMixin:
    frame = frames.shares_frame(distribution.shares[:MOST_BARS])  # labelled 38.89%, as on pages
    return charts.distribution(dimensions.get(distribution.dimension), frame)


def charts_for(
    report: Report, progress: Callable[[float, str], None] | None = None
) -> dict[str, bytes]:
    """PNG per distribution that has data, keyed by dimension."""
    out: dict[str, bytes] = {}
    drawn = [d for d in report.distributions if d.shares]
    for i, distribution in enumerate(drawn):
        if progress:
            progress(i / max(len(drawn), 1), f"正在绘制图表：{distribution.chart_title}")
        out[distribution.dimension] = chart_png(
            _chart(distribution), distribution.chart_title, footer=report.footer
        )
    if progress:
        progress(1.0, "图表已完成")
    return out
