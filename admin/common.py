"""What every admin page shares: the role guard, writes with feedback, the complaint panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import data
from dashboard.access import actor, current_viewer
from dashboard.markup import literal
from models.access.roles import ROLE_NAMES, Actor
from models.errors import TousuError
from models.store.db import session_scope


def guard(role: str) -> Actor:
    """Stop the page unless the viewer holds ``role`` (checked here, not by hiding menus)."""
    viewer = current_viewer()
    who = actor()
    if who is None or not viewer.has_role(role):
        st.error(f"无权访问：此页面需要“{ROLE_NAMES[role]}”权限。")
        st.stop()
    return who


def run_write(fn: Callable[..., Any], *args: Any, success: str = "已保存", **kwargs: Any) -> bool:
    """Run a domain write in its own transaction; show the outcome; refresh the figures."""
    try:
        with session_scope(data.engine(data.database_url()), write=True) as session:
            fn(session, *args, **kwargs)
    except TousuError as exc:
        st.error(literal(str(exc)))  # messages quote names and values people typed
        return False
    data.clear()
    st.session_state["admin_flash"] = success
    return True


def read(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain read for an admin page (uncached: staff need the current state)."""
    with session_scope(data.engine(data.database_url())) as session:
        return fn(session, *args, **kwargs)


def flash() -> None:
    message = st.session_state.pop("admin_flash", None)
    if message:
        st.success(literal(message))
