"""Altair charts for the pages. Pure functions of data frames (memoized: the same data gives
the same chart object, see :mod:`web.chart_memo`); no Streamlit here."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import altair as alt
import pandas as pd

from models.reads.stats import Share
from models.rules.dimensions import DONUT, Dimension
from models.rules.periods import IN_PROGRESS
from web import frames
from web.chart_memo import memoized

RED = "#c8102e"
GRADE_COLORS = {
    "建议下单": "#2e7d32",
    "谨慎下单": "#f9a825",
    "不建议下单": "#c62828",
    "不予评级": "#9e9e9e",
}
BANDS = pd.DataFrame(
    [
        {"from": 0.0, "to": 0.4, "评级": "不建议下单"},
        {"from": 0.4, "to": 0.75, "评级": "谨慎下单"},
        {"from": 0.75, "to": 1.0, "评级": "建议下单"},
    ]
)


#: Height of one bar of a horizontal bar chart, its label's line (about 16 px) and a gap.
BAR_STEP = 24


def by_bars(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A horizontal bar chart as tall as its bars need: each row gets :data:`BAR_STEP`
    pixels whatever the axes take (a fixed height left three bars 15 px each and their
    labels overlapping); the width still fits the page."""
    return chart.properties(
        height=alt.Step(BAR_STEP), autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


ENDED = "已结束"
DASH = [5, 4]


def segmented(frame: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """``frame`` (rows in time order, a bool column ``partial`` for periods in progress) for
    lines that turn dashed at a period in progress: column ``status`` (已结束 / 统计中)
    splits each line into a solid and a dashed piece, and the row before each partial row
    is repeated in the dashed piece (``copy``: no second point) so the two pieces meet."""
    parts = frame.groupby(group, sort=False) if group else [(None, frame)]
    rows = []
    for _key, part in parts:
        records = part.to_dict("records")
        for i, row in enumerate(records):
            if row["partial"] and i and not records[i - 1]["partial"]:
                rows.append({**records[i - 1], "status": IN_PROGRESS, "copy": True})
            rows.append({**row, "status": IN_PROGRESS if row["partial"] else ENDED, "copy": False})
    return pd.DataFrame(rows, columns=[*frame.columns, "status", "copy"])


def _dashes(frame: pd.DataFrame, label: str = IN_PROGRESS) -> dict:
    """The line's stroke-dash encoding when a period is in progress (a legend of the dash
    reading ``label``: 统计中)."""
    if not frame["partial"].any():
        return {}
    return {
        "strokeDash": alt.StrokeDash(
            "status:N",
            title=None,
            scale=alt.Scale(domain=[ENDED, IN_PROGRESS], range=[[1, 0], DASH]),
            legend=alt.Legend(
                values=[IN_PROGRESS],
                symbolStrokeColor="#37474f",
                **({} if label == IN_PROGRESS else {"labelExpr": f"'{label}'"}),
            ),
        )
    }


_NOT_COPY = "!datum.copy"
_STATUS_TIP = alt.Tooltip("status:N", title="状态")


@memoized
def shares_bar(
    frame: pd.DataFrame, label: str, color: str = RED, order: list[str] | None = None
) -> alt.Chart:
    """Horizontal bars of a distribution (columns: label, count, percent): largest on top,
    or in ``order`` when the labels have a natural one (amount brackets, age groups)."""
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "label:N",
            sort=order or "-x",
            title=None,
            axis=alt.Axis(labelOverlap=False, labelLimit=160),
        ),
        x=alt.X("count:Q", title="投诉量"),
        tooltip=[
            alt.Tooltip("label:N", title=label),
            alt.Tooltip("count:Q", title="投诉量"),
            alt.Tooltip("percent:N", title="占比"),
        ],
    )
    bars = base.mark_bar(color=color)
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="percent:N")
    return by_bars(bars + text)


#: Donut colours: the genders' own, then the palette's in the dimension's order.
DONUT_COLORS = {"女": "#e57373", "男": "#64b5f6", "未知": "#bdbdbd"}
PALETTE = ("#c8102e", "#64b5f6", "#ffb74d", "#81c784", "#9575cd", "#4db6ac", "#f06292")


