"""The 地区 map in Chromium: a phone held upright sees the whole country (Xinjiang to
Heilongjiang) and the 南海诸岛 inset, and the pointer finds provinces where they are drawn."""

from __future__ import annotations

import math
import urllib.parse

import pytest

from models.demo import generate_demo
from models.reads.regions import outlines
from models.store import schema
from models.store.db import get_engine
from tests.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    fitted_map,
    hover_until,
    streamlit_server,
    wait_idle,
)
from web import china_map

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PHONE_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('map') / 'demo.db'}"
    schema.upgrade(get_engine(url))
    generate_demo(get_engine(url), complaints=3000, seed=5)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    with streamlit_server({"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "1"}) as base:
        yield base


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _pixel(box: dict, view: dict, lon: float, lat: float) -> tuple[float, float]:
    """Where deck.gl's Web Mercator view draws ``lon``/``lat`` inside the canvas ``box``."""
    scale = 512 * 2 ** view["zoom"]
    x = (lon - view["longitude"]) / 360 * scale
    y = (_mercator_y(view["latitude"]) - _mercator_y(lat)) / (2 * math.pi) * scale
    return box["x"] + box["width"] / 2 + x, box["y"] + box["height"] / 2 + y


def _label(name: str) -> tuple[float, float]:
    (props,) = [f["properties"] for f in outlines()["features"] if f["properties"]["name"] == name]
    return props["lon"], props["lat"]


def _blank_edges(png: bytes, band: int = 3) -> bool:
    """Whether a band along every edge of the picture is page-white: nothing drawn there,
    so nothing of the map runs past the canvas."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB")
    w, h = image.size
    edges = [(x, y) for x in range(w) for y in [*range(band), *range(h - band, h)]]
    edges += [(x, y) for y in range(h) for x in [*range(band), *range(w - band, w)]]
    return all(min(image.getpixel(p)) >= 245 for p in edges)


@pytest.mark.parametrize(
    ("width", "agent", "shot"),
    [
        (1400, None, "regions-map.png"),
        (390, None, "regions-narrow.png"),  # a narrow desktop window: no mobile User-Agent
        (390, PHONE_UA, "regions-phone.png"),
    ],
)
def test_the_whole_map_shows_at_any_width_whatever_the_user_agent(server, width, agent, shot):
    """The map is fitted to the width the browser measures: at 390 px the whole country
    and the inset show with a desktop User-Agent as with a phone's, none of it cut off."""
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = chromium.new_page(viewport={"width": width, "height": 900}, user_agent=agent)
        layer_errors = []  # deck.gl logs a layer it cannot draw (the inset's label was one)
        tab.on("console", lambda m: m.text.startswith("deck:") and layer_errors.append(m.text))
        tab.goto(f"{server}/regions?period=all")
        wait_idle(tab)
        canvas = fitted_map(tab)
        tab.screenshot(path=ARTIFACTS / "screenshots" / shot)
        box = canvas.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        assert _blank_edges(canvas.screenshot()), "the map runs past the canvas"
        view, _height = china_map.fit(box["width"])  # what the page fitted, seen from here
        corners = [(73.5, 40.0), (135.0, 48.5), (china_map.inset_box()[2][0], 15.5)]
        for lon, lat in corners:  # Xinjiang's west, Heilongjiang's east, the inset
            x, y = _pixel(box, view, lon, lat)
            assert box["x"] <= x <= box["x"] + box["width"], (lon, x, box)
            assert box["y"] <= y <= box["y"] + box["height"], (lat, y, box)

        for province in ("新疆维吾尔自治区", "黑龙江省"):  # the pointer finds them where drawn
            hover_until(tab, *_pixel(box, view, *_label(province)), province)
        assert layer_errors == []
        chromium.close()


def _hue(rgb: tuple[int, ...]) -> float:
    """The hue of a pixel in degrees (0: red, 300: purple)."""
    import colorsys

    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb[:3]))[0] * 360


def _pixel_at(tab, x: float, y: float) -> tuple[int, ...]:
    """The colour drawn at page position (x, y) (device scale 1)."""
    import io

    from PIL import Image

    return Image.open(io.BytesIO(tab.screenshot())).convert("RGB").getpixel((int(x), int(y)))


def test_clicking_a_province_makes_it_the_regions_filter(server):
    """A click on 四川省 filters the page by it: the sidebar, the URL and the figures follow;
    the province under the pointer stays red (darker), never deck.gl's purple, and one
    province reads as its figures, not as a TOP10 of one row at 100 %."""
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = chromium.new_page(viewport={"width": 1400, "height": 900})
        tab.goto(f"{server}/regions?period=all")
        wait_idle(tab)
        box = fitted_map(tab).bounding_box()
        x, y = _pixel(box, china_map.fit(box["width"])[0], *_label("四川省"))
        before = _pixel_at(tab, x - 8, y - 8)
        hover_until(tab, x, y, "四川省")
        tab.mouse.move(x, y)
        tab.wait_for_timeout(500)
        hovered = _pixel_at(
            tab, x - 8, y - 8
        )  # up-left of the pointer (the tooltip opens down-right)
        assert hovered != before and sum(hovered) < sum(before)  # highlighted: darker
        assert _hue(hovered) < 20 or _hue(hovered) > 340, hovered  # still red, not purple
        for _ in range(3):  # a click deck.gl drops while drawing a frame is clicked again
            tab.mouse.click(x, y)
            try:
                tab.wait_for_function(
                    "() => decodeURIComponent(location.search).includes('四川省')", timeout=15000
                )
                break
            except playwright.Error:
                hover_until(tab, x, y, "四川省")
        assert "四川省" in urllib.parse.unquote(tab.url)
        wait_idle(tab)
        sidebar = tab.locator('[data-testid="stSidebar"]').inner_text()
        assert "四川省" in sidebar
        main = tab.locator('[data-testid="stMain"]').inner_text()
        assert "四川省 · 问题类型" in main
        assert "TOP10" not in main and "占全部投诉量" in main  # its figures, not a ranking
        tab.screenshot(path=ARTIFACTS / "screenshots" / "regions-one-province.png")
        chromium.close()
