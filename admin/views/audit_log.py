"""审计日志: every write with who, when, what, before and after — administrators."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from admin.common import guard, read
from models.writes import audit
from web import exports

ENTITIES = {
    "": "全部",
    "complaint": "投诉",
    "platform": "平台",
    "user": "用户",
    "import": "导入",
    "share_link": "分享链接",
}


def render() -> None:
    who = guard("admin")
    st.title("审计日志")
    cols = st.columns(3)
    entity = cols[0].selectbox("对象", list(ENTITIES), format_func=ENTITIES.get, key="al_entity")
    entity_id = cols[1].text_input("对象编号", key="al_id").strip() or None
    actor = cols[2].text_input("操作人", key="al_actor").strip() or None
    found = read(
        audit.entries, who, entity=entity or None, entity_id=entity_id, who=actor, limit=1000
    )
    frame = pd.DataFrame(
        [
            {
                "时间": f"{e.at:%Y-%m-%d %H:%M:%S}",
                "操作人": e.actor,
                "操作": e.action,
                "对象": ENTITIES.get(e.entity, e.entity),
                "编号": e.entity_id or "",
                "修改前": json.dumps(e.before, ensure_ascii=False) if e.before else "",
                "修改后": json.dumps(e.after, ensure_ascii=False) if e.after else "",
            }
            for e in found
        ],
        columns=["时间", "操作人", "操作", "对象", "编号", "修改前", "修改后"],
    )
    st.caption(f"最近 {len(frame)} 条记录（最新在前）。")
    st.dataframe(frame, hide_index=True, width="stretch", key="al_table")
    if not frame.empty:
        st.download_button(
            "导出 CSV", exports.csv_bytes(frame), "audit_log.csv", "text/csv", key="al_csv"
        )


if __name__ == "__main__":
    render()
