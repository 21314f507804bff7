"""审计日志: every write with who, when, and what it changed (before → after) — administrators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin.common import guard, read
from models.access.roles import ROLE_NAMES
from models.clock import local_now
from models.writes import audit
from models.writes.workflow import ACTION_NAMES, FIELD_NAMES
from web import exports
from web.markup import literal

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
    "unrated_reason": "不予评级原因",
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


#: How much of a long value (a reply's text) a line shows on screen; the export has all.
SHOWN_CHARS = 200
COLUMNS = ["时间", "操作人", "操作", "对象", "编号", "变更"]


def change_lines(entry: audit.Entry, limit: int | None = SHOWN_CHARS) -> list[str]:
    """What an entry changed, one field a line: 角色：查看者 → 工作人员 (a new record's
    fields as 用户名：alice); unchanged fields and bookkeeping are left out."""

    def value(change: audit.Change, raw: object) -> str:
        if change.field == "role":
            raw = ROLE_NAMES.get(raw, raw)
        return audit.shown(raw, time=change.field.endswith("_at"), limit=limit)

    lines = []
    for change in audit.changes(entry):
        name = FIELDS.get(change.field, change.field)
        after = value(change, change.after)
        lines.append(
            f"{name}：{after}"
            if change.new
            else f"{name}：{value(change, change.before)} → {after}"
        )
    return lines


def _rows(found: list[audit.Entry], limit: int | None) -> list[dict]:
    return [
        {
            "时间": f"{e.at:%Y-%m-%d %H:%M:%S}",
            "操作人": e.actor,
            "操作": ACTIONS.get(e.action, e.action),
            "对象": ENTITIES.get(e.entity, e.entity),
            "编号": e.entity_id or "",
            "变更": change_lines(e, limit),
        }
        for e in found
    ]


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
    st.caption(
        f"最近 {len(found)} 条记录（最新在前）。“变更”列出每条记录改动的字段：修改前 → 修改后；"
        "新建的记录列出它的内容。"
    )
    if not found:
        return
    # st.table wraps long text to the page (the grid would cut it); it reads Markdown,
    # so every cell is shown literally, and the changes one per line.
    shown = pd.DataFrame(
        [
            {k: "  \n".join(map(literal, v)) if k == "变更" else literal(v) for k, v in row.items()}
            for row in _rows(found, SHOWN_CHARS)
        ],
        columns=COLUMNS,
    )
    st.table(shown, hide_index=True, height="content" if len(found) <= 20 else 720)
    export = pd.DataFrame(
        [{**row, "变更": "\n".join(row["变更"])} for row in _rows(found, None)], columns=COLUMNS
    )
    _export(export, [ENTITIES.get(entity, "") if entity else "", entity_id, actor])


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
