"""审核: pending complaints are transferred to the platform or rejected with a reason."""

from __future__ import annotations

import streamlit as st

from admin.common import (
    changed_notice,
    flash,
    forget_seen,
    guard,
    is_open,
    read,
    run_write,
    seen_version,
)
from models.reads import cases, queues
from models.writes import workflow
from web.case_panel import case_panel

PAGE = "rv"


def render() -> None:
    who = guard("staff")
    st.title("投诉审核")
    flash()
    pending = read(queues.pending_review, who)
    st.caption(f"待审核 {len(pending)} 件（最早提交在前）。移交后平台回复计时开始。")
    options = [cid for cid, _v in pending]
    picked = st.session_state.get("rv_pick")
    if picked not in options and is_open(PAGE, picked, f"rv_reason_{picked}"):
        options.append(picked)  # reviewed by someone else meanwhile: keep the open form
    if not options:
        st.info("没有待审核的投诉。")
        return
    chosen = st.selectbox("投诉编号", options, key="rv_pick")
    detail = read(cases.complaint_for_staff, who, chosen)
    if detail is None:
        st.warning("该投诉已不存在。")
        return
    seen = seen_version(PAGE, chosen, detail.version, f"rv_reason_{chosen}")
    case_panel(detail, reveal=True)
    notice = st.container()
    refused = False
    left, right = st.columns(2)
    if left.button("移交平台", type="primary", key=f"rv_ok_{chosen}"):
        if run_write(
            workflow.review,
            who,
            chosen,
            accept=True,
            seen_version=seen,
            success=f"投诉 {chosen} 已移交",
        ):
            forget_seen(PAGE, chosen)
            st.rerun()
        refused = True
    with right.form(f"reject_{chosen}"):
        reason = st.text_input("不予受理原因", key=f"rv_reason_{chosen}")
        if st.form_submit_button("不予受理", key=f"rv_reject_{chosen}"):
            if run_write(
                workflow.review,
                who,
                chosen,
                accept=False,
                reason=reason,
                seen_version=seen,
                success=f"投诉 {chosen} 已标记为不予受理",
            ):
                forget_seen(PAGE, chosen)
                st.rerun()
            refused = True
    with notice:
        changed_notice(PAGE, who, chosen, seen, detail.version, explain=not refused)


if __name__ == "__main__":
    render()
