"""What every admin page shares: the role guard, writes with feedback, the complaint panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import data
from dashboard.access import actor, current_viewer
from models.cases import CaseDetail
from models.db import session_scope
from models.errors import TousuError
from models.permissions import ROLE_NAMES, Actor


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
        st.error(str(exc))
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
        st.success(message)


def complaint_panel(detail: CaseDetail) -> None:
    """The complaint in full, personal data included (staff only reach this)."""
    row = detail.row
    st.markdown(f"#### 投诉 {row.id}")
    cols = st.columns(4)
    cols[0].metric("投诉平台", row.platform)
    cols[1].metric("问题类型", row.problem_type)
    cols[2].metric("状态", row.status)
    cols[3].metric("投诉时间", row.submitted_at.strftime("%Y-%m-%d %H:%M"))
    st.text(f"标题：{row.title or '（无）'}")
    st.text(
        f"投诉人：{row.complainant or '—'}　地区：{row.province or '未知'}　"
        f"电话：{detail.phone or '—'}　邮箱：{detail.email or '—'}"
    )
    st.text(
        f"金额：{detail.amount or '—'}（{row.amount_bracket}）　"
        f"订单号：{detail.order_number or '—'}　身份证号：{detail.id_number or '—'}"
    )
    st.caption("投诉内容")
    st.text(detail.content or "（无）")
    if detail.demand:
        st.caption("诉求")
        st.text(detail.demand)
    times = f"移交：{detail.transferred_at:%Y-%m-%d %H:%M}" if detail.transferred_at else "尚未移交"
    if detail.replied_at:
        times += f"　回复：{detail.replied_at:%Y-%m-%d %H:%M}"
    st.caption(times)
    if detail.reply:
        st.caption("平台回复")
        st.text(detail.reply)
    if detail.score_history:
        st.caption(
            "满意度记录："
            + "，".join(f"{s} 分（{at:%m-%d %H:%M}）" for s, at in detail.score_history)
        )
