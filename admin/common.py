"""What every admin page shares: the role guard, writes with feedback, the complaint panel,
and the version a person saw when a complaint's form was drawn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from models.access.roles import ROLE_NAMES, Actor
from models.errors import TousuError
from models.store.db import session_scope
from models.writes.workflow import describe_changes
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


# --- one complaint, two staff ----------------------------------------------------------
#
# A save sends the version the person saw, and the domain refuses it if the complaint has
# moved on (no lost update). That version must be the one on screen when the form was
# drawn, not one re-read in the run that handles the click: the page keeps it in
# session_state while the form stays on screen. Streamlit forgets a widget's state when
# the widget is not drawn, so ``form_key`` (a widget of the form) tells whether the form
# was on screen in the previous run; if not, this is a fresh opening.


def _seen_key(page: str, complaint_id: int) -> str:
    return f"{page}_seen_{complaint_id}"


def is_open(page: str, complaint_id: int | None, form_key: str) -> bool:
    """Whether the form for ``complaint_id`` was on screen in the previous run (and not
    just saved): the page keeps it open even if the complaint left its list meanwhile."""
    return (
        complaint_id is not None
        and form_key in st.session_state
        and _seen_key(page, complaint_id) in st.session_state
    )


def seen_version(page: str, complaint_id: int, current: int, form_key: str) -> int:
    """The complaint's version when this person's form for it was drawn; kept until a
    successful save (:func:`forget_seen`) or a reload (:func:`changed_notice`)."""
    key = _seen_key(page, complaint_id)
    if form_key not in st.session_state or key not in st.session_state:
        st.session_state[key] = current
    return st.session_state[key]


def forget_seen(page: str, complaint_id: int) -> None:
    """After a successful save: the next drawing starts from the saved version."""
    st.session_state.pop(_seen_key(page, complaint_id), None)


def changed_notice(
    page: str, who: Actor, complaint_id: int, seen: int, current: int, *, explain: bool = True
) -> None:
    """If the complaint changed since the form was drawn: say who changed what, keep what
    the person typed, and offer to load the latest version (a deliberate choice)."""
    if current == seen:
        return
    if explain:
        what = read(describe_changes, who, complaint_id, seen)
        st.warning(
            literal(f"你打开投诉 {complaint_id} 之后，{what}。")
            + "上方显示的是最新内容；你填写的内容仍在表单中，现在保存会被拒绝。"
            "请核对后点“载入最新内容”，再决定是否保存。"
        )
    if st.button("载入最新内容", key=f"{page}_reload_{complaint_id}"):
        st.session_state[_seen_key(page, complaint_id)] = current
        st.rerun()
