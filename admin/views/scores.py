"""满意度录入: scores 0–10 for replied complaints; corrections keep the history."""

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

PAGE = "sc"


def render() -> None:
    who = guard("staff")
    st.title("满意度录入")
    flash()
    waiting = read(queues.awaiting_score, who)
    st.caption(
        f"已回复、尚未评价的投诉：{len(waiting)} 件（最近回复在前）。也可输入编号修改已有评分。"
    )
    options = [cid for cid, _v in waiting]
    picked = st.session_state.get("sc_pick")
    if picked not in options and is_open(PAGE, picked, f"sc_value_{picked}"):
        options.append(picked)  # scored by someone else meanwhile: keep the open form
    cols = st.columns(2)
    picked = cols[0].selectbox(
        "待评价的投诉", options, index=None, placeholder="选择编号", key="sc_pick"
    )
    typed = cols[1].number_input("或输入投诉编号", min_value=1, step=1, value=None, key="sc_id")
    chosen = int(typed) if typed else picked
    if chosen is None:
        return
    detail = read(cases.complaint_for_staff, who, chosen)
    if detail is None:
        st.warning(f"投诉 {chosen} 不存在。")
        return
    seen = seen_version(PAGE, chosen, detail.version, f"sc_value_{chosen}")
    case_panel(detail, reveal=True)
    notice = st.container()
    refused = False
    with st.form(f"score_{chosen}"):
        score = st.slider(
            "用户满意度（0–10）",
            0,
            10,
            value=detail.score if detail.score is not None else 8,
            key=f"sc_value_{chosen}",
        )
        label = "修改评分（原评分保留在记录中）" if detail.score is not None else "保存评分"
        if st.form_submit_button(label, type="primary", key=f"sc_save_{chosen}"):
            if run_write(
                workflow.enter_score,
                who,
                chosen,
                score=int(score),
                seen_version=seen,
                success=f"已保存投诉 {chosen} 的满意度 {score} 分",
            ):
                forget_seen(PAGE, chosen)
                st.rerun()
            refused = True
    with notice:
        changed_notice(PAGE, who, chosen, seen, detail.version, explain=not refused)


if __name__ == "__main__":
    render()