@memoized
def donut(frame: pd.DataFrame, label: str, order: list[str] | None = None) -> alt.LayerChart:
    """A ring of shares (columns: label, count, percent), its labels in ``order``."""
    domain = order or list(frame["label"])
    others = itertools.cycle(PALETTE)
    colors = [DONUT_COLORS.get(name) or next(others) for name in domain]
    # Slices in the legend's order (the two layers stack alike), each with its percent on
    # it: a phone has no hover to show it, nor has a PNG.
    ranked = frame.assign(
        rank=[domain.index(x) if x in domain else len(domain) for x in frame["label"]]
    )
    base = alt.Chart(ranked).encode(
        theta=alt.Theta("count:Q", stack=True),
        order=alt.Order("rank:Q"),
        color=alt.Color(
            "label:N",
            title=label,
            sort=domain,
            scale=alt.Scale(domain=domain, range=colors),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=label),
            alt.Tooltip("count:Q", title="投诉量"),
            alt.Tooltip("percent:N", title="占比"),
        ],
    )
    ring = base.mark_arc(innerRadius=55, outerRadius=105)
    shares = base.mark_text(radius=80, fontSize=12, fontWeight="bold").encode(
        text="percent:N",
        color=alt.value("white"),  # on the slice's own colour
    )
    return alt.layer(ring, shares).properties(height=260)


@memoized
def shares_bar_of(items: Sequence[Share], label: str, limit: int | None = None) -> alt.Chart:
    """:func:`shares_bar` of a read's distribution (its first ``limit`` shares), memoized
    by the read's own values: finding it hashes no frame (web/chart_memo.py)."""
    return shares_bar(frames.shares_frame(items[:limit]), label)


@memoized
def distribution_of(dimension: Dimension, items: Sequence[Share]) -> alt.TopLevelMixin:
    """:func:`distribution` of a read's shares, memoized by them (as :func:`shares_bar_of`)."""
    return distribution(dimension, frames.shares_frame(items))


def distribution(dimension: Dimension, frame: pd.DataFrame) -> alt.TopLevelMixin:
    """A distribution (columns: label, count, percent) drawn as its dimension says: a
    donut, or bars in the dimension's order (largest first when it has none)."""
    order = dimension.ordered(frame["label"])
    if dimension.chart == DONUT:
        return donut(frame, dimension.label, order)
    return shares_bar(frame, dimension.label, order=order)


@memoized
def monthly_volume(frame: pd.DataFrame, order: Sequence[int] | None = None) -> alt.LayerChart:
    """Lines of complaints per calendar month, one per ``line`` — a year, or a period across
    a new year with its months in ``order`` (columns: year, month, count, partial, line,
    note): the latest in red, the ones before in greys, so the current one stands out; a
    month counted only in part hollow, on a dashed piece of line, its ``note`` saying
    which days."""
    lines = sorted(set(frame["line"]))
    greys = ["#9e9e9e", "#c4c4c4", "#dcdcdc"]
    colours = [greys[min(len(lines) - 2 - i, 2)] for i in range(len(lines) - 1)] + [RED]
    scale = alt.Scale(domain=lines, range=colours[-len(lines) :])
    base = alt.Chart(segmented(frame, "line")).encode(
        x=alt.X("month:O", title="月份", sort=list(order) if order else "ascending"),
        y=alt.Y("count:Q", title="投诉量"),
        color=alt.Color("line:N", title="年份" if order is None else "期间", scale=scale),
    )
    line = base.mark_line().encode(**_dashes(frame, "只计部分日期"))
    tooltip = [
        alt.Tooltip("year:N", title="年份"),
        alt.Tooltip("month:O", title="月份"),
        alt.Tooltip("count:Q", title="投诉量"),
        alt.Tooltip("note:N", title="状态"),
    ]
    # Two layers rather than a conditional fill: a fill or stroke channel of its own would
    # take the 年份 legend away from the colour channel.
    points = alt.layer(
        base.transform_filter("!datum.copy && !datum.partial")
        .mark_point(filled=True, size=45)
        .encode(tooltip=tooltip),
        base.transform_filter("!datum.copy && datum.partial")
        .mark_point(filled=False, fill="white", size=45, strokeWidth=1.5)
        .encode(tooltip=tooltip),
    )
    return alt.layer(line, points).properties(height=280)


