"""Who is logged in on this run: a server-side session behind an HttpOnly cookie.

The password check and the throttle are :func:`models.access.users.log_in`; the session is
:mod:`models.access.sessions`. A successful login keeps the session's id in this browser
session's state and hands the browser a one-time ticket, which the page trades for the
HttpOnly login cookie at ``/api/session`` (:mod:`web.cookie_routes`). A page opened
later finds the session through that cookie. Every run reads the session again, so a
logout, a password change, a role change or disabling the account ends it at once,
in every tab and for every copy of the cookie.
"""

from __future__ import annotations

import json
import time

import streamlit as st

from models.access import policy, sessions, throttle, users
from models.access.roles import Actor
from models.rules.filters import Filters
from models.store.db import session_scope
from web import cookie_routes
from web.data import database_url, engine
from web.viewer import Viewer

#: {"handle": the session's id and start, "ticket": its one-time ticket until the cookie is set,
#:  "until": when the ticket expires (time.time())}
SESSION = "auth_session"
#: Set when this browser's cookie should be deleted (logout, or a dead cookie).
CLEAR_COOKIE = "auth_clear_cookie"
#: A cookie this browser session already found dead: not looked up again.
DEAD_COOKIE = "auth_dead_cookie"


def _engine():
    return engine(database_url())


def _text(value: object) -> str | None:
    # Outside a browser session (AppTest) the request context holds no real values.
    return value if isinstance(value, str) else None


def client_address() -> str:
    """The address this browser's login attempts are throttled under: the connection's
    client as :mod:`web.proxies` settled it (forwarding headers only from trusted proxies)."""
    return throttle.client_key(_text(st.context.ip_address))


def _cookie() -> str | None:
    return _text(st.context.cookies.get(cookie_routes.COOKIE))


def _lookup() -> tuple[sessions.Current, Filters] | None:
    """This browser's session and what its account may see, or None."""
    state = st.session_state.get(SESSION)
    token = None if state else _cookie()
    if not state and (not token or token == st.session_state.get(DEAD_COOKIE)):
        return None
    with session_scope(_engine()) as session:
        if state:
            found = sessions.current(session, handle=state["handle"])
        else:
            found = sessions.current(session, token=token)
        if found is None:
            return None
        return found, policy.principal(session, Actor(found.username)).scope.filters


def resolve() -> Viewer | None:
    """The logged-in viewer, checked against the database on every run; None if none."""
    state = st.session_state.get(SESSION)
    looked_up = _lookup()
    if looked_up is None:
        if state is not None:  # ended elsewhere: logout in another tab, disabled, …
            st.session_state.pop(SESSION, None)
            st.session_state[CLEAR_COOKIE] = True
        token = _cookie()
        if token and token != st.session_state.get(DEAD_COOKIE):
            st.session_state[DEAD_COOKIE] = token
            st.session_state[CLEAR_COOKIE] = True
        return None
    found, scope = looked_up
    # Adopt a session found by its cookie; forget a ticket once used or expired.
    if state is None or (
        state.get("ticket") and (found.cookie_set or time.time() > state["until"])
    ):
        st.session_state[SESSION] = {"handle": found.handle, "ticket": None}
    return Viewer(
        found.role,
        username=found.username,
        scope=scope,
        must_change_password=found.must_change_password,
    )


def no_administrator() -> bool:
    """Whether nobody can administer yet (a new database): the login page says how to
    create the first administrator, which only the server's command line can."""
    with session_scope(_engine()) as session:
        return users.count_admins(session) == 0


def _keep(started: sessions.Started) -> None:
    until = time.time() + sessions.TICKET_LIFETIME.total_seconds()
    st.session_state[SESSION] = {
        "handle": started.handle,
        "ticket": started.ticket,
        "until": until,
    }


def login(username: str, password: str) -> str | None:
    """Check the password (with the throttle); on success start a session. Returns an error."""
    result = users.log_in(_engine(), username, password, client=client_address())
    if not result.ok or result.session is None:
        return result.message
    _keep(result.session)
    st.session_state.pop(CLEAR_COOKIE, None)
    return None


def logout() -> None:
    """End this browser's session on the server, then ask the browser to drop the cookie."""
    state = st.session_state.pop(SESSION, None)
    if state is not None:
        with session_scope(_engine(), write=True) as session:
            sessions.revoke(session, handle=state["handle"])
    st.session_state[CLEAR_COOKIE] = True


def renew() -> None:
    """A new session (and cookie) for this browser after its own password change.

    The change ended every session of the account, this one included, so that cookies
    captured before it are worthless; the person who just proved the old password stays
    logged in with a fresh one.
    """
    state = st.session_state.get(SESSION)
    if state is None:
        return
    with session_scope(_engine(), write=True) as session:
        started = sessions.reissue(session, state["handle"])
    if started is None:
        st.session_state.pop(SESSION, None)
        st.session_state[CLEAR_COOKIE] = True
        return
    _keep(started)


def _post(path: str, body: str) -> None:
    url = cookie_routes.base_path() + path
    call = (
        f"fetch({json.dumps(url)}, {{method: 'POST', body: {json.dumps(body)}, "
        "credentials: 'same-origin', headers: {'Content-Type': 'text/plain'}})"
    ).replace("<", "\\u003c")
    # The element only carries the script: hide its (otherwise empty) row.
    st.html(
        "<style>[data-testid='stLayoutWrapper']:has(> .st-key-auth_cookie){display:none}</style>"
    )
    with st.container(key="auth_cookie"):
        st.html(f"<script>{call}</script>", unsafe_allow_javascript=True)


def browser_requests() -> None:
    """Ask the browser to set the HttpOnly cookie after a login, or to drop it after a logout.

    Repeated on every run until the server has seen the ticket redeemed or it expired
    (a ticket posted twice is refused the second time, harmlessly). Without JavaScript,
    or with the request blocked, this tab stays logged in but a new tab asks again.
    """
    state = st.session_state.get(SESSION)
    if state is not None and state.get("ticket"):
        _post(cookie_routes.START, state["ticket"])
    elif st.session_state.pop(CLEAR_COOKIE, False):
        _post(cookie_routes.END, "")
