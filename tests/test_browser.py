"""The dashboard in a real headless Chromium: every page, shareable links, offline."""

from __future__ import annotations

import itertools
import re

import pytest

from models.demo import generate_demo
from models.store.db import get_engine
from tests.browser import (
    ARTIFACTS,
    LOCAL_PREFIXES,
    grid_column,
    streamlit_server,
    wait_idle,
)
from tests.dashboard_helpers import PAGES

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    url = f"sqlite:///{path}"
    from models.store import schema

    schema.upgrade(get_engine(url))
    generate_demo(get_engine(url), complaints=5000, seed=21)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(
        {"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "1", "TOUSU_REFRESH_SECONDS": "60"}
    ) as base:
        yield base


def page_url(base: str, page: str) -> str:
    return base if page == "overview" else f"{base}/{page}"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_and_is_screenshotted(server, browser, page):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(page_url(server, page))
    wait_idle(tab)
    tab.wait_for_timeout(1500)  # let charts and the map draw
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "screenshots" / f"{page}.png")
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.locator("h1").first.inner_text()
    foreign = [u for u in requests if not u.startswith(LOCAL_PREFIXES)]
    assert foreign == [], foreign
    context.close()


def test_page_fits_a_phone_held_upright(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.goto(server)
    wait_idle(tab)
    tab.wait_for_timeout(1000)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "overview-phone.png")
    width = tab.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
    assert width <= 400
    assert tab.get_by_text("投诉量").first.is_visible()
    context.close()


def test_a_copied_link_reproduces_the_view(server, browser):
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = first.new_page()
    tab.goto(server)
    wait_idle(tab)
    tab.get_by_test_id("stSidebar").get_by_text("季度", exact=True).click()
    wait_idle(tab)
    sector = tab.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    sector.locator("input").click()
    tab.keyboard.type("金融科技")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Escape")
    wait_idle(tab)
    link = tab.url
    assert "period=" in link and "Q" in link and "sector=" in link
    caption = tab.get_by_test_id("stCaptionContainer").first.inner_text()
    volume = tab.get_by_test_id("stMetricValue").first.inner_text()
    first.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = fresh.new_page()
    other.goto(link)
    wait_idle(other)
    assert other.get_by_test_id("stCaptionContainer").first.inner_text() == caption
    assert other.get_by_test_id("stMetricValue").first.inner_text() == volume
    assert "金融科技" in other.get_by_test_id("stSidebar").inner_text()
    fresh.close()


def test_amount_brackets_read_in_one_ordered_scheme(server, browser):
    """用户画像's amount charts, where the reports' coarse 0-5万元 was most of 产业电商:
    every bracket a person reads is one of the reports' scheme, in its order."""
    from models.rules.labels import AMOUNT_BRACKETS

    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    tab = context.new_page()
    tab.goto(f"{server}/demographics?period=all&sector=产业电商")
    wait_idle(tab)
    tab.wait_for_timeout(1500)
    charts = tab.get_by_test_id("stVegaLiteChart")
    seen = 0
    for i in range(charts.count()):
        texts = charts.nth(i).locator("svg text").all_text_contents()
        if "元" not in "".join(texts):
            continue
        labels = [t for t in texts if t.endswith(("元", "元以上")) or t == "未选择"]
        assert labels == [b for b in AMOUNT_BRACKETS if b in labels], labels
        assert "0-5万元" not in texts
        seen += 1
    assert seen == 2  # the distribution and the sectors side by side
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "regions?period=all&province=北京市",
        "demographics?period=all&sector=物流科技",
        "leaderboard?period=all",
        "overview?period=all",
    ],
)
def test_bar_labels_never_overlap(server, browser, path):
    """Every column of axis labels (a bar chart's categories) in every chart: each label
    clear of the next, however few bars the chart has."""
    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    tab = context.new_page()
    tab.goto(f"{server}/{path}")
    wait_idle(tab)
    tab.wait_for_timeout(1500)
    columns = 0
    charts = tab.get_by_test_id("stVegaLiteChart")
    for i in range(charts.count()):
        labels = charts.nth(i).locator("g.role-axis-label text")
        boxes = [labels.nth(j).bounding_box() for j in range(labels.count())]
        by_edge: dict[int, list[dict]] = {}
        for box in boxes:  # a y axis's labels end at the same x
            by_edge.setdefault(round(box["x"] + box["width"]), []).append(box)
        for column in by_edge.values():
            tops = sorted(column, key=lambda b: b["y"])
            if len({round(b["y"]) for b in tops}) < 2:
                continue
            columns += 1
            for upper, lower in itertools.pairwise(tops):
                assert lower["y"] >= upper["y"] + upper["height"] - 1, (path, i, upper, lower)
    assert columns, path
    context.close()


def test_date_only_cases_show_no_invented_time(server, browser):
    """The reports' typical cases carry a date, no time: the list and the case itself show
    2023-12-12, never 2023-12-12 00:00; complaints with a time keep it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = context.new_page()
    tab.goto(f"{server}/cases?period=2023&typical=true")
    wait_idle(tab)
    times = grid_column(tab, "投诉时间")
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t) for t in times), times
    tab.goto(f"{server}/cases?case={grid_column(tab, '编号')[0]}")
    wait_idle(tab)
    card = tab.get_by_test_id("stMetric").filter(has_text="投诉时间").inner_text()
    assert re.search(r"\d{4}-\d{2}-\d{2}$", card) and "00:00" not in card, card
    tab.goto(f"{server}/cases?period=2024&typical=false")
    wait_idle(tab)
    assert all(
        re.fullmatch(r"2024-\d{2}-\d{2}( \d{2}:\d{2})?", t) for t in grid_column(tab, "投诉时间")
    )
    assert any(" " in t for t in grid_column(tab, "投诉时间"))  # times where there are times
    context.close()
