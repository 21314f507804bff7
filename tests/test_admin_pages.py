"""Admin pages in AppTest: who can reach what, login, the throttle, writes through the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from models.access import users
from models.access.roles import CLI
from models.clock import local_now
from models.store.db import get_engine, session_scope
from models.store.tables import LoginAttempt
from tests.dashboard_helpers import app, errors
from tests.factories import add_complaints, add_platforms

PASSWORD = "correct-horse-battery"
ADMIN_SCRIPTS = ["replies", "scores", "review", "imports", "platforms", "users", "audit_log"]


@pytest.fixture
def site(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "platform": "云集",
                "submitted_at": "2024-03-01 09:00",
                "complainant": "黄女士",
                "phone": "13912345678",
            }
        ],
    )
    return engine


def logged_in(name: str, password: str = PASSWORD):
    at = app()
    at.text_input(key="lg_user").input(name)
    at.text_input(key="lg_password").input(password)
    at.button[0].click().run()
    return at


def open_admin(at, script: str):
    at.switch_page(f"../admin/views/{script}.py")
    return at.run()


def test_logged_out_sees_only_the_login_page(site):
    at = app()
    assert [t.value for t in at.title] == ["登录"]
    for script in [*ADMIN_SCRIPTS, "account"]:
        with pytest.raises(ValueError):  # not a registered page: it cannot be opened at all
            open_admin(at, script)


def test_well_known_credentials_do_not_log_in(site):
    for name, password in [("admin", "admin"), ("admin", "password"), ("boss", "admin")]:
        at = logged_in(name, password)
        assert [t.value for t in at.title] == ["登录"]
        assert "不正确" in at.error[0].value


@pytest.mark.parametrize("script", ADMIN_SCRIPTS)
def test_a_viewer_cannot_reach_any_admin_page(site, script):
    at = logged_in("watcher")
    assert [t.value for t in at.title] == ["总览"]
    with pytest.raises(ValueError):
        open_admin(at, script)


@pytest.mark.parametrize("script", ADMIN_SCRIPTS)
def test_pages_guard_themselves_even_if_registered(site, script, monkeypatch):
    """Defence in depth: a page script run for a viewer stops before drawing anything."""
    from streamlit.testing.v1 import AppTest

    at = logged_in("watcher")
    page = AppTest.from_file(f"../admin/views/{script}.py", default_timeout=60)
    page.session_state["viewer"] = at.session_state["viewer"]
    page.run()
    assert any("无权访问" in e.value for e in page.error)
    assert not page.dataframe


def test_staff_reach_staff_pages_but_not_admin_pages(site):
    at = logged_in("clerk")
    for script in ("replies", "scores", "review", "imports"):
        assert errors(open_admin(at, script)) == []
        assert not at.error, [e.value for e in at.error]
    for script in ("platforms", "users", "audit_log"):
        with pytest.raises(ValueError):
            open_admin(at, script)


def test_admin_reaches_every_page(site):
    at = logged_in("boss")
    for script in ADMIN_SCRIPTS:
        assert errors(open_admin(at, script)) == []
        assert not at.error, (script, [e.value for e in at.error])


def test_throttle_after_failures_is_shown_and_can_be_lifted(site):
    for _ in range(5):
        logged_in("clerk", "wrong-password")
    # Four more failures just now (a slow machine may take 2 s between two AppTest runs):
    # the next try must wait 32 s.
    with session_scope(site) as session:
        for _ in range(4):
            session.execute(
                insert(LoginAttempt).values(
                    username="clerk", client="local", at=local_now(), outcome="failure"
                )
            )
    at = logged_in("clerk")  # the right password, but too soon
    assert [t.value for t in at.title] == ["登录"]
    assert "秒后再试" in at.error[0].value
    admin = logged_in("boss")
    frame = open_admin(admin, "users").dataframe[0].value
    assert frame.set_index("用户名").loc["clerk", "登录限制至"] != ""
    admin.selectbox(key="us_pick").select("clerk").run()
    admin.button(key="us_unlock_clerk").click().run()
    assert [t.value for t in logged_in("clerk").title] == ["总览"]


def test_staff_see_personal_data_in_the_reply_queue(site):
    at = open_admin(logged_in("clerk"), "replies")
    at.button_group(key="rq_age").set_value("超过120小时").run()  # the 2024 complaint
    at.session_state["rq_open"] = int(at.dataframe[0].value.iloc[0]["编号"])
    at.run()
    texts = " ".join(t.value for t in at.text)
    assert "13912345678" in texts and "黄女士" in texts


def test_one_time_password_must_be_changed_first(site):
    with session_scope(site) as session:
        users.add_user(
            session, CLI, "newbie", "staff", "temporary-pass-1", must_change_password=True
        )
    at = logged_in("newbie", "temporary-pass-1")
    assert [t.value for t in at.title] == ["我的账号"]
    with pytest.raises(ValueError):
        at.switch_page("views/overview.py").run()


def test_reply_queue_waits_in_days_and_hours_and_a_searchable_picker(site):
    from datetime import timedelta

    from web.frames import days_and_hours

    assert [days_and_hours(h) for h in (0.4, 5.9, 24, 77.5, 34134.1)] == [
        "不到1小时",
        "5小时",
        "1天",
        "3天5小时",
        "1422天6小时",
    ]
    waited = local_now() - timedelta(days=3, hours=5, minutes=10)
    add_complaints(
        site,
        [
            {
                "platform": "云集",
                "submitted_at": f"{waited - timedelta(hours=1):%Y-%m-%d %H:%M}",
                "transferred_at": f"{waited:%Y-%m-%d %H:%M}",
                "title": "会员费自动续费后不退款，客服一直推诿不处理",
            },
            {  # waiting longest, so first in the queue, yet with the highest id
                "platform": "云集",
                "submitted_at": "2023-01-01 09:00",
                "transferred_at": "2023-01-02 09:00",
            },
        ],
    )
    at = open_admin(logged_in("clerk"), "replies")
    at.button_group(key="rq_age").set_value("全部").run()
    assert errors(at) == []
    frame = at.dataframe[0].value
    assert "已等待（小时）" not in frame.columns
    fresh = frame[frame["标题"].str.startswith("会员费")].iloc[0]
    # waited 77 h 10 min: 120 - 77.17 = 42.8 h left before the 0.6 step
    assert fresh["已等待"] == "3天5小时" and fresh["回复期限"] == "120小时期限还剩1天18小时"
    picker = at.selectbox(key="rq_open")
    assert picker.placeholder == "输入编号、平台或标题查找"
    assert f"{fresh['编号']} · 云集 · 会员费自动续费后不退款，客服一直推诿不处…" in picker.options
    # Listed by id, not in queue order: typing 557 in the browser offers 557 first and Enter
    # takes it, where the queue order would put a longer-waiting 5574 first.
    listed = [int(label.split(" · ")[0]) for label in picker.options]
    assert listed == sorted(listed) and listed != list(frame["编号"])
    picker.select(int(fresh["编号"])).run()
    assert any("默认为现在" in c.value for c in at.caption)


def test_a_refused_new_account_keeps_what_was_typed(site):
    """用户管理 states the password rules; a weak first password is refused naming the rule
    and the form keeps the name, role and password typed; a success empties it."""
    from models.access.users import password_rules

    at = open_admin(logged_in("boss"), "users")
    assert password_rules() in [c.value for c in at.caption]
    at.text_input(key="us_new_name").input("newcomer")
    at.selectbox(key="us_new_role").select("staff")
    at.text_input(key="us_new_pw").input("newcomer-2026")
    (create,) = [b for b in at.button if b.label == "创建"]
    create.click().run()
    assert "不含用户名" in at.error[0].value
    assert at.text_input(key="us_new_name").value == "newcomer"
    assert at.selectbox(key="us_new_role").value == "staff"
    assert at.text_input(key="us_new_pw").value == "newcomer-2026"
    at.text_input(key="us_new_pw").input("a-fresh-start-1")
    next(b for b in at.button if b.label == "创建").click().run()
    assert not at.error and "已创建用户 newcomer" in at.success[0].value
    assert at.text_input(key="us_new_name").value == ""


def test_an_admin_sets_a_platforms_unrated_reason_on_the_platforms_page(site):
    """平台管理: the 不予评级原因 an admin picks is stored, listed and audited."""
    from models.access.roles import Actor
    from models.reads.platforms import platforms
    from models.writes import audit

    with session_scope(site) as session:
        (info,) = platforms(session).values()
    at = open_admin(logged_in("boss"), "platforms")
    at.selectbox(key="pf_edit_pick").select("云集").run()
    at.selectbox(key=f"pf_reason_{info.id}").select("未取得售后联系方式")
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert errors(at) == []
    with session_scope(site) as session:
        (saved,) = platforms(session).values()
        logged = audit.entries(session, Actor("boss"))
    (entry,) = [e for e in logged if e.action == "edit_platform"]
    assert saved.unrated_reason == "未取得售后联系方式"
    assert entry.before["unrated_reason"] is None
    assert entry.after["unrated_reason"] == "未取得售后联系方式"


@pytest.mark.parametrize(
    ("script", "key"), [("replies", "rq_id"), ("scores", "sc_id"), ("review", "rv_id")]
)
def test_every_queue_opens_any_complaint_by_number_and_says_when_there_is_none(site, script, key):
    """The pickers list the first 200; the number box beside each opens any other — and a
    number that names nothing says so on the page, never a traceback."""
    from sqlalchemy import func, select

    from models.store.tables import Complaint

    rows = [
        {"platform": "云集", "submitted_at": f"2024-04-{1 + i % 28:02d} 10:00", "status": status}
        for i in range(205)
        for status in ("待审核", "已回复")
    ]
    for row in rows:
        if row["status"] == "已回复":
            row.update(
                transferred_at="2024-05-01 10:00", replied_at="2024-05-02 10:00", reply="已处理"
            )
    add_complaints(site, rows)
    with session_scope(site) as session:
        last = session.scalar(select(func.max(Complaint.id)))
    at = open_admin(logged_in("clerk"), script)
    captions = " ".join(c.value for c in at.caption)
    if script != "replies":
        assert "205 件" in captions and "列出" in captions, captions
    for number, shown in ((last + 1000, "不存在"), (2**53 - 1, "不存在"), (last, str(last))):
        at.number_input(key=key).set_value(number).run()
        assert errors(at) == [], (script, number)
        page = " ".join(x.value for x in [*at.warning, *at.markdown, *at.text, *at.caption])
        assert shown in page, (script, number)
