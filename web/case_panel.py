"""One complaint in full, as staff handle it and as a case URL shows it: text as text."""

from __future__ import annotations

import streamlit as st

from models.reads.cases import CaseDetail
from models.rules.labels import COUNTING_STATUSES
from web.frames import moment
from web.markup import literal


def case_panel(detail: CaseDetail, *, reveal: bool) -> None:
    """One complaint in full. User-written text is shown with st.text: never Markdown or HTML.

    Contact data appears only when ``reveal`` (staff); the domain layer leaves it out otherwise.
    """
    row = detail.row
    st.markdown(f"#### 投诉 {row.id}")
    cols = st.columns(4)
    cols[0].metric("投诉平台", literal(row.platform))  # metric values read Markdown too
    cols[1].metric("问题类型", literal(row.problem_type))
    cols[2].metric("状态", literal(row.status))
    cols[3].metric("投诉时间", moment(row.submitted_at))
    st.text(f"标题：{row.title or '（无）'}")
    if row.typical:
        waiting = "" if row.status in COUNTING_STATUSES else "（移交后才作为典型案例公开）"
        st.text(f"典型案例{waiting}：{row.headline or row.title or '（未填写案例标题）'}")
    st.text(
        f"投诉人：{row.complainant or '—'}　地区：{row.province or '未知'}　"
        f"金额：{detail.amount or '—'}（{row.amount_bracket}）"
    )
    if reveal:
        st.text(
            f"电话：{detail.phone or '—'}　邮箱：{detail.email or '—'}　"
            f"订单号：{detail.order_number or '—'}　身份证号：{detail.id_number or '—'}"
        )
    st.caption("投诉内容")
    st.text(detail.content or "（无）")
    if detail.demand:
        st.caption("诉求")
        st.text(detail.demand)
    if detail.rejection_reason:
        st.caption("不予受理原因")
        st.text(detail.rejection_reason)
    times = f"移交：{moment(detail.transferred_at)}" if detail.transferred_at else "尚未移交"
    if detail.replied_at:
        times += f"　回复：{moment(detail.replied_at)}"
    st.caption(times)
    st.caption("平台回复")
    if detail.replied_at:
        st.text(detail.reply or "（回复内容未录入）")
    else:
        st.text("平台尚未回复。")
    if detail.score_history:
        st.caption(
            "满意度记录："
            + "，".join(f"{s} 分（{at:%m-%d %H:%M}）" for s, at in detail.score_history)
        )
