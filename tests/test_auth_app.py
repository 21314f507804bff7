"""The login session in the app (AppTest): checked on every run, ended by what should end it."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from models.access import users
from models.access.roles import CLI, Actor
from models.clock import local_now
from models.store.db import get_engine, session_scope
from models.store.tables import LoginSession, User
from tests.dashboard_helpers import app

PASSWORD = "correct-horse-battery"


@pytest.fixture
def site(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
    return engine


def logged_in(name: str, password: str = PASSWORD):
    at = app()
    at.text_input(key="lg_user").input(name)
    at.text_input(key="lg_password").input(password)
    at.button[0].click().run()
    return at


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def open_sessions(engine, name: str) -> int:
    with session_scope(engine) as session:
        rows = session.execute(
            select(LoginSession.revoked_at).join(User).where(User.username == name)
        ).all()
    return sum(revoked is None for (revoked,) in rows)


@pytest.mark.parametrize(
    "end",
    [
        lambda s: users.set_disabled(s, Actor("boss"), "watcher", True, seen_version=None),
        lambda s: users.set_password(
            s, Actor("boss"), "watcher", "temporary-pass-9", seen_version=None
        ),
        lambda s: users.set_role(s, Actor("boss"), "watcher", "staff", seen_version=None),
    ],
    ids=["disabled", "password-reset", "role-change"],
)
def test_an_open_tab_is_logged_out_at_its_next_run(site, end):
    at = logged_in("watcher")
    assert titles(at) == ["总览"] and open_sessions(site, "watcher") == 1
    with session_scope(site) as session:
        end(session)
    at.run()
    assert titles(at) == ["登录"]


def test_logout_ends_the_session_on_the_server(site):
    at = logged_in("watcher")
    at.switch_page("../admin/views/account.py").run()
    at.button(key="ac_logout").click().run()
    assert titles(at) == ["登录"] and open_sessions(site, "watcher") == 0


def test_own_password_change_keeps_this_tab_and_ends_the_others(site):
    other_tab = logged_in("watcher")
    at = logged_in("watcher")
    at.switch_page("../admin/views/account.py").run()
    at.text_input(key="ac_current").input(PASSWORD)
    at.text_input(key="ac_new").input("a-brand-new-secret")
    at.text_input(key="ac_again").input("a-brand-new-secret")
    at.button[0].click().run()
    assert "密码已修改" in at.success[0].value
    assert titles(at) == ["我的账号"] and open_sessions(site, "watcher") == 1
    other_tab.run()
    assert titles(other_tab) == ["登录"]


def test_the_current_password_on_my_account_goes_through_the_login_throttle(site):
    """我的账号 proves the current password like a login: five wrong ones and even the right
    one must wait; each try is recorded for the throttle under this browser's address."""
    from models.store.tables import LoginAttempt

    at = logged_in("watcher")
    at.switch_page("../admin/views/account.py")
    at.run()

    def submit(current: str) -> str:
        at.text_input(key="ac_current").input(current)
        at.text_input(key="ac_new").input("a-brand-new-secret")
        at.text_input(key="ac_again").input("a-brand-new-secret")
        (button,) = [b for b in at.button if b.label == "修改密码"]
        button.click().run()
        return " ".join(e.value for e in at.error)

    for _ in range(5):
        assert "当前密码不正确" in submit("not-my-password")
    # Three more failures just now make the wait 16 s rather than 2 s, so the next try falls
    # inside it however slowly this machine runs the page.
    with session_scope(site) as session:
        for _ in range(3):
            session.execute(
                insert(LoginAttempt).values(
                    username="watcher", client="local", outcome="failure", at=local_now()
                )
            )
    assert "当前密码错误次数过多" in submit(PASSWORD)
    assert users.log_in(site, "watcher", PASSWORD).message.startswith("登录失败次数过多")
    with session_scope(site) as session:
        tries = session.execute(
            select(LoginAttempt.username, LoginAttempt.client, LoginAttempt.outcome).where(
                LoginAttempt.outcome != "success"
            )
        ).all()
    assert tries[:8] == [("watcher", "local", "failure")] * 8
    assert tries[8] == ("watcher", "local", "throttled")
