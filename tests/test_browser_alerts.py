"""The 预警 page in headless Chromium, on SQLite and PostgreSQL: a member of staff sees the
injected rise said, drawn and counted, and its link opens exactly its complaints."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models import clock
from models.access import users
from models.access.roles import CLI
from models.alerts.detect import When, detect
from models.demo import generate_demo
from models.rules.filters import Filters
from models.store.db import dispose_engines, get_engine, session_scope
from tests.browser import ARTIFACTS, LOCAL_PREFIXES, streamlit_server, wait_idle
from tests.conftest import module_database
from tests.factories import add_complaints

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"
RISE = ("拼多多", "任意仅退款")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    """Demo complaints up to now, and 70 about 拼多多's 任意仅退款 in the last two weeks."""
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    generate_demo(engine, complaints=6000, years=3, now=clock.local_now())
    when = When.latest("week", clock.today())
    first = when.step(-1).first
    add_complaints(
        engine,
        [
            {
                "platform": RISE[0],
                "problem_type": RISE[1],
                "province": "广东省",
                "submitted_at": f"{first + timedelta(days=i % 14)} 10:{i % 60:02d}",
            }
            for i in range(70)
        ],
    )
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        found = detect(session, Filters(statuses=None), when)
    dispose_engines()
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "0"}
    with streamlit_server(env) as base:
        yield {"base": base, "found": found, "db": request.param}
    dispose_engines()


def test_a_rise_is_said_drawn_and_leads_to_its_complaints(site, browser):
    hit = next(a for a in site["found"] if (a.platform, a.problem_type) == RISE)
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    tab.goto(f"{site['base']}/login")
    wait_idle(tab)
    tab.get_by_label("用户名").fill("clerk")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    tab.get_by_test_id("stTopNavSection").filter(has_text="看板").click()
    tab.get_by_test_id("stTopNavDropdownLink").filter(has_text="预警").click()
    tab.wait_for_function("() => document.querySelector('h1')?.innerText === '预警'")
    wait_idle(tab)
    main = tab.get_by_test_id("stMain")
    assert f"共 {len(site['found'])} 条预警" in main.inner_text()
    # the innermost block holding the sentence: the alert's card
    card = main.get_by_test_id("stVerticalBlock").filter(has_text=hit.sentence).last
    assert card.get_by_test_id("stVegaLiteChart").count() == 1
    card.get_by_test_id("stVegaLiteChart").locator("svg, canvas").first.wait_for()
    tab.screenshot(path=ARTIFACTS / "screenshots" / f"alerts-{site['db']}.png")

    with context.expect_page() as opened:
        card.get_by_role("link", name="查看这些投诉").click()
    cases = opened.value
    wait_idle(cases)
    said = cases.get_by_test_id("stMain").inner_text()
    assert re.search(rf"共 {hit.actual:,.0f} 件", said), said[:400]
    assert [u for u in requests if not u.startswith(LOCAL_PREFIXES)] == []
    context.close()
