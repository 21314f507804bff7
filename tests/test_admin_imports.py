"""数据导入 in AppTest: a hostile upload is refused in seconds with little memory, and the
dry run of an upload runs once, not on every rerun of the page."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from models.access import users
from models.access.roles import CLI
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from tests import hostile_files as hostile
from tests.dashboard_helpers import app, errors
from tests.factories import csv_bytes

PASSWORD = "correct-horse-battery"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def clerk_page(monkeypatch, sqlite_url, tmp_path):
    """The import page, open for a logged-in staff member."""
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    at = app()
    at.text_input(key="lg_user").input("clerk")
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("../admin/views/imports.py")
    at.run()
    assert [t.value for t in at.title] == ["数据导入"]
    return at, engine


def _upload(at, name: str, data: bytes, mime: str = XLSX):
    at.file_uploader(key="im_file").set_value((name, data, mime))
    return at.run()


@pytest.mark.parametrize(
    ("bomb", "message"),
    [
        (lambda: hostile.dimension_bomb(far_cell="XFD200000"), "第200000行 XFD列有内容"),
        (lambda: hostile.rows_bomb(1_000_000), "文件过大：最多 200,000 行数据"),
        (lambda: hostile.deflate_bomb(300), "文件过大：xl/worksheets/sheet1.xml 解压后"),
    ],
    ids=["dimension", "million_rows", "deflate"],
)
def test_a_bomb_upload_is_refused_in_seconds(clerk_page, bomb, message):
    at, _engine = clerk_page
    data = bomb()
    tracemalloc.start()
    started = time.perf_counter()
    _upload(at, "bomb.xlsx", data)
    seconds = time.perf_counter() - started
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert errors(at) == []
    shown = [e.value.replace("\\", "") for e in at.error]  # Markdown escapes of literal()
    assert [text for text in shown if message in text], shown
    assert "im_commit" not in {b.key for b in at.button}  # nothing to confirm
    assert seconds < 30 and peak_mb < 100, (seconds, peak_mb)


def test_the_dry_run_runs_once_per_uploaded_file(clerk_page):
    at, engine = clerk_page
    rows = [{"platform": "云集", "submitted_at": f"2024-03-0{d} 10:00", "problem_type": "退款问题"}
            for d in (1, 2)]  # fmt: skip
    _upload(at, "c.csv", csv_bytes(rows, rows[0]), "text/csv")
    assert [s.value for s in at.success] == [
        "2 行全部有效（试运行，未写入）：将新增 2，更新 0，新建平台 1 个：云集"
    ]
    checked = at.session_state["im_checked"]
    at.run()  # any widget use reruns the page: the check is not repeated
    at.run()
    assert at.session_state["im_checked"] is checked
    assert [s.value for s in at.success] == [
        "2 行全部有效（试运行，未写入）：将新增 2，更新 0，新建平台 1 个：云集"
    ]

    _upload(at, "c.csv", csv_bytes(rows[:1], rows[0]), "text/csv")  # another file: checked
    assert at.session_state["im_checked"] is not checked
    assert [s.value for s in at.success] == [
        "1 行全部有效（试运行，未写入）：将新增 1，更新 0，新建平台 1 个：云集"
    ]
    at.button(key="im_commit").click().run()
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_after_a_confirmed_import_no_stale_dry_run_or_confirm_button(clerk_page):
    at, engine = clerk_page
    rows = [{"platform": "云集", "submitted_at": "2024-03-01 10:00", "problem_type": "退款问题"}]
    _upload(at, "c.csv", csv_bytes(rows, rows[0]), "text/csv")
    assert at.success[0].value.startswith("1 行全部有效（试运行，未写入）：将新增 1")
    at.button(key="im_commit").click().run()
    assert errors(at) == []
    shown = [s.value for s in at.success]
    assert len(shown) == 1 and "试运行" not in shown[0] and "未写入" not in shown[0], shown
    assert "im_commit" not in {b.key for b in at.button}
    assert any("已经导入" in i.value for i in at.info)
    at.run()  # any later rerun: still nothing to confirm for the same file
    assert "im_commit" not in {b.key for b in at.button} and not at.success
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_the_template_has_the_chinese_headers_the_importer_reads(clerk_page):
    from models.importing import COMPLAINT_COLUMNS, import_complaints

    at, engine = clerk_page
    from admin.views.imports import template_csv

    assert "下载投诉导入模板（CSV）" in [b.proto.label for b in at.get("download_button")]

    data = template_csv("complaints")
    header = data.decode("utf-8-sig").strip().split(",")
    assert data.startswith(b"\xef\xbb\xbf") and header[:3] == ["投诉平台", "投诉时间", "问题类型"]
    assert sorted(header) == sorted(name for name, _req in COMPLAINT_COLUMNS.values())
    filled = data + "云集,2024-03-01 10:00,退款问题".encode() + b"," * (len(header) - 3) + b"\n"
    with session_scope(engine) as session:
        report = import_complaints(session, filled, "模板.csv", dry_run=True)
    assert report.ok and not report.warnings, (report.errors, report.warnings)


def test_the_uploader_speaks_chinese(clerk_page):
    """Its English button and hint are drawn over by our CSS (seen in Chromium: 选择文件)."""
    at, _engine = clerk_page
    import streamlit as st

    styles = " ".join(e.proto.body for e in at.get("html"))
    limit = min(100, st.get_option("server.maxUploadSize"))
    assert 'content: "选择文件"' in styles and f"每个文件最多 {limit} MB · CSV、XLSX" in styles
