"""地区: a choropleth of China's provinces, per capita or absolute, with the TOP10 table."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard import sidebar
from models.reads.regions import per_ten_million, populations
from models.rules import dimensions
from models.rules.labels import PROVINCES
from models.rules.numbers import fraction, percent
from web import charts, china_map, data, frames, viewport, widgets
from web.chart_memo import frozen_deck, memoized, memoized_frame, vega_spec
from web.markup import literal

MEASURES = {"count": "投诉量", "per10m": "每千万常住人口投诉量"}
NARROWEST = 320  # px: the map's width on the narrowest phone
SHARE = "占比"


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)] + [230]


@memoized_frame
def province_frame(counts: dict[str, int]) -> pd.DataFrame:
    total = sum(counts.values())
    rows = []
    for name in PROVINCES:
        n = counts.get(name, 0)
        rate = per_ten_million(n, name)
        rows.append(
            {
                "地区": name,
                "投诉量": n,
                SHARE: fraction(percent(n, total)),  # 12.35% as reported
                "每千万人投诉量": float(rate) if rate is not None else None,
            }
        )
    return pd.DataFrame(rows)


def _values(counts: dict[str, int], measure: str) -> dict[str, float]:
    """Each province's figure the map is coloured by."""
    frame = province_frame(counts)
    column = "投诉量" if measure == "count" else "每千万人投诉量"
    return dict(zip(frame["地区"], frame[column].fillna(0), strict=True))


@memoized  # once per figures: a page run compares no frames (web/chart_memo.py)
def _top(counts: dict[str, int], measure: str) -> float:
    return max(_values(counts, measure).values(), default=0)


def _inset_layers() -> list[pdk.Layer]:
    """The 南海诸岛 inset: the islands scaled into a framed box, with its label."""
    box = pdk.Layer(
        "PathLayer",
        [{"path": china_map.inset_box()}],
        id="inset",
        get_path="path",
        get_color=[136, 136, 136],
        width_min_pixels=1,
    )
    x0, y0 = china_map.inset_box()[3]
    label = pdk.Layer(
        "TextLayer",
        [{"position": [x0 + 0.5, y0 - 1.5], "text": china_map.INSET_LABEL}],
        id="inset_label",
        get_position="position",
        get_text="text",
        # In map units, so the label shrinks with the map and stays inside its box (11 px
        # at the desktop zoom; a fixed pixel size overflowed the box on phones).
        get_size=11 / 2**china_map.LABEL_ZOOM,
        size_units="'common'",
        get_color=[85, 85, 85],
        get_text_anchor="'start'",
        character_set="'auto'",  # quoted: pydeck reads a bare string as an expression
    )
    islands = pdk.Layer(
        "ScatterplotLayer",
        [{"position": list(p)} for p in china_map.island_points()],
        id="islands",
        get_position="position",
        get_radius=1,
        radius_min_pixels=1.2,
        get_fill_color=[150, 150, 150],
    )
    return [islands, box, label]


Deck = frozen_deck(pdk.Deck)
_legend = memoized(china_map.legend)


@memoized  # the same map for the same figures and view: built and serialised once
def _deck(
    counts: dict[str, int],
    measure: str,
    view: tuple[tuple[str, float], ...],
    chosen: tuple[str, ...],
) -> pdk.Deck:
    frame = province_frame(counts)
    values = _values(counts, measure)
    rates = dict(zip(frame["地区"], frame["每千万人投诉量"], strict=True))
    top = _top(counts, measure)
    shapes = []
    for name, polygon in china_map.polygons():
        shapes.append(
            {
                "polygon": polygon,
                "name": name,
                "count": int(counts.get(name, 0)),
                "rate": f"{rates.get(name) or 0:.2f}",
                "fill": _rgb(china_map.colour_of(values.get(name, 0), top)),
            }
        )
    # A plain polygon layer, not a GeoJsonLayer: Streamlit files a click under the picked
    # layer's id, and a GeoJsonLayer's clicks come from its sublayers, so they were lost.
    fills = pdk.Layer(
        "SolidPolygonLayer",
        shapes,
        id="provinces",
        pickable=True,
        get_polygon="polygon",
        get_fill_color="fill",
        auto_highlight=True,
        highlight_color=china_map.HIGHLIGHT,
    )
    borders = pdk.Layer(
        "PathLayer",
        [{"path": ring} for _name, polygon in china_map.polygons() for ring in polygon],
        id="borders",
        get_path="path",
        get_color=[255, 255, 255],
        width_min_pixels=0.6,
    )
    outlines = pdk.Layer(  # the provinces the page is filtered by
        "PathLayer",
        [
            {"path": ring}
            for name, polygon in china_map.polygons()
            if name in chosen
            for ring in polygon
        ],
        id="chosen",
        get_path="path",
        get_color=china_map.CHOSEN_OUTLINE,
        width_min_pixels=2,
    )
    return Deck(
        layers=[fills, borders, outlines, *_inset_layers()],
        initial_view_state=pdk.ViewState(**dict(view)),
        map_provider=None,
        tooltip={
            "html": "<b>{name}</b><br/>投诉量 {count} 件<br/>每千万人 {rate} 件",
            "style": {"fontSize": "13px"},
        },
    )


