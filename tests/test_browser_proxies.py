"""The login throttle counts the address Tousu trusts, on a real server in Chromium.

Streamlit's server (uvicorn) on its own takes X-Forwarded-For from any local process. A
browser on this machine that sends a forged X-Forwarded-For must be counted as the local
client, unless TOUSU_TRUSTED_PROXIES lists loopback (a proxy on the same machine).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI
from models.store import schema
from models.store.db import get_engine, session_scope
from models.store.tables import LoginAttempt
from tests.browser import streamlit_server, wait_idle

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module", params=["", "127.0.0.1"], ids=["no-proxy", "local-proxy"])
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("proxies")
    url = f"sqlite:///{folder / 'proxies.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", "correct-horse-battery")
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_TRUSTED_PROXIES": request.param}
    with streamlit_server(env) as base:
        yield base, engine, request.param


def test_a_forged_forwarded_for_counts_only_from_a_trusted_proxy(site, browser):
    base, engine, trusted = site
    claimed = ["198.51.100.7", "198.51.100.8"]
    for address in claimed:
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": address})
        tab = context.new_page()
        tab.goto(base)
        wait_idle(tab)
        tab.get_by_label("用户名").fill("boss")
        tab.get_by_label("密码").fill("not-the-password")
        tab.get_by_role("button", name="登录").click()
        wait_idle(tab)
        assert tab.get_by_text("用户名或密码不正确").count() == 1
        context.close()
    with session_scope(engine) as session:
        counted = session.execute(select(LoginAttempt.client).order_by(LoginAttempt.id)).scalars()
        counted = list(counted)
    assert counted == (claimed if trusted else ["local", "local"])
