"""The month in progress in a real Chromium: drawn dashed with a 统计中 label on the charts
(Streamlit draws Vega charts as SVG, so their text is in the page), and 无评分 where nothing
has been scored yet. The server runs on the real date; the data is laid out around it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from models import clock
from models.store import schema
from models.store.db import get_engine
from tests.browser import ARTIFACTS, streamlit_server, wait_idle
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
TODAY = clock.today()


def _rows() -> list[dict]:
    """淘宝: a complaint every other day for 14 months up to today, replied within a day and
    scored 8 — except this month's, not scored yet (today's not even replied)."""
    days = [TODAY - timedelta(days=n) for n in range(424, 0, -2)] + [TODAY]
    rows = []
    for day in days:
        submitted = datetime.combine(day, time(0, 1))
        row = {"platform": "淘宝", "submitted_at": f"{submitted:%Y-%m-%d %H:%M}"}
        if day < TODAY:
            row["replied_at"] = f"{submitted + timedelta(hours=20):%Y-%m-%d %H:%M}"
            if (day.year, day.month) != (TODAY.year, TODAY.month):
                row["satisfaction"] = 8
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('in-progress') / 'tousu.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    add_platforms(engine, ("淘宝", "综合电商", True))
    add_complaints(engine, _rows())
    with streamlit_server({"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "1"}) as base:
        yield base


def _open(browser, url: str, shot: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(url)
    wait_idle(tab)
    tab.wait_for_timeout(1500)  # let the charts draw
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=ARTIFACTS / "screenshots" / shot, full_page=True)
    assert tab.locator('[data-testid="stException"]').count() == 0
    return context, tab


def _chart_texts(chart) -> list[str]:
    return chart.locator("svg text").evaluate_all("nodes => nodes.map(n => n.textContent)")


def _dashed(chart) -> int:
    return chart.locator('svg path[stroke-dasharray="5,4"]').count()


def test_the_month_in_progress_on_the_overview(server, browser):
    note = f"统计中（截至{TODAY.month}月{TODAY.day}日）"
    context, tab = _open(browser, f"{server}/?period={TODAY:%Y-%m}", "in-progress-month.png")
    metrics = dict(
        zip(
            tab.get_by_test_id("stMetricLabel").all_inner_texts(),
            tab.get_by_test_id("stMetricValue").all_inner_texts(),
            strict=True,
        )
    )
    assert metrics["用户满意度（0–10）"] == "无评分"
    assert note in tab.inner_text("body")

    tab.goto(f"{server}/?period={TODAY.year}")
    wait_idle(tab)
    tab.wait_for_timeout(1500)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "in-progress-year.png", full_page=True)
    volume = tab.get_by_test_id("stVegaLiteChart").first
    volume.scroll_into_view_if_needed()
    # The legend of the dashed piece: the month in progress and the same days a year
    # before are both counted in part (the year before's is not 统计中).
    assert "只计部分日期" in _chart_texts(volume)
    assert _dashed(volume) >= 1
    context.close()


def test_the_month_in_progress_on_the_ratings_page(server, browser):
    context, tab = _open(
        browser, f"{server}/ratings?rp=淘宝&period={TODAY.year}", "in-progress-ratings.png"
    )
    body = tab.inner_text("body")
    assert f"统计中（截至{TODAY.month}月{TODAY.day}日），不计入" in body
    monthly = tab.get_by_test_id("stVegaLiteChart").first
    monthly.scroll_into_view_if_needed()
    texts = _chart_texts(monthly)
    assert texts.count("统计中") == 2, texts  # the label by the point and the legend
    assert _dashed(monthly) >= 1
    context.close()
