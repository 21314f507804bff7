"""平台管理: add and edit platforms (name, sector, onboarded) — administrators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin.common import opened, read, run_write
from models.reads.platforms import platforms as all_platforms
from models.writes import platforms as platform_writes


def render() -> None:
    who = opened(__file__, "平台管理")
    infos = sorted(read(all_platforms).values(), key=lambda p: (p.sector, p.name))
    frame = pd.DataFrame(
        [
            {"平台": p.name, "赛道": p.sector, "是否入驻": "是" if p.onboarded else "否"}
            for p in infos
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="pf_table", height=320)
    st.caption("未入驻（无售后联系方式）的平台在消费评级中记为“不予评级”。")
    sectors = sorted({p.sector for p in infos})
    by_name = {p.name: p for p in infos}
    left, right = st.columns(2)
    with left.form("pf_add", clear_on_submit=True):
        st.markdown("**新增平台**")
        name = st.text_input("平台名称", key="pf_new_name")
        sector = st.selectbox(
            "赛道",
            sectors,
            key="pf_new_sector",
            accept_new_options=True,
            placeholder="选择或输入赛道",
        )
        onboarded = st.checkbox("已入驻", key="pf_new_on")
        if st.form_submit_button("新增", type="primary") and run_write(
            platform_writes.save_platform,
            who,
            name=name,
            sector=sector or "",
            onboarded=onboarded,
            success=f"已新增平台 {name}",
        ):
            st.rerun()
    with right:
        _edit_form(who, sectors, by_name)


def _edit_form(who, sectors: list[str], by_name: dict) -> None:
    """修改平台: pick one, change its name, sector or onboarding."""
    st.markdown("**修改平台**")
    chosen = st.selectbox(
        "选择平台", list(by_name), index=None, key="pf_edit_pick", placeholder="选择平台"
    )
    if chosen:
        info = by_name[chosen]
        with st.form(f"pf_edit_{info.id}"):
            name = st.text_input("平台名称", value=info.name)
            sector = st.selectbox(
                "赛道",
                sectors,
                index=sectors.index(info.sector),
                accept_new_options=True,
                placeholder="选择或输入赛道",
            )
            onboarded = st.checkbox("已入驻", value=info.onboarded)
            if st.form_submit_button("保存修改") and run_write(
                platform_writes.save_platform,
                who,
                name=name,
                sector=sector or "",
                onboarded=onboarded,
                platform_id=info.id,
                success=f"已保存平台 {name}",
            ):
                st.rerun()


if __name__ == "__main__":
    render()
