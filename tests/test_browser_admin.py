"""End to end in headless Chromium: a staff member's reply and score change the rating;
viewers and logged-out browsers cannot open admin pages by typing their address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI
from models.clock import local_now
from models.reads.ratings import year_ratings
from models.rules.filters import Filters
from models.store import schema
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from models.writes import workflow
from reports.html import CSP
from tests.browser import (
    ARTIFACTS,
    grid_column,
    reply_band,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin-e2e")
    url = f"sqlite:///{folder / 'e2e.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
        users.add_user(session, CLI, "auditor", "admin", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "E2E-1",
                "platform": "云集",
                "submitted_at": "2024-05-10 09:00",
                "title": "签到送商品活动没得送",
            },
            {  # marked typical by the import, still waiting for review
                "external_id": "E2E-2",
                "platform": "云集",
                "submitted_at": "2024-05-11 09:00",
                "status": "待审核",
                "title": "待审核的拼团退款纠纷",
                "typical": "是",
                "headline": "拼团退款纠纷",
            },
        ],
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_PUBLIC_DASHBOARDS": "0",
    }
    with streamlit_server(env) as base:
        yield base, engine


def log_in(browser, base, name):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.goto(base)
    wait_idle(tab)
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    wait_for_login_cookie(context)  # the tests open addresses in this tab next
    return context, tab


def choose(tab, label, option):
    tab.get_by_label(label).click()
    tab.get_by_role("option", name=option).click()
    wait_idle(tab)


def rating_row(tab, base):
    tab.goto(f"{base}/ratings?period=2024&rp=云集")
    wait_idle(tab)
    tab.wait_for_timeout(800)
    table = tab.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    return table


def test_staff_reply_and_score_change_the_rating(site, browser):
    base, engine = site
    context, tab = log_in(browser, base, "clerk")
    tab.screenshot(path=ARTIFACTS / "screenshots" / "staff-after-login.png")
    assert tab.locator("h1").first.inner_text() == "总览"

    tab.goto(f"{base}/replies")
    wait_idle(tab)
    reply_band(tab, "超过120小时")  # transferred in 2024: one click from the due ones
    choose(tab, "录入回复的投诉（也可在表格中选择）", re.compile(r"^1 · 云集 · "))
    tab.get_by_label("平台回复内容").fill("您好，已为您补发商品。")
    tab.get_by_role("button", name="保存回复").click()
    wait_idle(tab)
    assert tab.get_by_text("已保存投诉 1 的回复").count() == 1

    tab.goto(f"{base}/scores")
    wait_idle(tab)
    choose(tab, "待评价的投诉", "1")
    # The form starts without a score: saved untouched, it stores none.
    assert tab.locator('[role="radio"][aria-checked="true"]').count() == 0
    tab.get_by_role("button", name="保存评分").click()
    wait_idle(tab)
    assert tab.get_by_text("请先选择满意度分值").count() == 1
    with session_scope(engine) as session:
        assert session.scalar(select(Complaint.score).where(Complaint.id == 1)) is None
    tab.get_by_role("radio", name="8", exact=True).click()
    tab.get_by_role("button", name="保存评分").click()
    wait_idle(tab)
    assert tab.get_by_text("满意度 8 分").count() == 1

    with session_scope(engine) as session:
        expected = year_ratings(session, Filters(), "云集", 2024)[0].report_row()
    # The reply came long after the 2024 transfer: timeliness 0; satisfaction 8.
    assert expected["平台反馈率"] == "100.00%" and expected["综合指数"] == "0.660"
    table = rating_row(tab, base)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "ratings-after-staff-entry.png")
    del table
    metrics = dict(
        zip(
            tab.get_by_test_id("stMetricLabel").all_inner_texts(),
            tab.get_by_test_id("stMetricValue").all_inner_texts(),
            strict=True,
        )
    )
    for name in ("平台反馈率", "回复时效性", "用户满意度", "综合指数"):
        assert metrics[name] == expected[name]
    assert tab.get_by_text(f"2024年评级：{expected['评级']}").count() == 1
    context.close()


def test_the_reply_queue_opens_on_what_is_due_soonest(site, browser):
    """回复录入 opens on the complaints still in time for the full score, the one whose
    72-hour deadline comes first on top; the overdue are counted one click away."""
    base, engine = site
    now = local_now()
    add_platforms(engine, ("洋码头", "跨境电商", True))
    add_complaints(
        engine,
        [
            {
                "platform": "洋码头",
                "submitted_at": f"{now - timedelta(hours=hours + 1):%Y-%m-%d %H:%M}",
                "transferred_at": f"{now - timedelta(hours=hours):%Y-%m-%d %H:%M}",
                "title": title,
            }
            for hours, title in [
                (2, "刚移交的投诉"),
                (70, "快到期的投诉"),
                (100, "已超过72小时的投诉"),
                (30000, "三年前的投诉"),
            ]
        ],
    )
    context, tab = log_in(browser, base, "clerk")
    tab.goto(f"{base}/replies")
    wait_idle(tab)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "reply-queue.png")
    assert grid_column(tab, "标题") == ["快到期的投诉", "刚移交的投诉"]
    overdue = tab.get_by_role("radio", name=re.compile(r"^超过120小时（\d+）$"))
    assert int(re.search(r"（(\d+)）", overdue.inner_text())[1]) >= 1
    assert "已超过72小时的" in tab.locator('[data-testid="stMain"]').inner_text()
    overdue.click()
    wait_idle(tab)
    assert "三年前的投诉" in grid_column(tab, "标题")
    context.close()


def test_the_audit_log_shows_what_changed_wrapped_to_the_page(site, browser):
    """Each entry lists only the fields it changed, 字段：前 → 后, one a line, and a long
    value wraps inside the page instead of running off it."""
    base, engine = site
    add_complaints(
        engine,
        [{"external_id": "AUDIT-1", "platform": "云集", "submitted_at": "2024-06-01 09:00"}],
    )
    long_reply = "您好，商家已同意为您办理退款，款项将在三个工作日内原路退回，请留意银行短信。" * 4
    with session_scope(engine) as session:
        users.add_user(session, CLI, "promoted", "viewer", PASSWORD)
        users.set_role(session, CLI, "promoted", "staff", seen_version=None)
        target = session.scalar(select(Complaint).where(Complaint.external_id == "AUDIT-1"))
        workflow.enter_reply(
            session,
            CLI,
            target.id,
            text=long_reply,
            seen_version=target.version,
            replied_at=target.transferred_at + timedelta(hours=30),
        )
    context, tab = log_in(browser, base, "auditor")
    tab.goto(f"{base}/audit")
    wait_idle(tab)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "audit-log.png", full_page=True)
    table = tab.get_by_test_id("stTable")
    headers = table.locator("th").all_inner_texts()
    rows = [
        dict(zip(headers, r.locator("td").all_inner_texts(), strict=True))
        for r in table.locator("tbody tr").all()
    ]
    (role,) = [r for r in rows if r["操作"] == "修改角色" and r["编号"] == "promoted"]
    assert role["变更"] == "角色：查看者 → 工作人员"  # not its username, not disabled: 否
    (reply,) = [r for r in rows if r["操作"] == "录入回复" and r["编号"] == str(target.id)]
    lines = reply["变更"].split("\n")
    assert "状态：已移交 → 已回复" in lines and "回复时间：空 → 2024-06-02 15:00" in lines
    assert not any(line.startswith(("投诉平台", "version")) for line in lines)
    cell = table.locator("tbody tr", has_text="回复内容").locator("td").last
    box, main = cell.bounding_box(), tab.get_by_test_id("stMain").bounding_box()
    assert box["x"] + box["width"] <= main["x"] + main["width"]  # inside the page
    assert box["height"] > 4 * 20  # the reply wrapped onto several lines
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")  # no sideways scrolling
    context.close()


@pytest.mark.parametrize("path", ["replies", "scores", "review", "users", "audit", "platforms"])
def test_viewer_typing_an_admin_address_gets_no_admin_page(site, browser, path):
    base, _ = site
    context, tab = log_in(browser, base, "watcher")
    tab.goto(f"{base}/{path}")
    wait_idle(tab)
    # The address answers with why (dashboard/elsewhere.py) and nothing of the page itself.
    lines = [x for x in tab.locator('[data-testid="stMain"]').inner_text().split("\n") if x]
    lines = [x for x in lines if x != "home"]  # the link's icon, drawn from its name
    assert len(lines) == 3 and "仅限" in lines[1] and lines[2] == "前往总览", lines
    assert tab.get_by_test_id("stDataFrame").count() == 0
    assert tab.locator("input, textarea").count() == 0
    assert "工作台" not in tab.inner_text("header")  # no staff menu either
    context.close()


@pytest.mark.parametrize("path", ["replies", "users", "overview", "ratings"])
def test_logged_out_browser_sees_only_the_login(site, browser, path):
    base, _ = site
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{base}/{path}")
    wait_idle(tab)
    assert tab.locator("h1").first.inner_text() == "登录"
    assert "黄女士" not in tab.inner_text("body")
    context.close()


def test_staff_marks_a_typical_case_and_the_report_quotes_it(site, browser, tmp_path):
    base, _engine = site
    context, tab = log_in(browser, base, "clerk")
    tab.goto(f"{base}/cases?case=1&typical=false")
    wait_idle(tab)
    tab.get_by_text("标为典型案例", exact=True).click()
    tab.get_by_label("案例标题").fill("签到送商品活动没得送？“云集”被指服务态度差")
    tab.get_by_role("button", name="保存典型案例设置").click()
    wait_idle(tab)
    assert tab.get_by_text("投诉 1 已标为典型案例").count() == 1

    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(f"{base}/report")
    wait_idle(tab)
    tab.get_by_role("button", name="生成报告").click()
    wait_idle(tab)
    tab.wait_for_timeout(1000)
    tab.screenshot(path=ARTIFACTS / "screenshots" / "report-page.png")
    # st.iframe's frame holds the report in a frame sandboxed with no permission
    frame = tab.frame_locator("iframe").first
    assert frame.locator("iframe").get_attribute("sandbox") == ""
    preview = frame.frame_locator("iframe")
    policy = preview.locator('meta[http-equiv="Content-Security-Policy"]')
    assert policy.get_attribute("content") == CSP
    assert preview.get_by_text("【案例一】签到送商品活动没得送？“云集”被指服务态度差").count() == 1
    with tab.expect_download() as download:
        tab.get_by_role("button", name="下载 HTML").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    assert [u for u in requests if not u.startswith(base)] == []

    reader = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = reader.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url))
    page.goto(saved.as_uri())
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "screenshots" / "report-html.png", full_page=False)
    assert page.locator("h1").inner_text() == "2024年中国社交电商投诉数据与典型案例报告"
    assert page.locator("img").count() >= 2  # the charts, embedded
    assert [u for u in outside if not u.startswith(("file:", "data:"))] == []
    reader.close()
    context.close()


def test_a_pending_typical_case_shows_only_in_the_review_queue(site, browser):
    """Marked typical by an import but still 待审核: staff searching 典型案例 do not find it
    (as no reader does); the review queue shows it, saying it is public once transferred."""
    base, _engine = site
    context, tab = log_in(browser, base, "clerk")
    tab.goto(f"{base}/cases?period=all&typical=true&q=拼团退款纠纷")
    wait_idle(tab)
    assert "没有找到符合条件的投诉" in tab.get_by_test_id("stMain").inner_text()
    tab.goto(f"{base}/cases?period=all&typical=false&q=拼团退款纠纷")
    wait_idle(tab)
    assert "共 1 件" in tab.get_by_test_id("stMain").inner_text()  # staff still find it
    tab.goto(f"{base}/review")
    wait_idle(tab)
    assert "典型案例（移交后才作为典型案例公开）：拼团退款纠纷" in tab.inner_text("body")
    context.close()
