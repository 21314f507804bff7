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
    fitted_map,
    grid_column,
    streamlit_server,
    wait_idle,
)
from tests.dashboard_helpers import PAGES

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    url = f"sqlite:///{path}"
    from models.store import schema

    schema.upgrade(get_engine(url))
    generate_demo(get_engine(url), complaints=5000, seed=21)
    return url


@pytest.fixture(scope="module")
def server(demo_url):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(
        {
            "TOUSU_DATABASE_URL": demo_url,
            "TOUSU_PUBLIC_DASHBOARDS": "1",
            "TOUSU_REFRESH_SECONDS": "60",
        }
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
    if page == "regions":
        fitted_map(tab)
        tab.locator("h1").first.scroll_into_view_if_needed()
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "screenshots" / f"{page}.png")
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.locator("h1").first.inner_text()
    foreign = [u for u in requests if not u.startswith(LOCAL_PREFIXES)]
    assert foreign == [], foreign
    context.close()


DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
#: What a page draws that must fit the width: charts, the map, tables, figure cards.
FIGURES = ["stVegaLiteChart", "stDeckGlJsonChart", "stDataFrame", "stMetric", "stImage"]


def test_every_page_fits_390_px_whatever_the_user_agent(server, browser):
    """390 px wide with a desktop User-Agent (a narrow window, or a phone that does not say
    so): no page scrolls sideways and every figure lies wholly inside the width — 平台评级's
    small multiples stack, the 地区 map is fitted. Layout follows the width."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=DESKTOP_UA)
    tab = context.new_page()
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    for page in PAGES:
        tab.goto(page_url(server, page))
        wait_idle(tab)
        tab.wait_for_timeout(800)
        if page == "overview":
            tab.screenshot(path=ARTIFACTS / "screenshots" / "overview-phone.png")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, page
        boxes = [
            (kind, box)
            for kind in FIGURES
            for element in tab.get_by_test_id(kind).all()
            if (box := element.bounding_box()) is not None
        ]
        outside = [
            (kind, box) for kind, box in boxes if box["x"] < 0 or box["x"] + box["width"] > 390.5
        ]
        assert outside == [], (page, outside)
        if page == "ratings":  # the four small multiples, one under the other
            charts = [b for kind, b in boxes if kind == "stVegaLiteChart"][-4:]
            assert len({round(b["x"]) for b in charts}) == 1, charts
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


# --- filters survive every page switch ---------------------------------------------------

TITLES = {
    "overview": "总览",
    "regions": "地区",
    "demographics": "用户画像",
    "ratings": "平台评级",
    "leaderboard": "投诉榜",
    "cases": "典型案例",
    "report": "报告",
}
CHOSEN = {"period": "2024", "sector": "金融科技", "platform": "分期乐", "province": "广东省"}


def every_ordered_pair(nodes: list[str]) -> list[str]:
    """A walk through ``nodes`` that goes from each one to each other one exactly once
    (an Eulerian circuit of the complete directed graph, by Hierholzer's algorithm)."""
    left = {n: [m for m in nodes if m != n] for n in nodes}
    stack, walk = [nodes[0]], []
    while stack:
        if left[stack[-1]]:
            stack.append(left[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def test_the_walk_covers_every_ordered_pair():
    walk = every_ordered_pair(list(TITLES))
    steps = list(itertools.pairwise(walk))
    assert len(steps) == len(set(steps)) == len(TITLES) * (len(TITLES) - 1)


def go(tab, page: str) -> None:
    """Switch page the way a reader does: the top menu, not the address bar."""
    tab.get_by_test_id("stTopNavSection").filter(has_text="看板").click()
    tab.get_by_test_id("stTopNavDropdownLink").filter(has_text=TITLES[page]).click()
    tab.wait_for_function(
        "t => document.querySelector('h1') && document.querySelector('h1').innerText === t",
        arg=TITLES[page],
    )  # the new page is drawing: now wait for its run to end
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def title_line(tab) -> str:
    """The caption right under the page's title, parts split on " · "."""
    line = tab.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first.inner_text()
    return line.replace(" · ", "  ")


def url_filters(url: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    return {k: v[0] for k, v in query.items() if k in CHOSEN}


def test_filters_survive_every_page_switch(server, browser, demo_url):
    """Every ordered pair of pages, through the menu: the URL keeps the filters and the
    pages keep showing the figures of that selection (总览's 投诉量 each time it is back)."""
    from urllib.parse import urlencode

    from models.reads.overview import headline
    from models.rules.filters import Filters
    from models.store.db import session_scope

    chosen = Filters.for_year(2024, sectors=("金融科技",), platforms=("分期乐",))
    chosen = Filters(
        sectors=chosen.sectors,
        platforms=chosen.platforms,
        provinces=("广东省",),
        date_from=chosen.date_from,
        date_to=chosen.date_to,
    )
    with session_scope(get_engine(demo_url)) as session:
        expected = f"{headline(session, chosen).complaints:,}"
    assert expected != "0"

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(f"{server}/?{urlencode(CHOSEN)}")
    wait_idle(tab)
    walk = every_ordered_pair(list(TITLES))
    for before, page in itertools.pairwise(walk):
        go(tab, page)
        assert url_filters(tab.url) == CHOSEN, (before, page, tab.url)
        assert tab.locator('[data-testid="stException"]').count() == 0
        if page != "report":  # the title line says every filter (平台评级 picks its own platform)
            said = ["2024年", "金融科技", "广东省"] + ["分期乐"] * (page != "ratings")
            line = title_line(tab)
            assert all(f" {part} " in f" {line} " for part in said), (page, line)
        if page == "overview":
            assert tab.get_by_test_id("stMetricValue").first.inner_text() == expected, before
    context.close()


def test_cases_open_on_the_latest_year_with_typical_cases(server, browser, demo_url):
    """典型案例 with no period chosen opens where the typical cases are (this year has
    none yet), says which year, and the sidebar and URL show that year."""
    from models.reads.cases import search_cases
    from models.rules.filters import Filters
    from models.store.db import session_scope

    with session_scope(get_engine(demo_url)) as session:
        (newest,), _total = search_cases(session, Filters(), typical_only=True, limit=1)
        year = newest.submitted_at.year
        in_year, _ = search_cases(session, Filters.for_year(year), typical_only=True)
    assert year < 2026  # the demo's typical cases are the reports' (older than this year)

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(f"{server}/cases")
    wait_idle(tab)
    main = tab.get_by_test_id("stMain").inner_text()
    assert f"显示最近有典型案例的时期：{year}年" in main
    assert f"共 {len(in_year)} 件" in main and "没有工作人员选定的典型案例" not in main
    assert url_filters(tab.url)["period"] == str(year)
    assert title_line(tab).startswith(f"{year}年 ")
    # a period the reader names is kept, even without typical cases
    tab.goto(f"{server}/cases?period=2026")
    wait_idle(tab)
    assert "没有工作人员选定的典型案例" in tab.get_by_test_id("stMain").inner_text()


def test_amount_brackets_read_in_one_ordered_scheme(server, browser):
    """用户画像's amount charts, where the reports' coarse 0-5万元 was most of 产业电商:
    every bracket a person reads is one of the reports' scheme, in its order."""
    from models.rules.labels import AMOUNT_BRACKETS

    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    tab = context.new_page()
    tab.goto(f"{server}/demographics?period=all&sector=产业电商&dg_tab=投诉金额区间")
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
        *(  # every dimension's tab of 用户画像 (only the open one is drawn)
            f"demographics?period=all&sector=物流科技&dg_tab={tab}"
            for tab in ("性别", "投诉金额区间", "年龄段", "投诉人类型")
        ),
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
