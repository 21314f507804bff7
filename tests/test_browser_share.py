"""A shared link in headless Chromium: nothing personal in the HTML or the downloads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models import schema, sharing
from models.db import get_engine, session_scope
from models.demo import generate_demo
from models.permissions import CLI
from models.tables import Complaint
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
from tests.dashboard_helpers import PAGES
from tests.factories import add_complaints

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("share-e2e")
    url = f"sqlite:///{folder / 'share.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    generate_demo(engine, complaints=3000, seed=8)
    add_complaints(
        engine,
        [
            {
                "platform": "分期乐",
                "submitted_at": f"2024-0{m}-15 10:00",
                "province": "广东省",
                "gender": "女",
                "complainant": f"黄丽华{m}",
                "phone": f"1380013800{m}",
                "email": f"huang{m}@example.org",
                "title": "分期乐暴力催收",
                "content": "频繁骚扰",
            }
            for m in range(1, 6)
        ],
    )
    with session_scope(engine) as session:
        _, token = sharing.create_link(
            session,
            CLI,
            label="金融科技报道",
            sectors=["金融科技"],
            date_from=date(2024, 1, 1),
            date_to=date(2024, 12, 31),
        )
        rows = session.execute(
            select(Complaint.complainant, Complaint.phone, Complaint.email)
        ).all()
    secrets_ = {v for row in rows for v in row[1:] if v} | {
        row[0] for row in rows if row[0] and not row[0].endswith(("女士", "先生"))
    }
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_SECRETS_DIR": str(folder / "secrets")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(env) as base:
        yield base, token, secrets_


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_shared_pages_and_downloads_hold_no_personal_data(site, browser):
    base, token, personal = site
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    for page in PAGES:
        path = "" if page == "overview" else page
        tab.goto(f"{base}/{path}?share={token}")
        wait_idle(tab)
        tab.wait_for_timeout(800)
        html = tab.content()
        assert "金融科技报道" in html
        assert [v for v in personal if v in html] == [], page
    tab.goto(f"{base}/cases?share={token}&q=频繁骚扰")
    wait_idle(tab)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "shared-cases.png")
    with tab.expect_download() as caught:
        tab.get_by_role("button", name="下载 CSV").first.click()
    data = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert "广东省黄女士" in data
    assert [v for v in personal if v in data] == []
    context.close()


def test_editing_the_shared_url_does_not_widen_it(site, browser):
    base, token, _ = site
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.goto(f"{base}/leaderboard?share={token}&sector=零售电商&period=all&platform=淘宝")
    wait_idle(tab)
    body = tab.inner_text("body")
    assert "零售电商" not in body.split("投诉榜", 1)[-1]
    assert "淘宝" not in body
    context.close()


@pytest.mark.parametrize("token", ["not-a-token", "A" * 32, ""])
def test_bad_links_show_the_invalid_page(site, browser, token):
    base, _, _ = site
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{base}/?share={token}" if token else f"{base}/?share=")
    wait_idle(tab)
    title = tab.locator("h1").first.inner_text()
    assert title in ("链接无效或已过期", "登录")
    assert tab.get_by_test_id("stMetricValue").count() == 0
    context.close()