@memoized_frame
def top_ten(counts: dict[str, int]) -> pd.DataFrame:
    """The ten provinces with the most complaints, ranked, as the table shows them (made
    once per data)."""
    frame = province_frame(counts)
    top = frame[frame["投诉量"] > 0].sort_values(["投诉量", "地区"], ascending=[False, True])
    top = top.head(10).assign(排名=lambda f: range(1, len(f) + 1))
    return top[["排名", "地区", "投诉量", SHARE, "每千万人投诉量"]]


def render() -> None:
    selection = sidebar.current()
    filters = selection.filters
    chosen = filters.provinces or ()
    title = "、".join(chosen) if chosen else "全部地区"
    st.title("地区")
    widgets.title_line("投诉用户所在的省级地区（侧栏“投诉地区”或点选地图）")
    counts = data.counts(filters, "province")
    if not counts:
        widgets.empty()
        return
    _map(counts, chosen)
    top = top_ten(counts)
    if len(top) == 1:  # a ranking of one, at 100 %, says nothing: the province's figures
        _one_province(top.iloc[0], filters)
    else:
        widgets.table(
            f"{title} 投诉量 TOP10" if chosen else "投诉地区 TOP10",
            top,
            "rg_top",
        )
    # The region's complaints by what they are about and whom they are against, side by side.
    splits = (("problem_type", "问题类型", "rg_types"), ("platform", "平台", "rg_platforms"))
    for column, (by, axis, key) in zip(st.columns(2), splits, strict=True):
        label = dimensions.get(by).label
        with column:
            items = data.distribution(filters, by)
            shares = widgets.shares_frame(items)
            widgets.figure(
                f"{title} · {label}",
                charts.shares_bar_of(items, axis, 10),
                shares,
                key,
                export=lambda items=items, label=label: frames.shares(items, label),
            )


def _one_province(row: pd.Series, filters) -> None:
    """The one province's count, its rate per ten million residents and its part of all
    complaints (in the period and the other filters), as cards."""
    name, count, rate = row["地区"], int(row["投诉量"]), row["每千万人投诉量"]
    everywhere = data.total(replace(filters, provinces=None))
    st.subheader(literal(name))
    cols = st.columns(3)
    cols[0].metric("投诉量", f"{count:,} 件")
    cols[1].metric("每千万常住人口投诉量", "—" if pd.isna(rate) else f"{rate:,.2f} 件")
    cols[2].metric("占全部投诉量", f"{percent(count, everywhere)}%")


def _map(counts: dict[str, int], chosen: tuple[str, ...]) -> None:
    """The heatmap; clicking a province makes it the sidebar's 投诉地区."""
    measure = (
        st.segmented_control(
            "着色",
            list(MEASURES),
            format_func=MEASURES.get,
            key="rg_measure",
            default="count",
            required=True,
        )
        or "count"
    )
    # Fitted to the width the browser measures (a phone, a narrow window), not guessed
    # from its User-Agent; until it has said, to the narrowest phone's, which fits anywhere.
    view, height = china_map.fit(viewport.width("rg_width") or NARROWEST)
    event = st.pydeck_chart(
        _deck(counts, measure, tuple(view.items()), chosen),
        on_select="rerun",
        selection_mode="single-object",
        # a fit of its own per view: deck.gl keeps the view it first drew under one key, so
        # the map drawn for the narrowest phone stayed that small once the width was known
        key=f"rg_map_{view['zoom']:.4f}",
        height=height,
    )
    top = _top(counts, measure)
    legend = vega_spec(_legend(top, MEASURES[measure]))
    st.vega_lite_chart(legend, width="stretch", key="rg_legend", height=80)
    objects = (getattr(event, "selection", None) or {}).get("objects", {}) if event else {}
    for obj in objects.get("provinces", []):
        picked = obj.get("name")
        # The map keeps its selection across runs: act on a new click only, so clearing
        # the sidebar's 投诉地区 afterwards is not undone by the old click.
        if picked in PROVINCES and st.session_state.get("rg_handled") != picked:
            st.session_state["rg_handled"] = picked
            if (picked,) != chosen:
                sidebar.choose_provinces([picked])
    unknown = counts.get("未知", 0)
    st.caption(
        "颜色越深投诉越多；南海诸岛按比例缩小绘于右下框内。人口："
        + "；".join(sorted({p.source for p in populations().values()}))
        + (f"。另有 {unknown:,} 件投诉未填写地区。" if unknown else "。")
    )
    widgets.downloads(
        f"各地区{MEASURES[measure]}",
        lambda: province_frame(counts),
        "rg_all",
        # 2 s: only when asked
        lambda: china_map.png_chart(_values(counts, measure), top, MEASURES[measure]),
    )


if __name__ == "__main__":
    widgets.live(render)
