"""数据导入: upload CSV or XLSX, read the validation row by row, then commit."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from admin.common import opened, read, run_write
from models.access.policy import Can
from models.access.roles import Actor
from models.errors import TousuError
from models.importing import COMPLAINT_COLUMNS, PLATFORM_COLUMNS, ImportReport
from models.importing.limits import MAX_FILE_BYTES, MB, megabytes
from models.writes import imports as import_writes
from web import widgets
from web.markup import literal
from web.viewer import current_viewer

KINDS = {"complaints": "投诉", "platforms": "平台"}


def _file_key(who: Actor, kind: str, filename: str, data: bytes) -> tuple[str, ...]:
    return (who.username, kind, filename, hashlib.sha256(data).hexdigest())


def template_csv(kind: str) -> bytes:
    """An empty file with the Chinese column headers (required ones first), UTF-8 with BOM
    so that Excel opens it as Chinese."""
    columns = COMPLAINT_COLUMNS if kind == "complaints" else PLATFORM_COLUMNS
    names = [name for name, required in columns.values() if required]
    names += [name for name, required in columns.values() if not required]
    return (",".join(names) + "\n").encode("utf-8-sig")


def upload_limit() -> int:
    """The largest file this page takes: the import cap or Streamlit's upload cap."""
    return min(MAX_FILE_BYTES, int(st.get_option("server.maxUploadSize")) * MB)


def _checked(who: Actor, kind: str, filename: str, data: bytes) -> ImportReport | str:
    """The dry run of an uploaded file, or why it was refused — once per file.

    Streamlit reruns the page on every click; the check of a large file takes seconds,
    so its outcome is kept in the session, keyed by a hash of the file's bytes.
    """
    key = _file_key(who, kind, filename, data)
    cached = st.session_state.get("im_checked")
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with st.spinner("正在检查文件……"):
            outcome = read(import_writes.import_file, who, kind, data, filename, dry_run=True)
    except TousuError as exc:
        outcome = str(exc)
    st.session_state["im_checked"] = (key, outcome)
    return outcome


def render() -> None:
    who = opened(__file__, "数据导入")
    kinds = list(KINDS) if current_viewer().can(Can.MANAGE_PLATFORMS) else ["complaints"]
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
    widgets.uploader_in_chinese(f"每个文件最多 {megabytes(upload_limit())} · CSV、XLSX")
    upload = st.file_uploader(
        "选择 CSV（UTF-8 / GBK）或 XLSX 文件", type=["csv", "xlsx"], key="im_file"
    )
    st.caption(
        "表头可用中文或英文列名，中文列名见下方的导入模板。任何一行有错时不会写入任何数据；"
        "投诉编号已存在的行会更新原投诉。"
    )
    st.download_button(
        f"下载{KINDS[kind]}导入模板（CSV）",
        template_csv(kind),
        file_name=f"{KINDS[kind]}导入模板.csv",
        mime="text/csv",
        key="im_template",
        on_click="ignore",
    )
    if upload is None:
        st.session_state.pop("im_checked", None)
        st.session_state.pop("im_done", None)
        return
    data = upload.getvalue()
    if st.session_state.get("im_done") == _file_key(who, kind, upload.name, data):
        st.info("这个文件已经导入。要再导入一个文件，请重新选择。")
        return
    report = _checked(who, kind, upload.name, data)
    if isinstance(report, str):  # refused unread: too large, not a table, unknown header
        st.error(literal(report))  # messages quote the file's names and values
        return
    if _show(report):
        _commit(who, kind, upload.name, data, report.rows)


def _show(report: ImportReport) -> bool:
    """Warnings and problems of the dry run; whether the file may be imported."""
    for warning in report.warnings:
        st.warning(literal(warning))  # names the file's unknown columns
    if report.ok:
        st.success(report.summary())
        return True
    st.error(report.summary())
    st.dataframe(
        pd.DataFrame(
            [
                {"行": e.row, "列": e.column, "值": e.short_value, "问题": e.reason}
                for e in report.errors
            ]
        ),
        hide_index=True,
        width="stretch",
        key="im_errors",
    )
    return False


def _commit(who: Actor, kind: str, filename: str, data: bytes, rows: int) -> None:
    if st.button(f"确认导入 {rows} 行", type="primary", key="im_commit"):
        with st.spinner("正在导入……"):
            done = run_write(_import, who, kind, data, filename, success="导入完成")
        if done:
            st.session_state["admin_flash"] = done.value.summary()
            st.session_state.pop("im_checked", None)
            st.session_state["im_done"] = _file_key(who, kind, filename, data)
            st.rerun()


def _import(session, who: Actor, kind: str, data: bytes, filename: str) -> ImportReport:
    """The import for real; refused whole if the file no longer validates."""
    report = import_writes.import_file(session, who, kind, data, filename, dry_run=False)
    if not report.ok:  # changed since validation: write nothing
        raise TousuError(report.summary())
    return report


if __name__ == "__main__":
    render()
