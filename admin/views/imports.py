"""数据导入: upload CSV or XLSX, read the validation row by row, then commit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin.common import flash, guard, read, run_write
from models.errors import TousuError
from models.writes import imports as import_writes
from web.markup import literal
from web.viewer import current_viewer

KINDS = {"complaints": "投诉", "platforms": "平台"}


def render() -> None:
    who = guard("staff")
    st.title("数据导入")
    flash()
    kinds = list(KINDS) if current_viewer().has_role("admin") else ["complaints"]
    kind = (
        st.segmented_control(
            "导入内容",
            kinds,
            format_func=KINDS.get,
            key="im_kind",
            default="complaints",
            required=True,
        )
        or "complaints"
    )
    upload = st.file_uploader(
        "选择 CSV（UTF-8 / GBK）或 XLSX 文件", type=["csv", "xlsx"], key="im_file"
    )
    st.caption(
        "表头可用英文或中文列名，格式见 README。任何一行有错时不会写入任何数据；"
        "投诉编号已存在的行会更新原投诉。"
    )
    if upload is None:
        return
    data = upload.getvalue()
    try:
        report = read(import_writes.import_file, who, kind, data, upload.name, dry_run=True)
    except TousuError as exc:
        st.error(literal(str(exc)))
        return
    for warning in report.warnings:
        st.warning(literal(warning))  # names the file's unknown columns
    if not report.ok:
        st.error(report.summary())
        st.dataframe(
            pd.DataFrame(
                [
                    {"行": e.row, "列": e.column, "值": e.value, "问题": e.reason}
                    for e in report.errors
                ]
            ),
            hide_index=True,
            width="stretch",
            key="im_errors",
        )
        return
    st.success(report.summary())
    if st.button(f"确认导入 {report.rows} 行", type="primary", key="im_commit"):
        outcome: dict = {}

        def commit(session, *args, **kwargs):
            outcome["report"] = import_writes.import_file(session, *args, **kwargs)
            if not outcome["report"].ok:  # changed since validation: write nothing
                raise TousuError(outcome["report"].summary())

        with st.spinner("正在导入……"):
            if run_write(commit, who, kind, data, upload.name, dry_run=False, success="导入完成"):
                st.session_state["admin_flash"] = outcome["report"].summary()
                st.rerun()


if __name__ == "__main__":
    render()
