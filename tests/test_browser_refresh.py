"""An open dashboard in Chromium: idle while the data stays the same, up to date soon after
it changes (the page reruns only when the data version moved), and cleared soon after the
share link it is seen through is revoked — without anyone touching the tab."""

from __future__ import annotations

import time

import pytest

from models.access import sharing
from models.access.roles import CLI
from models.store import schema
from models.store.db import dispose_engines, get_engine, session_scope
from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
REFRESH = 5  # the smallest refresh interval the settings allow


def _rows(n: int, day: int) -> list[dict]:
    return [{"platform": "云集", "submitted_at": f"2024-03-{day:02d} 09:{i:02d}"} for i in range(n)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('refresh') / 'refresh.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(engine, _rows(7, 1))
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_PUBLIC_DASHBOARDS": "1",
        "TOUSU_REFRESH_SECONDS": str(REFRESH),
    }
    with streamlit_server(env) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield base, engine, browser
        browser.close()
    dispose_engines()


def test_open_page_stays_idle_then_follows_a_change(site):
    base, engine, browser = site
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    received: list[int] = []
    tab.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    tab.goto(f"{base}/?period=2024")
    wait_idle(tab)
    volume = tab.get_by_test_id("stMetricValue").first
    before = int(volume.inner_text())

    # Two refresh intervals with nothing new: only the version look goes back and forth
    # (counted from one interval on: a loaded machine may still be finishing the first draw).
    tab.wait_for_timeout(REFRESH * 1000)
    wait_idle(tab)
    received.clear()
    tab.wait_for_timeout(2 * REFRESH * 1000 + 1000)
    idle_bytes = sum(received)
    assert int(volume.inner_text()) == before

    # A staff import in another process: the page follows within an interval or two.
    add_complaints(engine, _rows(5, 2))
    received.clear()
    deadline = time.time() + 4 * REFRESH
    while int(volume.inner_text()) != before + 5 and time.time() < deadline:
        tab.wait_for_timeout(500)
    assert int(volume.inner_text()) == before + 5
    # Redrawing the page sends far more than an interval's look at the version while idle
    # (the idle count spans two intervals).
    assert sum(received) > 5 * max(idle_bytes / 2, 1), (idle_bytes, sum(received))
    tab.close()


def test_a_revoked_links_idle_tabs_clear_themselves(site):
    """Two untouched tabs of a link (总览, and 报告 which does not follow the data) show
    its figures; the link is revoked: within two intervals both show only 链接无效或已过期."""
    base, engine, browser = site
    with session_scope(engine) as session:
        link, token = sharing.create_link(session, CLI, label="撤销测试", sectors=["社交电商"])
    tabs = []
    for page in ("", "report"):
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"{base}/{page}?share={token}")
        wait_idle(tab)
        assert "撤销测试（只读分享）" in tab.inner_text("body")
        tabs.append(tab)
    assert tabs[0].get_by_test_id("stMetricValue").count() > 0

    with session_scope(engine) as session:
        sharing.revoke(session, CLI, link.id)
    deadline = time.time() + 3 * REFRESH
    for tab in tabs:
        title = tab.locator("h1").first
        while title.inner_text() != "链接无效或已过期" and time.time() < deadline:
            tab.wait_for_timeout(500)
        assert title.inner_text() == "链接无效或已过期"
        body = tab.inner_text("body")
        assert "撤销测试" not in body and "社交电商" not in body
        assert tab.get_by_test_id("stMetricValue").count() == 0
        tab.close()
