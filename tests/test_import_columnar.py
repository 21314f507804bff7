"""The column-by-column check (the fast path) against the row-by-row check it stands in for.

Files of random rows — most valid, many with an unusual but valid spelling, many with a
bad cell — are validated the way an import does (``validate_complaints``) and, row by
row, the way imports did before (:func:`check_complaint` on every row). The report and
the checked values must be the same: the fast path may only accept what the row check
accepts, with equal values.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.importing import COMPLAINT_COLUMNS, import_complaints, open_table, validate_complaints
from models.importing.cells import latest_moment
from models.importing.columnar import check_columns
from models.importing.complaints import VALUE_COLUMNS, check_complaint
from models.importing.report import CellError, ImportReport
from models.importing.table import layout
from models.store.db import session_scope
from models.store.tables import Complaint, Reply, SatisfactionScore

# Values per column: the usual spelling first (most rows), then rarer and bad ones.
_START = datetime(2024, 1, 1)
_CHOICES: dict[str, list[str]] = {
    "province": ["广东省", "广东", "北京市", "", "火星", " 上海 "],
    "gender": ["女", "男", "M", "female", "", "未知", "x"],
    "age": ["30", "8.0", "", "131", "-1", "三十", "1e1"],
    "amount": ["123.45", "1,234.50", "99元", "", "-5", "1e12", "abc", "0"],
    "amount_bracket": ["", "100-500元", "100元-500元", "未选择", "很多", "0-5万元", "0-5万"],
    "problem_type": ["退款问题", "", "x" * 51],
    "title": ["第{i}号投诉", "", "电话13812345678找我", "x" * 301, "tab\there"],
    "content": ["商家不退款。", "", "第一行\r\n第二行", "王小明 13800001111", "bad\x00"],
    "complainant": ["王小明", "", "陈女士"],
    "phone": ["1380000{i:04d}", "", "1" * 41],
    "email": ["", "a@b.cn", "not-an-email"],
    "demand": ["退款", "", "多行\n诉求"],
    "id_number": ["", "11010519491231002X", "1" * 41],
    "order_number": ["", "DD{i}", "单\t号"],
    "status": ["", "", "已回复", "已评价", "待审核", "未审核", "不予受理", "已移交", "乱写"],
    "satisfaction": ["", "7", "10", "11", "7.5"],
    "typical": ["", "是", "否", "true", "也许"],
    "headline": ["", "典型案例{i}"],
}


def _moment(rng: random.Random, base: datetime) -> str:
    at = base + timedelta(minutes=rng.randrange(60 * 24 * 300))
    return rng.choice(
        [at.isoformat(sep=" "), at.isoformat(sep=" "), at.strftime("%Y/%m/%d %H:%M"),
         at.strftime("%Y年%m月%d日"), at.isoformat() + "+00:00", "2099-01-01", "1999-01-01",
         "2024-02-30", "昨天", ""]
    )  # fmt: skip


def _row(rng: random.Random, i: int, usual: float) -> dict[str, str]:
    row = {}
    for key, choices in _CHOICES.items():
        text = choices[0] if rng.random() < usual else rng.choice(choices)
        row[key] = text.format(i=i)
    duplicate = rng.random() > max(usual, 0.97)
    row["external_id"] = f"E{rng.randrange(max(i, 1))}" if duplicate else f"E{i}"
    row["platform"] = rng.choice(["小红书", "淘宝", "京东", ""]) if rng.random() > usual else "淘宝"
    usual_time = rng.random() < usual
    submitted = _START + timedelta(minutes=rng.randrange(60 * 24 * 300))
    row["submitted_at"] = submitted.isoformat(sep=" ") if usual_time else _moment(rng, _START)
    transferred = submitted + timedelta(hours=2)
    row["transferred_at"] = transferred.isoformat(sep=" ") if usual_time else ""
    replied = rng.random() < 0.6
    replied_at = transferred + timedelta(hours=rng.randrange(1, 200))
    row["replied_at"] = replied_at.isoformat(sep=" ") if replied else ""
    row["reply"] = "已处理" if replied or rng.random() > max(usual, 0.95) else ""
    if not replied and row["status"] in ("已回复", "已评价"):
        row["status"] = ""
    if not replied and rng.random() < 0.95:
        row["satisfaction"] = ""
    if not usual_time:
        row["replied_at"] = rng.choice([_moment(rng, submitted), row["replied_at"]])
    return row


def _file(seed: int, rows: int, usual: float, extra_column: bool = False) -> bytes:
    rng = random.Random(seed)
    header = [chinese for chinese, _required in COMPLAINT_COLUMNS.values()]
    keys = list(COMPLAINT_COLUMNS)
    if extra_column:
        header.append("")  # a column without a header: its cells must be empty
    lines = []
    for i in range(rows):
        row = _row(rng, i, usual)
        cells = [row.get(key, "") for key in keys]
        if extra_column:
            cells.append("多余" if rng.random() < 0.02 else "")
        lines.append(cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, *lines])
    return buffer.getvalue().encode()


def _row_by_row(data: bytes) -> tuple[list, ImportReport]:
    """The reference: every row through check_complaint, as imports did before."""
    table = open_table(data, "c.csv")
    columns = layout(table, COMPLAINT_COLUMNS)
    report = ImportReport(warnings=columns.warnings, errors=columns.errors)
    latest, valid, seen = latest_moment(), [], {}
    for number, raw in table.rows:
        report.rows += 1
        cells, errors = columns.cells(number, raw)
        row, row_errors = check_complaint(number, cells, columns.names, latest)
        errors += row_errors
        external = cells.get("external_id")
        if external:
            first = seen.setdefault(external, number)
            if first != number:
                reason = f"与第{first}行的投诉编号重复"
                errors.append(CellError(number, columns.names["external_id"], external, reason))
        if errors:
            report.add(errors)
            valid.clear()
        elif row is not None and report.ok:
            valid.append(row)
    return valid, report


def _same(data: bytes) -> tuple[list, ImportReport]:
    valid, report = validate_complaints(open_table(data, "c.csv"))
    expected_valid, expected = _row_by_row(data)
    assert valid == expected_valid
    assert (report.rows, report.error_count, report.bad_rows) == (
        expected.rows,
        expected.error_count,
        expected.bad_rows,
    )
    assert report.errors == expected.errors
    assert report.summary() == expected.summary()
    return valid, report


@pytest.mark.parametrize("seed", range(6))
def test_bad_rows_report_as_row_by_row(seed):
    _valid, report = _same(_file(seed, 1500, usual=0.7, extra_column=seed % 2 == 1))
    assert report.error_count > 100  # the file really has bad rows of every kind


@pytest.mark.parametrize("seed", range(3))
def test_valid_rows_have_the_row_checks_values(seed):
    data = _file(seed, 3000, usual=0.995)
    _same(data)
    table = open_table(data, "c.csv")
    columns = layout(table, COMPLAINT_COLUMNS)
    rows = list(table.rows)
    fast = check_columns(rows, columns, latest_moment())
    latest = latest_moment()
    taken = 0
    for (number, raw), row in zip(rows, fast, strict=True):
        if row is None:
            continue
        taken += 1
        cells, _errors = columns.cells(number, raw)
        assert check_complaint(number, cells, columns.names, latest) == (row, [])
    assert taken > 0.9 * len(rows)  # the fast path is the one the usual rows take


def test_a_valid_file_is_written_as_the_row_check_read_it(engine):
    """Written through the bulk path: every column as the row check's values say, the
    public text scrubbed, a reply row per reply and a score row per score."""
    data = _file(7, 2000, usual=1.0)
    valid, report = _same(data)
    assert report.ok and len(valid) == 2000
    with session_scope(engine) as session:
        written = import_complaints(session, data, "c.csv")
    assert (written.inserted, written.updated) == (2000, 0)
    expected = {row.get("external_id"): row.params() for row in valid}
    names = [*VALUE_COLUMNS, "public_text"]
    with session_scope(engine) as session:
        stored = session.execute(select(*(Complaint.__table__.c[n] for n in names))).all()
        replies = session.scalar(select(func.count()).select_from(Reply))
        scores = session.scalar(select(func.count()).select_from(SatisfactionScore))
    assert len(stored) == 2000
    for row in stored:
        want = expected[row.external_id]
        want["typical"] = bool(want["typical"])
        assert dict(row._mapping) == {n: want[n] for n in names}
    assert replies == sum(1 for p in expected.values() if p["replied_at"] is not None)
    assert scores == sum(1 for p in expected.values() if p["score"] is not None)
