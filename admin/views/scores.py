"""满意度录入: scores 0–10 for replied complaints; corrections keep the history."""

from __future__ import annotations

import streamlit as st

from admin.common import opened, read
from admin.editing import keep_open, open_complaint, typed_id
from models.reads import queues
from models.writes import workflow

PAGE = "sc"


def render() -> None:
    who = opened(__file__, "满意度录入")
    waiting, total = read(queues.awaiting_score, who)
    listed = f"，列出最近的 {len(waiting):,} 件" if total > len(waiting) else ""
    st.caption(
        f"已回复、尚未评价的投诉：{total:,} 件（最近回复在前{listed}）。"
        "其余的投诉和已有评分，输入编号打开。"
    )
    options = keep_open(
        PAGE, [cid for cid, _v in waiting], st.session_state.get("sc_pick"), "sc_value_"
    )
    cols = st.columns(2)
    picked = cols[0].selectbox(
        "待评价的投诉", options, index=None, placeholder="选择编号", key="sc_pick"
    )
    chosen = typed_id(cols[1], "sc_id") or picked
    if chosen is None:
        return
    edit = open_complaint(PAGE, who, chosen, f"sc_value_{chosen}")
    if edit is None:
        return
    scored = edit.detail.score
    with st.form(f"score_{chosen}"):
        # No value until the person picks the one the complainant gave: a preset score
        # would be saved by an untouched form as if someone had given it.
        score = st.pills(
            "用户满意度（0–10，请选择投诉人给出的分值）",
            list(range(11)),
            default=scored,
            key=f"sc_value_{chosen}",
        )
        label = "修改评分（原评分保留在记录中）" if scored is not None else "保存评分"
        if st.form_submit_button(label, type="primary", key=f"sc_save_{chosen}"):
            if score is None:
                st.error("请先选择满意度分值（0–10），再保存。")
            else:
                edit.save(
                    workflow.enter_score,
                    f"已保存投诉 {chosen} 的满意度 {score} 分",
                    score=int(score),
                )
    edit.close()


if __name__ == "__main__":
    render()
