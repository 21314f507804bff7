"""审计日志: every write with who, when, what, before and after — administrators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin.common import guard, read
from models.access.roles import ROLE_NAMES
from models.clock import local_now
from models.writes import audit
from models.writes.workflow import ACTION_NAMES, FIELD_NAMES
from web import exports

ENTITIES = {
    "": "全部",
    "complaint": "投诉",
    "platform": "平台",
    "user": "用户",
    "import": "导入",
    "share_link": "分享链接",
}


ACTIONS = {
    **ACTION_NAMES,
    "delete": "删除投诉",
    "add_platform": "新增平台",
    "edit_platform": "修改平台",
    "add_user": "新建用户",
    "set_role": "修改角色",
    "disable_user": "停用用户",
    "enable_user": "启用用户",
    "set_password": "设置密码",
    "unlock_user": "解除登录限制",
    "create_share": "创建分享链接",
    "revoke_share": "撤销分享链接",
    "import_complaints": "导入投诉",
    "import_platforms": "导入平台",
}
FIELDS = {
    **FIELD_NAMES,
    "reason": "原因",
    "name": "名称",
    "sector": "赛道",
    "onboarded": "已入驻",
    "username": "用户名",
    "role": "角色",
    "disabled": "已停用",
    "locked": "登录限制",
    "password": "密码",
    "one_time": "一次性密码",
    "rows": "行数",
    "inserted": "新增",
    "updated": "更新",
    "platforms_created": "新建平台",
    "label": "标签",
    "sectors": "赛道",
    "platforms": "平台",
    "date_from": "起始日期",
    "date_to": "截止日期",
    "downloads": "允许下载",
    "expires_at": "有效期至",
    "revoked_at": "撤销时间",
    "created_by": "创建人",
    "version": "版本",
}


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "空"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "空"
    return str(value)


def describe(values: dict | None) -> str:
    """Audit values as people read them: 角色：管理员；已停用：否 (field names in Chinese)."""
    if not values:
        return ""
    return "；".join(
        f"{FIELDS.get(k, k)}：{ROLE_NAMES.get(v, v) if k == 'role' else _value(v)}"
        for k, v in values.items()
    )


def render() -> None:
    who = guard(__file__)
    st.title("审计日志")
    cols = st.columns(3)
    entity = cols[0].selectbox(
        "对象", list(ENTITIES), format_func=ENTITIES.get, key="al_entity", placeholder="选择对象"
    )
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
                "操作": ACTIONS.get(e.action, e.action),
                "对象": ENTITIES.get(e.entity, e.entity),
                "编号": e.entity_id or "",
                "修改前": describe(e.before),
                "修改后": describe(e.after),
            }
            for e in found
        ],
        columns=["时间", "操作人", "操作", "对象", "编号", "修改前", "修改后"],
    )
    st.caption(f"最近 {len(frame)} 条记录（最新在前）。")
    st.dataframe(frame, hide_index=True, width="stretch", key="al_table")
    if not frame.empty:
        _export(frame, [ENTITIES.get(entity, "") if entity else "", entity_id, actor])


def _export(frame: pd.DataFrame, scope: list[str | None]) -> None:
    """The log shown, as CSV named after its filters and today (审计日志_用户_alice_2026-05-12)."""
    parts = ["审计日志", *filter(None, scope), f"{local_now():%Y-%m-%d}"]
    st.download_button(
        "导出 CSV",
        lambda: exports.csv_bytes(frame),  # built when clicked
        f"{exports.file_name('_'.join(parts))}.csv",
        "text/csv",
        key="al_csv",
        on_click="ignore",
    )


if __name__ == "__main__":
    render()
