"""审核: pending complaints are transferred to the platform or rejected with a reason."""

from __future__ import annotations

import streamlit as st

from admin.common import flash, guard, read, run_write
from dashboard.ui import case_panel
from models.reads import cases, queues
from models.writes import workflow


def render() -> None:
    who = guard("staff")
    st.title("投诉审核")
    flash()
    pending = read(queues.pending_review, who)
    st.caption(f"待审核 {len(pending)} 件（最早提交在前）。移交后平台回复计时开始。")
    if not pending:
        st.info("没有待审核的投诉。")
        return
    chosen = st.selectbox("投诉编号", [cid for cid, _v in pending], key="rv_pick")
    detail = read(cases.complaint_for_staff, who, chosen)
    if detail is None:
        st.warning("该投诉已不存在。")
        return
    case_panel(detail, reveal=True)
    left, right = st.columns(2)
    if left.button("移交平台", type="primary", key=f"rv_ok_{chosen}") and run_write(
        workflow.review,
        who,
        chosen,
        accept=True,
        seen_version=detail.version,
        success=f"投诉 {chosen} 已移交",
    ):
        st.rerun()
    with right.form(f"reject_{chosen}"):
        reason = st.text_input("不予受理原因", key=f"rv_reason_{chosen}")
        if st.form_submit_button("不予受理") and run_write(
            workflow.review,
            who,
            chosen,
            accept=False,
            reason=reason,
            seen_version=detail.version,
            success=f"投诉 {chosen} 已标记为不予受理",
        ):
            st.rerun()


if __name__ == "__main__":
    render()
