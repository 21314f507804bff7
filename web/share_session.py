"""Share-link sessions: validate the token on every run (revocation works at once) and
count one view per browser session."""

from __future__ import annotations

import streamlit as st

from models.access import sharing
from models.store.db import session_scope
from web.data import REFRESH_SECONDS, database_url, engine


def resolve(token: str, *, first_view: bool) -> sharing.LinkInfo | None:
    with session_scope(engine(database_url()), write=first_view) as session:
        return sharing.resolve(session, token, count_view=first_view)


def still_valid(token: str | None) -> bool:
    """Whether the link an open page is seen through still works (True without a link):
    what the page's periodic look asks, so a revoked link's idle tab clears itself."""
    return token is None or _valid(database_url(), token)


# Every open tab of a link asks once per refresh interval: one read for them all.
@st.cache_data(ttl=min(5, REFRESH_SECONDS), show_spinner=False)
def _valid(url: str, token: str) -> bool:
    with session_scope(engine(url)) as session:
        return sharing.resolve(session, token) is not None
