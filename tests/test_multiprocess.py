"""Two Tousu processes on one database behind nginx (deploy/nginx.conf): pages work through
the proxy, a staff write in one process shows in the other at its next refresh, and a login
lock taken in one process holds in the other."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from benchmarks.proxy import NGINX, nginx
from models.access import users
from models.access.roles import CLI
from models.store import schema
from models.store.db import get_engine, session_scope
from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"
REFRESH = 5


@pytest.fixture
def deployment(db_url, tmp_path):
    engine = get_engine(db_url)
    schema.upgrade(engine)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    rows = [{"platform": "云集", "submitted_at": f"2024-03-0{d} 09:00"} for d in (1, 2, 3)]
    rows.append({"platform": "云集", "submitted_at": "2024-03-04 09:00", "status": "待审核"})
    add_complaints(engine, rows)
    env = {
        "TOUSU_DATABASE_URL": db_url,
        "TOUSU_PUBLIC_DASHBOARDS": "1",
        "TOUSU_REFRESH_SECONDS": str(REFRESH),
        "TOUSU_TRUSTED_PROXIES": "127.0.0.1",
    }
    if not Path(NGINX).exists():
        pytest.fail("nginx is needed for this test: apt-get install nginx-light")
    with ExitStack() as stack:
        a = stack.enter_context(streamlit_server(env))
        b = stack.enter_context(streamlit_server(env))
        proxy = stack.enter_context(nginx(tmp_path / "nginx", [a, b], free_port()))
        yield a, b, proxy


def _log_in(tab, base: str, password: str) -> None:
    tab.goto(f"{base}/login")
    wait_idle(tab)
    tab.get_by_label("用户名").fill("clerk")
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)


def test_two_processes_behind_nginx_share_writes_and_login_locks(deployment):
    a, b, proxy = deployment
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # Through the proxy: the page, its websocket and the sticky cookie.
        reader = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = reader.new_page()
        tab.goto(f"{proxy}/?period=2024")
        wait_idle(tab)
        assert tab.get_by_test_id("stMetricValue").first.inner_text() == "3"
        assert any(c["name"] == "tousu_route" for c in reader.cookies())

        # Process B shows the figures; a staff member transfers a complaint in process A.
        watcher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        watcher.goto(f"{b}/?period=2024")
        wait_idle(watcher)
        volume = watcher.get_by_test_id("stMetricValue").first
        assert volume.inner_text() == "3"
        staff = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        _log_in(staff, a, PASSWORD)
        wait_for_login_cookie(staff.context)  # set by the next request; then open the page
        staff.goto(f"{a}/review")
        wait_idle(staff)
        staff.get_by_role("button", name="移交平台").click()
        wait_idle(staff)
        assert staff.get_by_text("已移交").count() >= 1
        deadline = time.time() + 4 * REFRESH
        while volume.inner_text() != "4" and time.time() < deadline:
            watcher.wait_for_timeout(500)
        assert volume.inner_text() == "4"

        # Wrong passwords in process A slow the name down in process B too: five are free,
        # then each must wait 2 s, 4 s, 8 s … after the last (models/access/throttle.py).
        guesser = browser.new_context().new_page()
        for pause in (0, 0, 0, 0, 0, 2.3, 4.3):
            guesser.wait_for_timeout(pause * 1000)
            _log_in(guesser, a, "wrong-password")
            assert guesser.get_by_text("用户名或密码不正确").count() == 1
        late = browser.new_context().new_page()
        _log_in(late, b, PASSWORD)
        assert late.get_by_text("登录失败次数过多").count() == 1
        browser.close()
