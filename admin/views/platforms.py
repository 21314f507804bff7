"""平台管理: add and edit platforms (name, sector, onboarded, why 不予评级) — administrators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin.common import opened, read, run_write
from models.importing.platforms import UNRATED_REASONS
from models.reads.platforms import platforms as all_platforms
from models.writes import platforms as platform_writes


def render() -> None:
    who = opened(__file__, "平台管理")
    infos = sorted(read(all_platforms).values(), key=lambda p: (p.sector, p.name))
    frame = pd.DataFrame(
        [
            {
                "平台": p.name,
                "赛道": p.sector,
                "是否入驻": "是" if p.onboarded else "否",
                "不予评级原因": p.unrated_reason or "",
            }
            for p in infos
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="pf_table", height=320)
    st.caption(
        "未入驻（无售后联系方式）的平台在消费评级中记为“不予评级”；“不予评级原因”"
        "（如未入驻、未取得售后联系方式）写入报告中该平台的一节。"
    )
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
        reason = _reason_input(None, "pf_new_reason")
        if st.form_submit_button("新增", type="primary") and run_write(
            platform_writes.save_platform,
            who,
            name=name,
            sector=sector or "",
            onboarded=onboarded,
            unrated_reason=reason,
            success=f"已新增平台 {name}",
        ):
            st.rerun()
    with right:
        _edit_form(who, sectors, by_name)


def _reason_input(current: str | None, key: str) -> str:
    """不予评级原因: one of the house's reasons, another typed, or none."""
    options = list(dict.fromkeys([*UNRATED_REASONS, *([current] if current else [])]))
    chosen = st.selectbox(
        "不予评级原因",
        options,
        index=options.index(current) if current else None,
        key=key,
        accept_new_options=True,
        placeholder="（无）",
    )
    return chosen or ""


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
            reason = _reason_input(info.unrated_reason, f"pf_reason_{info.id}")
            if st.form_submit_button("保存修改") and run_write(
                platform_writes.save_platform,
                who,
                name=name,
                sector=sector or "",
                onboarded=onboarded,
                unrated_reason=reason,
                platform_id=info.id,
                success=f"已保存平台 {name}",
            ):
                st.rerun()


if __name__ == "__main__":
    render()
