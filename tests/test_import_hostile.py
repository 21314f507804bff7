"""Hostile input through the import, on SQLite and PostgreSQL alike: every cell that
cannot be stored, or would break a page later, is a refusal with its row and column —
never a driver traceback on one database and silent acceptance on the other."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.access.roles import CLI
from models.clock import local_now
from models.errors import TousuError
from models.importing import import_complaints, import_platforms
from models.store import schema
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import Complaint, Platform, Reply
from models.writes.platforms import save_platform
from tests import hostile_files as hostile
from tests.factories import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
BASE = {"platform": "云集", "submitted_at": "2024-03-01 10:00", "problem_type": "退款问题"}
# The documented caps (README, "Uploads and imports").
MAX_ROWS = 200_000
MAX_LISTED_ERRORS = 1_000
# Every limited text column an import fills, with its size in models/tables.py.
TEXT_LIMITS = {
    "platform": Platform.__table__.c["name"].type.length,
    **{
        column: Complaint.__table__.c[column].type.length
        for column in ("external_id", "problem_type", "title", "complainant")
    },
    **{
        column: Complaint.__table__.c[column].type.length
        for column in ("phone", "email", "id_number", "order_number")
    },
}


def _import(engine, rows: list[dict], dry_run: bool = False):
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with session_scope(engine) as session:
        return import_complaints(session, csv_bytes(rows, columns), "c.csv", dry_run=dry_run)


def _problems(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in report.errors]


def _stored(engine, column: str):
    with session_scope(engine) as session:
        return session.scalars(select(getattr(Complaint, column))).all()


# --- dates ----------------------------------------------------------------------------------


def test_dates_outside_the_supported_range_are_refused(engine):
    tomorrow = local_now() + timedelta(days=1, minutes=5)
    rows = [
        {**BASE, "submitted_at": "0001-01-01"},
        {**BASE, "submitted_at": "1999-12-31 23:59"},
        {**BASE, "submitted_at": "2000-01-01", "replied_at": f"{tomorrow:%Y-%m-%d %H:%M}"},
        {**BASE, "submitted_at": "2024-02-30"},
    ]
    report = _import(engine, rows)
    assert _problems(report) == [
        (2, "submitted_at", "日期早于 2000-01-01，超出可导入的范围"),
        (3, "submitted_at", "日期早于 2000-01-01，超出可导入的范围"),
        (4, "replied_at", "时间晚于当前时间"),
        (5, "submitted_at", "不存在的日期或时间，应为 2024-03-05 或 2024-03-05 14:30:00"),
    ]
    assert _stored(engine, "id") == []
    assert _import(engine, [{**BASE, "submitted_at": "2000-01-01"}]).inserted == 1


def test_a_time_with_a_utc_offset_is_stored_in_local_time(engine):
    report = _import(engine, [{**BASE, "submitted_at": "2024-03-01T02:00:00+00:00"}])
    assert report.ok, report.errors
    assert _stored(engine, "submitted_at") == [datetime(2024, 3, 1, 10, 0)]  # Asia/Shanghai


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-sNaN", "Infinity", "-inf", "1e999999999"])
def test_nan_infinity_and_huge_exponents_are_refused(engine, value):
    row = {**BASE, "amount": value, "age": value, "satisfaction": value, "replied_at": "2024-03-02"}
    report = _import(engine, [row])
    assert _problems(report) == [
        (2, "amount", "金额（元）应为数字"),
        (2, "age", "年龄应为数字"),
        (2, "satisfaction", "满意度应为数字"),
    ]


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", sorted(TEXT_LIMITS))
def test_text_is_checked_against_its_column(engine, column):
    """The longest text a column takes is stored as it is; one more character is refused."""
    limit = TEXT_LIMITS[column]
    fitting = ("a" * (limit - 6) + "@b.com") if column == "email" else "长" * limit
    report = _import(engine, [{**BASE, column: fitting}])
    assert report.ok, report.errors[:1]
    stored = _stored(engine, column) if column != "platform" else [_platform_names(engine)[0]]
    assert stored == [fitting]
    report = _import(engine, [{**BASE, column: fitting + "长"}])
    assert _problems(report) == [(2, column, f"超过 {limit:,} 个字符（共 {limit + 1:,} 个）")]


def _platform_names(engine) -> list[str]:
    with session_scope(engine) as session:
        return session.scalars(select(Platform.name).order_by(Platform.id)).all()


def test_a_5000_character_platform_name_is_refused(engine):
    report = _import(engine, [{**BASE, "platform": "平" * 5000}])
    assert _problems(report) == [(2, "platform", "超过 100 个字符（共 5,000 个）")]
    assert "“平平平" in str(report.errors[0]) and "…（共 5,000 个字符）" in str(report.errors[0])
    assert _platform_names(engine) == []


def test_control_characters_are_refused_and_line_breaks_kept_in_long_text(engine):
    rows = [
        {**BASE, "title": "标题\x00后半"},
        {**BASE, "complainant": "黄\x07女士"},
        {**BASE, "platform": "云集\u202e"},
        {**BASE, "complainant": "黄女士\n王先生"},
        {**BASE, "content": "第一行\r\n第二行\t完\x1b"},
    ]
    assert _problems(_import(engine, rows)) == [
        (2, "title", "含有不允许的控制字符 U+0000（第3个字符）"),
        (3, "complainant", "含有不允许的控制字符 U+0007（第2个字符）"),
        (4, "platform", "含有不允许的控制字符 U+202E（第3个字符）"),
        (5, "complainant", "含有不允许的控制字符 U+000A（第4个字符）"),
        (6, "content", "含有不允许的控制字符 U+001B（第11个字符）"),
    ]
    row = {**BASE, "content": "第一行\r\n第二行\t完", "reply": "已处理\r\n好"}
    report = _import(engine, [{**row, "replied_at": "2024-03-02"}])
    assert report.ok, report.errors
    assert _stored(engine, "content") == ["第一行\n第二行\t完"]
    with session_scope(engine) as session:
        assert session.scalars(select(Reply.content)).all() == ["已处理\n好"]


def test_cells_beyond_the_header_are_reported(engine):
    data = "投诉平台,投诉时间,问题类型,\n云集,2024-03-01,退款问题,\n云集,2024-03-01,退款,问题\n"
    with session_scope(engine) as session:
        report = import_complaints(session, data.encode(), "c.csv")
    assert _problems(report) == [(3, "第4列", "这一列没有表头：请补上列名或删除多出的单元格")]


def test_an_unrecognised_header_is_refused(engine):
    data = "苦情番号,プラットフォーム\nA1,楽天\n".encode("shift_jis")
    with session_scope(engine) as session, pytest.raises(TousuError, match="无法识别表头"):
        import_complaints(session, data, "c.csv")


def test_the_error_list_is_capped_but_every_error_counted(engine):
    rows = [{**BASE, "age": "x"} for _ in range(MAX_LISTED_ERRORS + 500)]
    report = _import(engine, rows, dry_run=True)
    assert len(report.errors) == MAX_LISTED_ERRORS
    assert (report.error_count, report.bad_rows) == (MAX_LISTED_ERRORS + 500, 1500)
    assert report.summary() == (
        "1500 行中 1500 行有错误（共 1500 处，仅列出前 1,000 处），未写入任何数据"
    )


# --- platforms: import, command line, 平台管理 ------------------------------------------------


def test_platform_names_are_checked_in_the_import(engine):
    data = csv_bytes(
        [
            {"name": "平" * 101, "sector": "社交电商"},
            {"name": "云\x00集", "sector": "社交电商"},
            {"name": "云集", "sector": "社交\n电商"},
        ],
        ["name", "sector"],
    )
    with session_scope(engine) as session:
        report = import_platforms(session, data, "p.csv")
    assert _problems(report) == [
        (2, "name", "超过 100 个字符（共 101 个）"),
        (3, "name", "含有不允许的控制字符 U+0000（第2个字符）"),
        (4, "sector", "含有不允许的控制字符 U+000A（第3个字符）"),
    ]
    assert _platform_names(engine) == []


@pytest.mark.parametrize(
    ("name", "sector", "message"),
    [
        ("平" * 5000, "社交电商", "平台名称超过 100 个字符（共 5,000 个）"),
        ("云\x00集", "社交电商", "平台名称含有不允许的控制字符 U+0000（第2个字符）"),
        ("云集", "赛" * 51, "赛道超过 50 个字符（共 51 个）"),
        ("  ", "社交电商", "平台名称和赛道都不能为空"),
    ],
    ids=["long_name", "nul", "long_sector", "blank"],
)
def test_platform_management_applies_the_same_checks(engine, name, sector, message):
    with session_scope(engine) as session, pytest.raises(TousuError) as caught:
        save_platform(session, CLI, name=name, sector=sector, onboarded=True)
    assert str(caught.value) == message
    with session_scope(engine) as session:
        save_platform(session, CLI, name=" 云集 ", sector="社交电商", onboarded=True)
    assert _platform_names(engine) == ["云集"]


# --- the command line under a 1 GiB memory cap --------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _tousu_capped(url: str, path: Path, *args: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "import", "complaints", str(path), *args],
        cwd=ROOT,
        env={**os.environ, "TOUSU_DATABASE_URL": url},
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


@pytest.fixture(scope="module")
def capped_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('capped') / 'tousu.db'}"
    schema.upgrade(get_engine(url))
    dispose_engines()
    return url


BOMBS = {
    "dimension": lambda: hostile.dimension_bomb(far_cell="A200000"),
    "dimension_far_column": lambda: hostile.dimension_bomb(far_cell="XFD200000"),
    "million_rows": lambda: hostile.rows_bomb(1_000_000),
    "deflate": lambda: hostile.deflate_bomb(300),
}


@pytest.mark.parametrize(
    ("bomb", "message"),
    [
        ("dimension", "第200000行 投诉时间 （空）：必填"),
        ("dimension_far_column", "错误：第200000行 XFD列有内容：文件过大，最多 100 列"),
        ("million_rows", f"错误：文件过大：最多 {MAX_ROWS:,} 行数据（此工作表有 1,000,000 行）"),
        ("deflate", "错误：文件过大：xl/worksheets/sheet1.xml 解压后 314,5"),
    ],
    ids=list(BOMBS),
)
def test_the_command_line_refuses_bombs_within_seconds_under_1_gib(
    capped_db, tmp_path, bomb, message
):
    data = BOMBS[bomb]()
    path = tmp_path / f"{bomb}.xlsx"
    path.write_bytes(data)
    code, output, seconds = _tousu_capped(capped_db, path)
    assert code == 1 and message in output, output[-2000:]
    assert "Traceback" not in output and "MemoryError" not in output
    assert seconds < 60, seconds  # a few seconds, most of it start-up, on an idle machine


def test_under_the_same_cap_a_claimed_dimension_imports_normally(capped_db, tmp_path):
    """The 1.6 KB file claiming A1:XFD200000 is read as the two rows it holds."""
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(hostile.dimension_bomb())
    code, output, _seconds = _tousu_capped(capped_db, path)
    assert code == 0 and "1 行已导入：新增 1" in output, output[-2000:]
    with session_scope(get_engine(capped_db)) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1