@memoized
def grouped_shares(frame: pd.DataFrame, label: str, order: list[str] | None = None) -> alt.Chart:
    """Shares per label side by side for each sector (columns: sector, label, share, count)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=label, sort=order),
            xOffset="sector:N",
            y=alt.Y("share:Q", title="占比", axis=alt.Axis(format="%")),
            color=alt.Color("sector:N", title="赛道"),
            tooltip=[
                alt.Tooltip("sector:N", title="赛道"),
                alt.Tooltip("label:N", title=label),
                alt.Tooltip("count:Q", title="投诉量"),
                alt.Tooltip("share:Q", title="占比", format=".2%"),
            ],
        )
        .properties(height=300)
    )


def grade_bands(legend: bool = True) -> alt.Chart:
    """The three grades' bands on the index axis (0–1), behind a rating chart."""
    return (
        alt.Chart(BANDS)
        .mark_rect(opacity=0.13)
        .encode(
            y=alt.Y(
                "from:Q",
                title="综合指数",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".1f"),
            ),
            y2="to:Q",
            color=alt.Color(
                "评级:N",
                scale=alt.Scale(domain=list(BANDS["评级"]), range=GRADE_COLORS_BANDS),
                legend=alt.Legend(title="评级区间") if legend else None,
            ),
        )
    )


GRADE_COLORS_BANDS = [GRADE_COLORS[g] for g in BANDS["评级"]]

# 样本较少 points are drawn hollow: the rating stands, but rests on few complaints; so is a
# period in progress (统计中), whose figures are still moving.
_HOLLOW_FILL = alt.condition("datum.few || datum.partial", alt.value("white"), alt.value("#37474f"))


@memoized
def rating_timeline(frame: pd.DataFrame, x_title: str = "期间") -> alt.LayerChart:
    """Composite index over time (columns: period, composite, grade, few, partial, 投诉量)
    over the grade bands. Rows without a composite (不予评级) get no point; a period in
    progress is hollow, on a dashed piece of line, and labelled 统计中."""
    rated = frame[frame["composite"].notna()]
    base = alt.Chart(segmented(rated)).encode(
        x=alt.X(
            "period:N", title=x_title, sort=None, scale=alt.Scale(domain=list(frame["period"]))
        ),
        y=alt.Y("composite:Q", scale=alt.Scale(domain=[0, 1])),
        tooltip=[
            alt.Tooltip("period:N", title=x_title),
            alt.Tooltip("composite:Q", title="综合指数", format=".3f"),
            alt.Tooltip("grade:N", title="评级"),
            alt.Tooltip("投诉量:Q", title="投诉量", format=","),
            _STATUS_TIP,
        ],
    )
    line = base.mark_line(color="#37474f").encode(**_dashes(rated))
    points = (
        base.transform_filter(_NOT_COPY)
        .mark_point(filled=True, size=50, stroke="#37474f")
        .encode(fill=_HOLLOW_FILL)
    )
    label = (
        base.transform_filter("datum.partial && !datum.copy")
        # At the foot of the period's column, ending at its right: the point may sit anywhere
        # and its line come from any side, and the period (the latest) is at the plot's edge.
        .mark_text(align="right", baseline="bottom", dx=6, dy=-4, fontSize=11, color="#37474f")
        .encode(y=alt.datum(0), text="status:N")
    )
    return alt.layer(grade_bands(), line, points, label).properties(height=300)


#: A component's whole range (the rating model's): its axis spans it, so 7.5 of 10 never
#: looks like a top score because the axis stopped at 8.
COMPONENT_RANGES = {"用户满意度": (0, 10)}
_UNIT_RANGE = (0, 1)  # 平台反馈率 (a fraction), 回复时效性, 综合指数


def _component_layers(
    frame: pd.DataFrame, span: tuple[float, float] | None = None
) -> alt.LayerChart:
    """A component's line and points over time (columns: period, component, value,
    partial), the axis over ``span`` when given; a period in progress hollow, on a dashed
    piece of line."""
    scale = alt.Scale(domain=list(span)) if span else alt.Scale()
    base = alt.Chart().encode(
        x=alt.X("period:N", title=None, sort=None),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=".2~f", tickCount=4), scale=scale),
    )
    line = base.mark_line(color=RED).encode(**_dashes(frame))
    points = (
        base.transform_filter(_NOT_COPY)
        .mark_point(filled=True, size=35, stroke=RED)
        .encode(
            fill=alt.condition("datum.partial", alt.value("white"), alt.value(RED)),
            tooltip=[
                alt.Tooltip("period:N", title="期间"),
                alt.Tooltip("component:N", title="指标"),
                alt.Tooltip("value:Q", title="数值", format=".3f"),
                _STATUS_TIP,
            ],
        )
    )
    return alt.layer(line, points, data=segmented(frame, "component")).properties(height=140)


