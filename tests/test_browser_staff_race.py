"""Two staff in two browsers on one complaint (headless Chromium, one server): the second
save is refused with who changed what, what was typed stays, and nothing is overwritten.
On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI
from models.store import schema
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import Complaint, Reply
from tests.browser import (
    ARTIFACTS,
    reply_band,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)
from tests.conftest import BACKENDS, _reset_postgres
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("race-e2e")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'race.db'}"
        schema.upgrade(get_engine(url))
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    engine = get_engine(url)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "alice", "staff", PASSWORD)
        users.add_user(session, CLI, "bob", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "REPLIED",
                "platform": "云集",
                "submitted_at": "2024-05-10 09:00",
                "replied_at": "2024-05-11 09:00",
                "reply": "已处理",
            },
            {"external_id": "WAITING", "platform": "云集", "submitted_at": "2024-05-12 09:00"},
        ],
    )
    with session_scope(engine) as session:
        ids = dict(session.execute(select(Complaint.external_id, Complaint.id)).all())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_SECRETS_DIR": str(folder / "secrets"),
        "TOUSU_PUBLIC_DASHBOARDS": "0",
    }
    with streamlit_server(env) as base:
        yield base, engine, ids, request.param
    dispose_engines()


def log_in(browser, base, name):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = context.new_page()
    tab.goto(base)  # logged out, the login is the only page
    wait_idle(tab)
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    wait_for_login_cookie(context)  # before opening other addresses
    return context, tab


def open_complaint(tab, base, page, label, complaint_id):
    tab.goto(f"{base}/{page}")
    wait_idle(tab)
    if page == "replies":
        reply_band(tab)  # the complaints are from 2024
    tab.get_by_label(label).click()
    # 回复录入 lists "557 · 云集 · 标题"; 满意度录入 the id alone
    name = re.compile(rf"^{complaint_id} · ") if page == "replies" else str(complaint_id)
    tab.get_by_role("option", name=name, exact=True).click()
    wait_idle(tab)


def set_score(tab, value: int) -> None:
    tab.get_by_role("radio", name=str(value), exact=True).click()
    assert score_chosen(tab) == value


def score_chosen(tab) -> int | None:
    """The score picked in the form on screen (None: none yet)."""
    picked = tab.locator('[role="radio"][aria-checked="true"]').all_inner_texts()
    return int(picked[0]) if picked else None


def click(tab, name: str) -> None:
    tab.get_by_role("button", name=name).click()
    wait_idle(tab)


def alert(tab) -> str:
    return " ".join(tab.get_by_test_id("stAlertContainer").all_inner_texts()).replace("\u2060", "")


def score_of(engine, complaint_id: int) -> int | None:
    with session_scope(engine) as session:
        return session.get(Complaint, complaint_id).score


def test_second_score_is_refused_in_the_other_browser(site, browser):
    base, engine, ids, backend = site
    cid = ids["REPLIED"]
    (ctx_a, a), (ctx_b, b) = log_in(browser, base, "alice"), log_in(browser, base, "bob")
    for tab in (a, b):  # bob opens the complaint before alice saves
        open_complaint(tab, base, "scores", "待评价的投诉", cid)

    set_score(a, 7)
    click(a, "保存评分")
    assert "满意度 7 分" in alert(a)

    set_score(b, 3)
    click(b, "保存评分")
    b.screenshot(
        path=ARTIFACTS / "screenshots" / f"staff-race-refused-{backend}.png", full_page=True
    )
    refused = alert(b)
    assert "保存被拒绝" in refused and "alice" in refused and "满意度 空 → 7" in refused
    assert "已保存" not in refused
    assert score_chosen(b) == 3  # kept
    assert score_of(engine, cid) == 7

    click(b, "载入最新内容")  # bob looks at alice's score, then decides to correct it
    assert score_chosen(b) == 3
    click(b, "修改评分（原评分保留在记录中）")
    assert "满意度 3 分" in alert(b)
    assert score_of(engine, cid) == 3
    ctx_a.close()
    ctx_b.close()


def test_second_reply_is_refused_in_the_other_browser(site, browser):
    base, engine, ids, _backend = site
    cid = ids["WAITING"]
    (ctx_a, a), (ctx_b, b) = log_in(browser, base, "alice"), log_in(browser, base, "bob")
    label = "录入回复的投诉（也可在表格中选择）"
    for tab in (a, b):
        open_complaint(tab, base, "replies", label, cid)

    a.get_by_label("平台回复内容").fill("甲：已为您办理退款")
    click(a, "保存回复")
    assert f"已保存投诉 {cid} 的回复" in alert(a)

    b.get_by_label("平台回复内容").fill("乙：请补充订单截图")
    click(b, "保存回复")
    refused = alert(b)
    assert "保存被拒绝" in refused and "alice" in refused and "甲：已为您办理退款" in refused
    assert b.get_by_label("平台回复内容").input_value() == "乙：请补充订单截图"
    with session_scope(engine) as session:
        replies = session.execute(select(Reply.content).where(Reply.complaint_id == cid))
        assert list(replies.scalars()) == ["甲：已为您办理退款"]
    ctx_a.close()
    ctx_b.close()
