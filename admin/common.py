"""What every admin page shares: the role guard, reads, and writes with feedback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard.pages import by_script
from models.access.policy import CAPABILITY_NAMES
from models.access.roles import Actor
from models.errors import TousuError
from models.store import faults, scope
from models.store.db import session_scope
from models.store.scope import scoped_session
from web import data
from web.markup import literal
from web.viewer import actor, current_viewer


def guard(script: str) -> Actor:
    """Stop the page unless the viewer may open it (the capability its spec in
    dashboard/pages.py names — checked here, on the server, not by hiding menus)."""
    needs = by_script(script).needs
    who = actor()
    if who is None or (needs is not None and not current_viewer().can(needs)):
        name = "登录" if needs is None else CAPABILITY_NAMES[needs]
        st.error(f"无权访问：此页面需要“{name}”权限。")
        st.stop()
    return who


def opened(script: str, title: str) -> Actor:
    """The opening of an admin page: guarded (see :func:`guard`), titled, and the outcome
    of the write that led here shown. Returns who is looking."""
    who = guard(script)
    st.title(title)
    flash()
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
    is shown on the page). A database fault (server unreachable, disk full, read-only)
    is said in one sentence: the transaction was rolled back, nothing half-written.
    """

    def in_a_transaction() -> Any:
        with session_scope(data.engine(data.database_url()), write=True) as session:
            scope.bind(session, current_viewer().read_scope)
            return fn(session, *args, **kwargs)

    return run_action(in_a_transaction, success=success)


def run_action(
    fn: Callable[..., Any], *args: Any, success: str = "已保存", **kwargs: Any
) -> Done | None:
    """:func:`run_write` for a domain action that opens its own transactions (given the
    engine, as a password change through the login throttle does)."""
    try:
        result = fn(*args, **kwargs)
    except TousuError as exc:
        st.error(literal(str(exc)))  # messages quote names and values people typed
        return None
    except faults.CANDIDATES as exc:
        fault = faults.describe(exc)
        if fault is None:
            raise
        st.error(save_failed(fault))
        return None
    data.clear()
    st.session_state["admin_flash"] = success
    return Done(result)


def save_failed(fault: faults.Fault) -> str:
    """What a person is told when a save met a database fault."""
    return (
        f"保存失败：{fault.message}，这次的修改没有保存（已保存的数据不受影响）。"
        "请稍后再试；若连接恰在保存时中断，请刷新页面核对是否已保存。"
    )


def read(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain read for an admin page (uncached: staff need the current state)."""
    with scoped_session(data.engine(data.database_url()), current_viewer().read_scope) as session:
        return fn(session, *args, **kwargs)


def keep_until_saved(flag: str, empty: dict[str, Any]) -> None:
    """A form keeps what was typed when a save is refused (no clear_on_submit), and starts
    afresh after one succeeds: call before drawing it, with each field's key and empty
    value; after a success set ``session_state[flag]``."""
    if st.session_state.pop(flag, False):
        # Set, not deleted: a deleted key would take the browser's last value back.
        st.session_state.update(empty)


def flash() -> None:
    message = st.session_state.pop("admin_flash", None)
    if message:
        st.success(literal(message))
