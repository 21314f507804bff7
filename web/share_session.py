"""Share-link sessions: validate the token on every run (revocation works at once) and
count one view per browser session.

A visit is a browser session, not a Streamlit one: a reload, a new tab, a case opened from
a copied link or a reconnect after the laptop slept each start a new Streamlit session.
So the first run of a session counts only if the browser does not say it has been here:
it then remembers the link in a session cookie (gone when the browser closes).
"""

from __future__ import annotations

import json

import streamlit as st

from models.access import sharing
from models.store.db import session_scope
from web import cookie_routes
from web.data import REFRESH_SECONDS, database_url, engine

#: The links this browser session has visited (their visit keys, dot-separated).
SEEN_COOKIE = "tousu_share_seen"


def _seen() -> list[str]:
    return [k for k in (st.context.cookies.get(SEEN_COOKIE) or "").split(".") if k]


def resolve(token: str, *, first_run: bool) -> sharing.LinkInfo | None:
    """The link, counting a view on the first run of a browser session new to it."""
    count = first_run and sharing.visit_key(token) not in _seen()
    with session_scope(engine(database_url()), write=count) as session:
        return sharing.resolve(session, token, count_view=count)


def remember(token: str) -> None:
    """Have the browser remember this link for the rest of its session (a cookie without
    expiry; a marker, no secret, so set by the page)."""
    seen = _seen()
    key = sharing.visit_key(token)
    if key in seen:
        return
    value = ".".join([*seen[-20:], key])
    cookie = f"{SEEN_COOKIE}={value}; path={cookie_routes.base_path() or '/'}; SameSite=Lax"
    st.html(
        "<style>[data-testid='stLayoutWrapper']:has(> .st-key-share_seen){display:none}</style>"
    )
    with st.container(key="share_seen"):
        st.html(
            f"<script>document.cookie = {json.dumps(cookie)};</script>",
            unsafe_allow_javascript=True,
        )


def still_valid(token: str | None) -> bool:
    """Whether the link an open page is seen through still works (True without a link):
    what the page's periodic look asks, so a revoked link's idle tab clears itself."""
    return token is None or _valid(database_url(), token)


# Every open tab of a link asks once per refresh interval: one read for them all.
@st.cache_data(ttl=min(5, REFRESH_SECONDS), show_spinner=False)
def _valid(url: str, token: str) -> bool:
    with session_scope(engine(url)) as session:
        return sharing.resolve(session, token) is not None
