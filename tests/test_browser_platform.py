"""A platform account in headless Chromium: its own complaints, its own figures, nothing of
any other platform — pages, hand-edited URLs, downloads, the report page and every
websocket frame — and every staff and admin address refused; its reply saved with the
version check. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.pages import DASHBOARD_PAGES, WORKBENCH_PAGES
from models.access import users
from models.access.roles import CLI
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import Complaint, Reply
from tests.browser import (
    ARTIFACTS,
    LOCAL_PREFIXES,
    choose_download,
    reply_band,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)
from tests.conftest import module_database
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"
OWN, OTHERS = "自营平台", ("别家平台", "第三平台")
# What only another platform's complaints hold: none of it may reach the platform account.
SECRETS = ("别家机密标题", "别家投诉人", "13911112222", "第三平台", "别家平台")


def _rows() -> list[dict]:
    rows = []
    for i in range(30):
        for platform in (OWN, *OTHERS):
            mine = platform == OWN
            rows.append(
                {
                    "platform": platform,
                    "submitted_at": f"2026-{1 + i % 10:02d}-{1 + i % 27:02d} 10:00",
                    "province": "广东省",
                    "complainant": "自家投诉人" if mine else "别家投诉人",
                    "phone": "13800001111" if mine else "13911112222",
                    "title": f"自家标题{i}" if mine else f"别家机密标题{i}",
                    "content": "退款迟迟不到账",
                    "status": "已移交" if i % 3 else "待审核",
                    "transferred_at": "" if i % 3 == 0 else f"2026-{1 + i % 10:02d}-28 10:00",
                    "typical": "是" if i % 3 else "",
                    "headline": f"典型{i}" if i % 3 else "",
                }
            )
    return rows


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    add_platforms(engine, (OWN, "社交电商", True), *((o, "社交电商", True) for o in OTHERS))
    add_complaints(engine, _rows())
    with session_scope(engine) as session:
        users.add_user(session, CLI, "own", "platform", PASSWORD, platforms=[OWN])
        other_case = session.scalar(select(Complaint.id).where(Complaint.title == "别家机密标题1"))
    dispose_engines()
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "0"}
    with streamlit_server(env) as base:
        yield {"base": base, "engine": get_engine(url), "other": other_case, "db": request.param}
    dispose_engines()


def _log_in(browser, base):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    frames: list[bytes] = []
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda p: frames.append(p if isinstance(p, bytes) else p.encode())
        ),
    )
    tab.goto(base)
    wait_idle(tab)
    tab.get_by_label("用户名").fill("own")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    assert "已登录：own" in tab.inner_text("body")
    wait_for_login_cookie(context)  # set by the next request: only then may a new URL open
    return context, tab, frames, requests


def _open(tab, url: str) -> str:
    tab.goto(url)
    wait_idle(tab)
    tab.wait_for_timeout(400)
    return tab.inner_text("body")


def _leaks(text: str | bytes) -> list[str]:
    data = text if isinstance(text, bytes) else text.encode()
    return [s for s in SECRETS if s.encode() in data]


def test_a_platform_account_sees_only_its_own(site, browser):
    base = site["base"]
    context, tab, frames, requests = _log_in(browser, base)
    for spec in DASHBOARD_PAGES:
        body = _open(tab, f"{base}/{'' if spec.path == 'overview' else spec.path}?period=all")
        assert _leaks(body) == [], spec.path
    # hand-edited URLs: another platform chosen, another platform's case
    body = _open(tab, f"{base}/leaderboard?period=all&platform={OTHERS[0]}&sector=社交电商")
    assert _leaks(body) == []
    body = _open(tab, f"{base}/cases?period=all&case={site['other']}")
    assert "该投诉不存在" in body and _leaks(body) == []
    # its own cases, with the contact details it needs, and their download
    body = _open(tab, f"{base}/cases?period=all&typical=false&q=自家标题1")
    assert "共 8 件" in body  # 1, 10–19 less the pending ones (the grid is a canvas)
    csv_text = Path(choose_download(tab, "下载 CSV").path()).read_text(encoding="utf-8-sig")
    assert "自家标题1" in csv_text and "自家投诉人" in csv_text and _leaks(csv_text) == []
    # the report page: its own sector, its own platform only
    _open(tab, f"{base}/report")
    tab.get_by_role("button", name="生成报告").click()
    wait_idle(tab)
    tab.get_by_role("button", name="下载 Markdown").wait_for(timeout=60_000)
    with tab.expect_download() as caught:
        tab.get_by_role("button", name="下载 Markdown").click()
    report = Path(caught.value.path()).read_text(encoding="utf-8")
    assert OWN in report and _leaks(report) == []
    tab.screenshot(path=ARTIFACTS / "screenshots" / f"platform-report-{site['db']}.png")
    assert frames and [s for f in frames for s in _leaks(f)] == []
    assert [u for u in requests if not u.startswith(LOCAL_PREFIXES)] == []
    context.close()


def test_a_platform_account_is_refused_every_staff_and_admin_address(site, browser):
    base = site["base"]
    context, tab, _frames, _requests = _log_in(browser, base)
    for spec in WORKBENCH_PAGES:
        body = tab.locator('[data-testid="stMain"]')
        _open(tab, f"{base}/{spec.path}")
        text = body.inner_text()
        if spec.path == "replies":
            assert "回复录入" in text and "仅限" not in text
        else:
            assert "仅限" in text, spec.path
    context.close()


def test_a_platform_account_replies_with_the_version_check(site, browser):
    base, engine = site["base"], site["engine"]
    context, tab, _frames, _requests = _log_in(browser, base)
    body = _open(tab, f"{base}/replies")
    reply_band(tab)  # its complaints were transferred months ago
    assert _leaks(body) == []
    with session_scope(engine) as session:
        target = session.scalar(
            select(Complaint.id)
            .where(Complaint.title.like("自家标题%"), Complaint.status == "已移交")
            .order_by(Complaint.id)
        )
    tab.get_by_label("录入回复的投诉（也可在表格中选择）").click()
    tab.keyboard.type(str(target))
    tab.keyboard.press("Enter")
    wait_idle(tab)
    tab.get_by_label("平台回复内容").fill("您好，已为您退款")
    tab.get_by_role("button", name="保存回复").click()
    wait_idle(tab)
    assert f"已保存投诉 {target} 的回复" in tab.inner_text("body")
    with session_scope(engine) as session:
        saved = session.scalar(select(Reply.content).where(Reply.complaint_id == target))
    assert saved == "您好，已为您退款"
    tab.screenshot(path=ARTIFACTS / "screenshots" / f"platform-reply-{site['db']}.png")
    context.close()
