"""What every admin page shares: the role guard, reads, and writes with feedback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from models.access.roles import ROLE_NAMES, Actor
from models.errors import TousuError
from models.store.db import session_scope
from web import data
from web.markup import literal
from web.viewer import actor, current_viewer


def guard(role: str) -> Actor:
    """Stop the page unless the viewer holds ``role`` (checked here, not by hiding menus)."""
    viewer = current_viewer()
    who = actor()
    if who is None or not viewer.has_role(role):
        st.error(f"无权访问：此页面需要“{ROLE_NAMES[role]}”权限。")
        st.stop()
    return who


@dataclass(frozen=True)
class Done:
    """A write that succeeded, with what it returned (always true, even for None)."""

    value: Any = None


def run_write(
    fn: Callable[..., Any], *args: Any, success: str = "已保存", **kwargs: Any
) -> Done | None:
    """Run a domain write in its own transaction; show the outcome; refresh the figures.

    Returns :class:`Done` with the write's result, or None when it was refused (the reason
    is shown on the page).
    """
    try:
        with session_scope(data.engine(data.database_url()), write=True) as session:
            result = fn(session, *args, **kwargs)
    except TousuError as exc:
        st.error(literal(str(exc)))  # messages quote names and values people typed
        return None
    data.clear()
    st.session_state["admin_flash"] = success
    return Done(result)


def read(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain read for an admin page (uncached: staff need the current state)."""
    with session_scope(data.engine(data.database_url())) as session:
        return fn(session, *args, **kwargs)


def flash() -> None:
    message = st.session_state.pop("admin_flash", None)
    if message:
        st.success(literal(message))
