"""The map of China's provinces as published maps draw it: the South China Sea islands
(南海诸岛, part of 海南省) in an inset box at the lower right, at a smaller scale, instead of
stretching the map down to 4°N. No Streamlit here: the page's pydeck map and the PNG
download (Altair) draw the same geometry.
"""

from __future__ import annotations

import math
from functools import cache

import altair as alt
import pandas as pd

from models.reads.regions import outlines

ISLANDS_BELOW = 17.5  # latitude: Hainan Island itself lies north of this
SOURCE = (106.0, 3.0, 123.0, 23.0)  # lon/lat box around the islands, shown in the inset
SCALE = 0.42
ORIGIN = (125.0, 15.5)  # lower left corner of the inset on the main map
INSET_LABEL = "南海诸岛"
#: What the map must show whole: Xinjiang's west to Heilongjiang's east, Mohe to the
#: inset's foot (lon/lat: west, south, east, north).
EXTENT = (73.4, 15.0, 135.2, 53.7)
MARGIN = 8  # px left around the country
MAX_HEIGHT = 400  # px: a wide page's map
#: The zoom labels are sized for (a wide page's): they scale with the map from there.
LABEL_ZOOM = 2.55
#: The colour steps, light to dark red; 0 stays pale grey so "none" is visible as such.
PALETTE = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"]
NONE_COLOUR = "#ececec"
#: The province under the pointer: blended with the red beyond the palette's darkest
#: (#67000d), so it reads darker in the same hue — deck.gl's default navy made it purple.
HIGHLIGHT = [103, 0, 13, 140]
#: The outline of the provinces chosen as the page's filter (dark grey, over the white).
CHOSEN_OUTLINE = [51, 51, 51]


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(width: float, max_height: int = MAX_HEIGHT) -> tuple[dict[str, float], int]:
    """The view (centre and zoom) showing the whole map in a box ``width`` CSS px wide, and
    the box's height: ``max_height`` on a wide page, less where the width limits the map
    (a phone), so no band is left empty. Web Mercator, as deck.gl draws: 512·2^zoom px
    around the world."""
    west, south, east, north = EXTENT
    across = (east - west) / 360
    down = (_mercator_y(north) - _mercator_y(south)) / (2 * math.pi)
    world = min((max(width, 4 * MARGIN) - 2 * MARGIN) / across, (max_height - 2 * MARGIN) / down)
    zoom = math.floor(math.log2(world / 512) * 1000) / 1000  # rounded down: never cropped
    height = min(max_height, math.ceil(down * 512 * 2**zoom + 2 * MARGIN))
    middle = (_mercator_y(north) + _mercator_y(south)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(middle)) - math.pi / 2)
    view = {"longitude": round((west + east) / 2, 4), "latitude": round(latitude, 4), "zoom": zoom}
    return view, height


def _to_inset(point: list[float]) -> list[float]:
    x, y = point
    return [
        round(ORIGIN[0] + (x - SOURCE[0]) * SCALE, 3),
        round(ORIGIN[1] + (y - SOURCE[1]) * SCALE, 3),
    ]


def inset_box() -> list[list[float]]:
    """The inset's frame as a closed path (lon/lat)."""
    x0, y0, x1, y1 = SOURCE
    corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return [_to_inset(c) for c in corners]


def _is_island(polygon: list) -> bool:
    return max(y for _, y in polygon[0]) < ISLANDS_BELOW


@cache
def features() -> tuple[dict, ...]:
    """The provinces' features; 海南省's southern islands moved into the inset (a copy of
    Hainan Island and the coast are not repeated: the inset shows the islands only)."""
    out = []
    for feature in outlines()["features"]:
        polygons = feature["geometry"]["coordinates"]
        moved = [
            [[_to_inset(p) for p in ring] for ring in polygon] if _is_island(polygon) else polygon
            for polygon in polygons
        ]
        geometry = {"type": "MultiPolygon", "coordinates": moved}
        out.append({"type": "Feature", "geometry": geometry, "properties": feature["properties"]})
    return tuple(out)


@cache
def polygons() -> tuple[tuple[str, list], ...]:
    """(province, polygon) for every polygon of every province, as the map draws them."""
    return tuple(
        (feature["properties"]["name"], polygon)
        for feature in features()
        for polygon in feature["geometry"]["coordinates"]
    )


