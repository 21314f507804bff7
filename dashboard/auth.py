"""Login with streamlit-authenticator's signed cookie, checked against the database.

streamlit-authenticator keeps the session in a signed (HS256) cookie; the password check,
the brute-force lock and the role come from :mod:`models.users`, read again on every run,
so a disabled account loses access at once.
"""

from __future__ import annotations

import copy
import io
from contextlib import redirect_stdout, suppress

import streamlit as st
import streamlit_authenticator as stauth

from dashboard.access import Viewer, staff_scope
from dashboard.data import database_url, engine
from models.access import users
from models.secrets import cookie_key
from models.store.db import session_scope

COOKIE_NAME = "tousu_auth"
COOKIE_DAYS = 7


def _credentials() -> dict:
    with session_scope(engine(database_url())) as session:
        rows = users.enabled_accounts(session)
    return {
        "usernames": {
            name: {
                "email": "",
                "first_name": name,
                "last_name": "",
                "password": hashed,
                "roles": [role],
            }
            for name, hashed, role in rows
        }
    }


def authenticator() -> stauth.Authenticate:
    """The run's Authenticate object (built once per script run, as the library requires)."""
    # The library mutates the credentials it is given: hand it a private copy.
    return stauth.Authenticate(
        copy.deepcopy(_credentials()),
        COOKIE_NAME,
        cookie_key(),
        COOKIE_DAYS,
        auto_hash=False,
        login_sleep_time=0,
    )


def resolve(auth: stauth.Authenticate) -> Viewer | None:
    """The logged-in viewer (from this session or the cookie), or None."""
    try:
        # The library prints cookie-decoding complaints to stdout; keep the server log clean.
        with redirect_stdout(io.StringIO()):
            auth.login(location="unrendered")
    except Exception:  # a tampered or stale cookie is the same as no cookie
        st.session_state["authentication_status"] = None
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return None
    with session_scope(engine(database_url())) as session:
        role, must_change = users.account_state(session, username)
    if role is None:
        logout(auth)
        return None
    scope = staff_scope() if role in ("staff", "admin") else Viewer("viewer").scope
    return Viewer(role, username=username, scope=scope, must_change_password=must_change)


def login(auth: stauth.Authenticate, username: str, password: str) -> str | None:
    """Check the password (with the lock); on success start the session. Returns an error."""
    with session_scope(engine(database_url()), write=True) as session:
        result = users.authenticate(session, username, password)
    if not result.ok:
        return result.message
    st.session_state["authentication_status"] = True
    st.session_state["username"] = username.strip()
    st.session_state["name"] = username.strip()
    st.session_state["roles"] = [result.role]
    st.session_state["logout"] = False
    auth.cookie_controller.set_cookie()
    return None


def logout(auth: stauth.Authenticate) -> None:
    with suppress(Exception):  # already logged out, or the cookie is gone
        auth.logout(location="unrendered")
    for key in ("authentication_status", "username", "name", "roles"):
        st.session_state.pop(key, None)
