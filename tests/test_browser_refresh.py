"""An open dashboard in Chromium: idle while the data stays the same, up to date soon after
it changes (the page reruns only when the data version moved)."""

from __future__ import annotations

import time

import pytest

from models.store import schema
from models.store.db import get_engine
from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
REFRESH = 5  # the smallest refresh interval the settings allow


def _rows(n: int, day: int) -> list[dict]:
    return [{"platform": "云集", "submitted_at": f"2024-03-{day:02d} 09:{i:02d}"} for i in range(n)]


def test_open_page_stays_idle_then_follows_a_change(tmp_path):
    url = f"sqlite:///{tmp_path / 'refresh.db'}"
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
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        received: list[int] = []
        tab.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
        tab.goto(f"{base}/?period=2024")
        wait_idle(tab)
        volume = tab.get_by_test_id("stMetricValue").first
        assert volume.inner_text() == "7"

        # Two refresh intervals with nothing new: only the version look goes back and forth.
        received.clear()
        tab.wait_for_timeout(2 * REFRESH * 1000 + 1000)
        idle_bytes = sum(received)
        assert volume.inner_text() == "7"

        # A staff import in another process: the page follows within an interval or two.
        add_complaints(engine, _rows(5, 2))
        received.clear()
        deadline = time.time() + 4 * REFRESH
        while volume.inner_text() != "12" and time.time() < deadline:
            tab.wait_for_timeout(500)
        assert volume.inner_text() == "12"
        # Redrawing the page sends far more than looking at the version did while idle.
        assert sum(received) > 5 * max(idle_bytes, 1), (idle_bytes, sum(received))
        browser.close()