@cache
def island_points() -> tuple[tuple[float, float], ...]:
    """One point per South China Sea island inside the inset: most are too small to show as
    outlines at this scale, so the map marks each with a dot."""
    points = []
    for feature in features():
        for polygon in feature["geometry"]["coordinates"]:
            ring = polygon[0]
            x, y = sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
            x0, y0 = ORIGIN
            if x >= x0 and y >= y0 and feature["properties"]["name"] == "海南省":
                points.append((round(x, 3), round(y, 3)))
    return tuple(points)


def steps(top: float) -> list[tuple[str, str]]:
    """(label, colour) of each colour step for values up to ``top``."""
    if top <= 0:
        return [("0", NONE_COLOUR)]
    width = top / len(PALETTE)
    digits = 0 if top >= 60 else 2
    return [("0", NONE_COLOUR)] + [
        (f"{i * width:,.{digits}f}–{(i + 1) * width:,.{digits}f}", colour)
        for i, colour in enumerate(PALETTE)
    ]


def colour_of(value: float, top: float) -> str:
    if not value or top <= 0:
        return NONE_COLOUR
    return PALETTE[min(len(PALETTE) - 1, int(len(PALETTE) * value / (top * 1.0000001)))]


def legend(top: float, title: str) -> alt.Chart:
    """A colour key for the map: the steps side by side on a value axis (grey: none)."""
    width = top / len(PALETTE) if top > 0 else 1
    frame = pd.DataFrame(
        [
            {"from": i * width, "to": (i + 1) * width, "颜色": colour}
            for i, colour in enumerate(PALETTE)
        ]
    )
    return (
        alt.Chart(frame, title=alt.TitleParams(f"{title}（灰色：无）", fontSize=11, anchor="start"))
        .mark_rect()
        .encode(
            x=alt.X(
                "from:Q",
                title=None,
                scale=alt.Scale(domain=[0, max(top, 1)], nice=False),
                axis=alt.Axis(format=",.0f", tickCount=4, grid=False),
            ),
            x2="to:Q",
            y=alt.value(0),
            y2=alt.value(16),
            fill=alt.Fill("颜色:N", scale=None, legend=None),
        )
        .properties(height=16)
    )


def png_chart(values: dict[str, float], top: float, title: str) -> alt.LayerChart:
    """The map as an Altair chart (for the PNG download), with the inset's frame and label."""
    # d3 (Vega) wants the opposite ring winding to GeoJSON's: reversed, or each province
    # would be drawn as the whole globe minus the province.
    data = [
        {
            "type": "Feature",
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [ring[::-1] for ring in polygon] for polygon in f["geometry"]["coordinates"]
                ],
            },
            "properties": {**f["properties"], "value": values.get(f["properties"]["name"], 0)},
        }
        for f in features()
    ]
    for item in data:
        item["properties"]["colour"] = colour_of(item["properties"]["value"], top)
    shapes = (
        alt.Chart(alt.Data(values=data))
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(color=alt.Color("properties.colour:N", scale=None, legend=None))
    )
    box = pd.DataFrame([{"lon": x, "lat": y, "i": i} for i, (x, y) in enumerate(inset_box())])
    frame = (
        alt.Chart(box)
        .mark_line(color="#888", strokeWidth=0.8)
        .encode(longitude="lon:Q", latitude="lat:Q", order="i:Q")
    )
    x0, y0 = inset_box()[3]
    label = (
        alt.Chart(pd.DataFrame([{"lon": x0 + 0.5, "lat": y0 - 1.2, "text": INSET_LABEL}]))
        .mark_text(align="left", fontSize=10, color="#555")
        .encode(longitude="lon:Q", latitude="lat:Q", text="text:N")
    )
    dots = (
        alt.Chart(pd.DataFrame(island_points(), columns=["lon", "lat"]))
        .mark_circle(size=4, color="#999")
        .encode(longitude="lon:Q", latitude="lat:Q")
    )
    map_ = (
        alt.layer(shapes, dots, frame, label).project("mercator").properties(width=560, height=440)
    )
    return alt.vconcat(map_, legend(top, title).properties(width=560))
