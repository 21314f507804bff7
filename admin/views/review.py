"""审核: pending complaints are transferred to the platform or rejected with a reason."""

from __future__ import annotations

import streamlit as st

from admin.common import opened, read
from admin.editing import keep_open, open_complaint, typed_id
from models.reads import queues
from models.writes import workflow

PAGE = "rv"


def render() -> None:
    who = opened(__file__, "投诉审核")
    pending, total = read(queues.pending_review, who)
    listed = f"，列出最早的 {len(pending):,} 件，其余可输入编号打开" if total > len(pending) else ""
    st.caption(f"待审核 {total:,} 件（最早提交在前{listed}）。移交后平台回复计时开始。")
    options = keep_open(
        PAGE, [cid for cid, _v in pending], st.session_state.get("rv_pick"), "rv_reason_"
    )
    if not options:
        st.info("没有待审核的投诉。")
        return
    cols = st.columns(2)
    picked = cols[0].selectbox("投诉编号", options, key="rv_pick", placeholder="选择投诉编号")
    chosen = typed_id(cols[1], "rv_id") or picked
    edit = open_complaint(PAGE, who, chosen, f"rv_reason_{chosen}")
    if edit is None:
        return
    left, right = st.columns(2)
    if left.button("移交平台", type="primary", key=f"rv_ok_{chosen}"):
        edit.save(workflow.review, f"投诉 {chosen} 已移交", accept=True)
    with right.form(f"reject_{chosen}"):
        reason = st.text_input("不予受理原因", key=f"rv_reason_{chosen}")
        if st.form_submit_button("不予受理", key=f"rv_reject_{chosen}"):
            edit.save(
                workflow.review, f"投诉 {chosen} 已标记为不予受理", accept=False, reason=reason
            )
    edit.close()


if __name__ == "__main__":
    render()
