"""The report's charts, the dashboard's own, as PNG with the report's footer: each drawn
as its dimension says (models/rules/dimensions.py), like on the pages."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from models.reads.report import Distribution, Report
from models.rules import dimensions
from web import charts
from web.exports import chart_png

MOST_BARS = 15


def _chart(distribution: Distribution) -> alt.TopLevelMixin:
    frame = pd.DataFrame(
        [
            {"label": s.label, "count": s.count, "percent": float(s.percent)}
            for s in distribution.shares
        ]
    )
    return charts.distribution(dimensions.get(distribution.dimension), frame.head(MOST_BARS))


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