@memoized
def component_line(frame: pd.DataFrame, name: str) -> alt.LayerChart:
    """One component over time, titled with its name: a small chart as wide as its place
    on the page."""
    return _component_layers(frame, COMPONENT_RANGES.get(name, _UNIT_RANGE)).properties(
        title=alt.TitleParams(name, fontSize=12),
        # the width fits the column; 140 px stays the plot's own, axis labels come on top
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )


@memoized
def components_lines(frame: pd.DataFrame) -> alt.FacetChart:
    """The four components over time, one small chart each, two by two (a file's picture,
    of a fixed width; the page draws them apart)."""
    return (
        _component_layers(frame)
        .properties(width=260)
        .facet(
            facet=alt.Facet(
                "component:N", title=None, sort=list(dict.fromkeys(frame["component"]))
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
    )


@memoized
def comparison_lines(frame: pd.DataFrame) -> alt.LayerChart:
    """Rated platforms' monthly composite (columns: period, platform, composite, few,
    partial, 投诉量) over the grade bands; a month in progress hollow, on a dashed line."""
    base = alt.Chart(segmented(frame, "platform")).encode(
        x=alt.X("period:N", title="月份", sort=None),
        y=alt.Y("composite:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("platform:N", title="平台"),
        tooltip=[
            alt.Tooltip("platform:N", title="平台"),
            alt.Tooltip("period:N", title="月份"),
            alt.Tooltip("composite:Q", title="综合指数", format=".3f"),
            alt.Tooltip("评级:N", title="评级"),
            alt.Tooltip("投诉量:Q", title="投诉量", format=","),
            _STATUS_TIP,
        ],
    )
    lines = base.mark_line().encode(**_dashes(frame))
    points = (
        base.transform_filter(_NOT_COPY)
        .mark_point(filled=True, size=40)
        .encode(
            stroke=alt.Stroke("platform:N", legend=None),
            fill=alt.condition(
                "datum.few || datum.partial",
                alt.value("white"),
                alt.Fill("platform:N", legend=None),
            ),
        )
    )
    return (
        alt.layer(grade_bands(legend=False), lines, points)
        .resolve_scale(color="independent")
        .properties(height=320)
    )


@memoized
def ranking_bars(frame: pd.DataFrame) -> alt.Chart:
    """Platforms by complaint volume (columns: 排名, 平台, 投诉量)."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color=RED)
        .encode(
            y=alt.Y(
                "平台:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=160)
            ),
            x=alt.X("投诉量:Q"),
            tooltip=["排名:Q", "平台:N", "投诉量:Q"],
        )
    )
    return by_bars(chart)


@memoized
def alert_band(frame: pd.DataFrame, what: str) -> alt.LayerChart:
    """A series against what was expected (columns period, first — the period's first
    day —, actual, expected, low, high, flagged): the expected band in grey, the
    expectation dashed, the counts in red, the alert's own window filled dark."""
    weekly = bool(frame["period"].str.contains("W").any())
    axis = alt.Axis(format="%-m月%-d日" if weekly else "%Y年%-m月", labelAngle=0, grid=False)
    base = alt.Chart(frame).encode(x=alt.X("first:T", title=None, axis=axis))
    band = base.mark_area(color="#e0e0e0").encode(y=alt.Y("low:Q", title=what), y2="high:Q")
    expected = base.mark_line(color="#757575", strokeDash=DASH).encode(y="expected:Q")
    tips = [
        alt.Tooltip("period:N", title="期间"),
        alt.Tooltip("actual:Q", title="投诉量", format=","),
        alt.Tooltip("expected:Q", title="预期", format=",.1f"),
        alt.Tooltip("low:Q", title="预期下限", format=",.1f"),
        alt.Tooltip("high:Q", title="预期上限", format=",.1f"),
    ]
    actual = base.mark_line(color=RED).encode(y="actual:Q")
    points = base.mark_point(filled=True, stroke=RED).encode(
        y="actual:Q",
        size=alt.condition("datum.flagged", alt.value(90), alt.value(30)),
        fill=alt.condition("datum.flagged", alt.value("#8b0000"), alt.value(RED)),
        tooltip=tips,
    )
    return alt.layer(band, expected, actual, points).properties(height=200)
