"""The login cookie in headless Chromium: HttpOnly, SameSite, and worthless once revoked.

Each test logs in, copies the browser's cookies (as an attacker who captured them would),
ends the session one way or another, then opens the app in a fresh browser context with
the copied cookies: it must see the login page. A control copy taken while the session
is valid must log in, so the tests cannot pass by the cookie never working at all.
"""

from __future__ import annotations

import time

import pytest

from models.access import users
from models.access.roles import CLI, Actor
from models.store import schema
from models.store.db import get_engine, session_scope
from tests.browser import (
    ARTIFACTS,
    LOGIN_COOKIE,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("auth-e2e")
    url = f"sqlite:///{folder / 'auth.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        for name in ("leaver", "changer", "disabled", "flags", "reader", "typist"):
            users.add_user(session, CLI, name, "viewer", PASSWORD)
        users.add_user(session, CLI, "fresh", "staff", PASSWORD, must_change_password=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "0"}
    with streamlit_server(env) as base:
        yield base, engine


def log_in(browser, base, name, password=PASSWORD):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.goto(base)
    wait_idle(tab)
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    assert f"已登录：{name}" in tab.inner_text("body")
    return context, tab


def captured_cookies(context) -> list[dict]:
    """Every cookie of the context, once the login cookie has arrived."""
    return wait_for_login_cookie(context)


def logged_in_with(browser, base, cookies) -> str:
    """What a fresh browser holding only ``cookies`` sees: the body text of the app."""
    context = browser.new_context()
    context.add_cookies(cookies)
    tab = context.new_page()
    tab.goto(base)
    wait_idle(tab)
    body = tab.inner_text("body")
    title = tab.locator("h1").first.inner_text()
    context.close()
    return f"{title}\n{body}"


def test_the_login_cookie_is_http_only_and_same_site(site, browser):
    base, _ = site
    context, tab = log_in(browser, base, "flags")
    cookie = next(c for c in captured_cookies(context) if c["name"] == LOGIN_COOKIE)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http here; https gets Secure
    assert LOGIN_COOKIE not in tab.evaluate("document.cookie")  # scripts cannot read it
    assert cookie["expires"] > time.time() + 6 * 86400  # kept for the session's 7 days
    tab.reload()
    wait_idle(tab)
    assert "已登录：flags" in tab.inner_text("body")  # a reload logs in by the cookie
    context.close()


def test_a_copied_cookie_is_worthless_after_logout(site, browser):
    base, _ = site
    context, tab = log_in(browser, base, "leaver")
    copied = captured_cookies(context)
    assert "已登录：leaver" in logged_in_with(browser, base, copied)  # control: it works
    tab.goto(f"{base}/account")
    wait_idle(tab)
    tab.get_by_role("button", name="退出登录").click()
    wait_idle(tab)
    assert tab.locator("h1").first.inner_text() == "登录"
    seen = logged_in_with(browser, base, copied)
    assert seen.startswith("登录") and "已登录" not in seen
    deadline = time.time() + 10  # and the browser was asked to drop it
    while any(c["name"] == LOGIN_COOKIE for c in context.cookies()):
        assert time.time() < deadline, "the logout left the cookie in the browser"
        time.sleep(0.2)
    context.close()


def test_the_tab_names_the_page_before_and_after_logging_in(site, browser):
    """The browser tab says 登录 on the login form and, once logged in, the page shown —
    not 登录 still — and follows the person from page to page."""
    base, _ = site
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(base)
    wait_idle(tab)
    assert tab.title() == "登录 · Tousu 投诉数据看板"
    tab.get_by_label("用户名").fill("reader")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    tab.wait_for_function("() => !document.title.startsWith('登录')", timeout=10_000)
    assert tab.title() == "总览 · Tousu 投诉数据看板"
    tab.goto(f"{base}/regions")
    wait_idle(tab)
    assert tab.title() == "地区 · Tousu 投诉数据看板"
    context.close()


def test_a_refused_new_password_says_why_and_keeps_what_was_typed(site, browser):
    """我的账号 states every password rule beside the fields; a new password that breaks
    one is refused naming it, and the three fields keep what was typed."""
    base, _ = site
    context, tab = log_in(browser, base, "typist")
    tab.goto(f"{base}/account")
    wait_idle(tab)
    form = tab.get_by_test_id("stForm")
    assert users.password_rules() in form.inner_text().replace("\u2060", "")
    fields = {
        "当前密码": PASSWORD,
        "新密码": "Typist-at-home-9",  # holds the username
        "再输入一次新密码": "Typist-at-home-9",
    }
    for label, value in fields.items():
        tab.get_by_label(label, exact=True).fill(value)
    tab.get_by_role("button", name="修改密码").click()
    wait_idle(tab)
    error = tab.get_by_test_id("stAlertContainer").inner_text()
    assert "不含用户名" in error and "至少 10 个字符" not in error
    tab.screenshot(path=ARTIFACTS / "screenshots" / "password-refused.png")
    for label, value in fields.items():
        assert tab.get_by_label(label, exact=True).input_value() == value, label
    for label in ("新密码", "再输入一次新密码"):
        tab.get_by_label(label, exact=True).fill("a-quite-new-secret")
    tab.get_by_role("button", name="修改密码").click()
    wait_idle(tab)
    assert "密码已修改" in tab.inner_text("body")
    for label in fields:  # a success starts the form afresh
        assert tab.get_by_label(label, exact=True).input_value() == ""
    context.close()


def test_a_copied_cookie_is_worthless_after_a_password_change(site, browser):
    base, _ = site
    context, tab = log_in(browser, base, "changer")
    copied = captured_cookies(context)
    assert "已登录：changer" in logged_in_with(browser, base, copied)
    tab.goto(f"{base}/account")
    wait_idle(tab)
    tab.get_by_label("当前密码").fill(PASSWORD)
    tab.get_by_label("新密码", exact=True).fill("a-brand-new-secret")
    tab.get_by_label("再输入一次新密码").fill("a-brand-new-secret")
    tab.get_by_role("button", name="修改密码").click()
    wait_idle(tab)
    assert "密码已修改" in tab.inner_text("body")
    seen = logged_in_with(browser, base, copied)
    assert seen.startswith("登录") and "已登录" not in seen
    # The browser that changed the password stays logged in, with a new cookie.
    deadline = time.time() + 15
    while True:
        fresh = [c for c in context.cookies() if c["name"] == LOGIN_COOKIE]
        old = next(c for c in copied if c["name"] == LOGIN_COOKIE)
        if fresh and fresh[0]["value"] != old["value"]:
            break
        assert time.time() < deadline, "no new cookie after the password change"
        time.sleep(0.2)
    assert "已登录：changer" in logged_in_with(browser, base, context.cookies())
    tab.reload()
    wait_idle(tab)
    assert "已登录：changer" in tab.inner_text("body")
    context.close()


def test_a_copied_cookie_is_worthless_once_the_account_is_disabled(site, browser):
    base, engine = site
    context, _tab = log_in(browser, base, "disabled")
    copied = captured_cookies(context)
    assert "已登录：disabled" in logged_in_with(browser, base, copied)
    with session_scope(engine) as session:
        users.set_disabled(session, Actor("boss"), "disabled", True, seen_version=None)
    seen = logged_in_with(browser, base, copied)
    assert seen.startswith("登录") and "已登录" not in seen
    with session_scope(engine) as session:  # enabling again does not revive the cookie
        users.set_disabled(session, Actor("boss"), "disabled", False, seen_version=None)
    seen = logged_in_with(browser, base, copied)
    assert seen.startswith("登录") and "已登录" not in seen
    context.close()


def _answer(tab, url: str) -> str:
    tab.goto(url)
    wait_idle(tab)
    tab.wait_for_timeout(500)
    assert "Page not found" not in tab.inner_text("body")  # Streamlit's own English dialog
    assert tab.locator('[role="dialog"]').count() == 0
    return tab.locator('[data-testid="stMain"]').inner_text()


def test_every_known_address_answers_in_chinese(site, browser):
    """Addresses this viewer may not open say why (or lead home), never "Page not found"."""
    base, _ = site
    tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for path in ("replies", "users", "overview", "account"):
        assert "此页面需要登录后查看" in _answer(tab, f"{base}/{path}")  # on the login form
        assert tab.locator("h1").first.inner_text() == "登录"
    tab.get_by_label("用户名").fill("boss")  # logged in, the address asked for opens
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)
    assert tab.locator("h1").first.inner_text() == "我的账号"

    _context, tab = log_in(browser, base, "reader")
    assert "仅限平台、工作人员、管理员" in _answer(tab, f"{base}/replies")
    assert "仅限管理员" in _answer(tab, f"{base}/users")
    shown = _answer(tab, f"{base}/overview?period=all")  # the default page lives at /
    assert tab.evaluate("location.pathname") == "/"
    assert "period=all" in tab.url
    assert "总览" in shown
    _answer(tab, f"{base}/login")  # already logged in: home
    assert tab.evaluate("location.pathname") == "/"

    _context, tab = log_in(browser, base, "fresh")  # a one-time password: 我的账号 first
    assert "请先修改初始密码" in _answer(tab, f"{base}/replies")
    assert tab.get_by_role("link", name="前往我的账号").count() == 1
    assert "我的账号" in _answer(tab, f"{base}/account")
    assert tab.evaluate("location.pathname") == "/"
