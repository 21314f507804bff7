"""Reading uploaded files: what a normal XLSX or CSV gives, and what a hostile one gets —
a refusal with the row and the cap, within seconds and little memory."""

from __future__ import annotations

import codecs
import contextlib
import io
import random
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from models.errors import TousuError
from models.importing import COMPLAINT_COLUMNS, open_table, validate_complaints
from models.importing.limits import (
    EARLIEST_DATE,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_LISTED_ERRORS,
    MAX_PART_BYTES,
    MAX_RECORD_CHARS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_BYTES,
    MAX_TOKEN_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL_BYTES,
    MB,
    megabytes,
)
from models.importing.table import layout
from tests import hostile_files as hostile


def rows_of(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    table = open_table(data, name)
    return [(table.header_row, table.header), *table.rows]


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(TousuError) as caught:
        rows_of(data, name)
    return str(caught.value)


# --- ordinary spreadsheets -----------------------------------------------------------------


def _openpyxl_text(value) -> str:
    """How the import read cells through openpyxl before: the reference for plain files."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@pytest.mark.parametrize("mac_epoch", [False, True])
def test_xlsx_cells_read_as_openpyxl_read_them(mac_epoch):
    book = Workbook()
    if mac_epoch:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["投诉平台", "投诉时间", "投诉金额", "电话", "年龄", "标题", "满意度"])
    sheet.append(["1688", datetime(2024, 8, 16, 9, 30), 1340.7, 13800000000, 35, " 空格 ", 8.0])
    sheet.append(["小红书", datetime(2023, 12, 31, 23, 59, 59), 0.1, None, None, "a&b<c>", True])
    sheet.append([None, None, None, None, None, None, None])  # an empty row is skipped
    sheet.append(["云集", date(2024, 2, 29), -5, "0012", 1e20, "第一行\n第二行", False])
    sheet["J6"] = "远处"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    reference = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    expected = []
    for number, values in enumerate(reference.iter_rows(values_only=True), start=1):
        cells = [_openpyxl_text(v) for v in values]
        cells = [{"True": "TRUE", "False": "FALSE"}.get(c, c) for c in cells]
        while cells and not cells[-1]:  # openpyxl pads rows to the widest; we do not
            cells.pop()
        if cells:
            expected.append((number, cells))
    assert rows_of(data, "x.xlsx") == expected
    assert expected[1] == (
        2,
        ["1688", "2024-08-16 09:30:00", "1340.7", "13800000000", "35", "空格", "8"],
    )


def test_shared_strings_rich_text_phonetics_and_prefixes():
    shared = (
        f'<sst xmlns="{hostile.MAIN}"><si><t>投诉平台</t></si><si><t>投诉时间</t></si>'
        "<si><t>问题类型</t></si>"
        "<si><r><t>退</t></r><r><rPr><b/></rPr><t>款</t></r><r><t>问题</t></r>"
        "<rPh sb='0' eb='1'><t>たい</t></rPh></si></sst>"
    )
    sheet = (
        f'<x:worksheet xmlns:x="{hostile.MAIN}"><x:sheetData>'
        '<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c>'
        '<x:c t="s"><x:v>2</x:v></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>云集</x:t></x:is></x:c>'
        '<x:c t="str"><x:f>TEXT(1,"0")</x:f><x:v>2024-03-01</x:v></x:c>'
        '<x:c t="s"><x:v>3</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    data = hostile.xlsx([sheet], members={"xl/sharedStrings.xml": shared})
    assert rows_of(data, "x.xlsx") == [
        (1, ["投诉平台", "投诉时间", "问题类型"]),
        (2, ["云集", "2024-03-01", "退款问题", "TRUE"]),
    ]


def test_a_dtd_is_refused_not_expanded():
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row><c t="inlineStr"><is><t>&b;</t>'
        "</is></c></row></sheetData></worksheet>"
    )
    assert "DTD" in refusal(hostile.xlsx([sheet]), "x.xlsx")


def test_not_a_spreadsheet():
    assert "不是有效的 XLSX" in refusal(b"platform,submitted_at\n", "x.xlsx")
    assert "不支持的文件类型 .xls" in refusal(b"\xd0\xcf\x11\xe0", "old.xls")


# --- hostile spreadsheets --------------------------------------------------------------------


def _measured(read) -> tuple[float, float, object]:
    """Seconds, peak MB of Python allocations, and the outcome (rows or refusal)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = read()
    except TousuError as exc:
        outcome = str(exc)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return seconds, peak, outcome


def test_a_claimed_dimension_is_ignored():
    """1.6 KB claiming 16,384 × 200,000 cells: read as the seven cells it holds."""
    data = hostile.dimension_bomb(far_cell="A200000")
    assert len(data) < 2_000
    seconds, peak, rows = _measured(lambda: rows_of(data, "bomb.xlsx"))
    assert rows == [(1, list(hostile.HEADER)), (2, list(hostile.ROW)), (200_000, ["x"])]
    assert seconds < 5 and peak < 20


def test_a_value_beyond_the_column_cap_is_refused():
    seconds, peak, message = _measured(
        lambda: rows_of(hostile.dimension_bomb(far_cell="XFD200000"), "bomb.xlsx")
    )
    assert message == f"第200000行 XFD列有内容：文件过大，最多 {MAX_COLUMNS} 列"
    assert seconds < 5 and peak < 20


def test_a_member_declared_larger_than_the_cap_is_refused_unread():
    data = hostile.deflate_bomb(MAX_SHEET_BYTES // MB + 10)
    assert len(data) < 1 * MB
    seconds, peak, message = _measured(lambda: rows_of(data, "bomb.xlsx"))
    assert (
        message.startswith("文件过大：xl/worksheets/sheet1.xml 解压后") and "最多 256 MB" in message
    )
    assert seconds < 1 and peak < 5


def test_a_member_inflating_past_its_declared_size_is_refused():
    """A ZIP directory may lie about a member's size; reading stops at the declared size."""
    data = hostile.lying_size(hostile.deflate_bomb(50), "xl/worksheets/sheet1.xml", 2_000)
    seconds, peak, message = _measured(lambda: rows_of(data, "bomb.xlsx"))
    assert "已损坏" in message
    assert seconds < 2 and peak < 20


def test_a_huge_markup_token_is_refused_at_once():
    """100 MB in one comment: expat 2.5 rescans an unfinished token with every chunk, which
    would take minutes; the reader stops after 1 MB of it."""
    seconds, _peak, message = _measured(lambda: rows_of(hostile.deflate_bomb(100), "bomb.xlsx"))
    assert "超过 1 MB 的单个标记" in message
    assert seconds < 10


def test_a_million_compressed_rows_are_refused_before_any_is_read():
    data = hostile.rows_bomb(1_000_000)
    assert len(data) < 1 * MB
    seconds, peak, message = _measured(lambda: open_table(data, "bomb.xlsx"))
    assert message == (
        f"文件过大：最多 {MAX_ROWS:,} 行数据（此工作表有 1,000,000 行），请分成几个文件导入"
    )
    assert seconds < 15 and peak < 20


def test_a_cell_over_the_cell_cap_is_refused_with_its_row():
    rows = [hostile.HEADER, hostile.ROW, ("云集", "2024-03-01", "x" * (MAX_CELL_CHARS + 1))]
    message = refusal(hostile.simple_xlsx(rows), "x.xlsx")
    assert message == f"第3行 C列：单元格超过 {MAX_CELL_CHARS:,} 个字符"


# --- CSV ----------------------------------------------------------------------------------


def test_a_csv_field_over_128_kb_is_a_row_numbered_refusal():
    """The csv module stops at 131,072 characters with _csv.Error; say where instead."""
    data = f"投诉平台,标题\n云集,短\n云集,{'长' * 200_000}\n".encode()
    assert refusal(data, "c.csv") == f"第3行：单元格超过 {MAX_CELL_CHARS:,} 个字符"
    data = f"投诉平台,标题\n云集,短\n云集,{'长' * (MAX_CELL_CHARS + 1)}\n".encode()
    assert refusal(data, "c.csv") == f"第3行 第2列：单元格超过 {MAX_CELL_CHARS:,} 个字符"


def test_an_unclosed_quote_is_reported_where_it_opens():
    data = '投诉平台,标题\n云集,"没有右引号\n云集,下一行\n'.encode()
    assert refusal(data, "c.csv").startswith("第2行：引号没有成对")


def test_a_record_past_the_record_cap_is_refused_unread():
    data = ("投诉平台\n" + "," * 2_000_000).encode()
    assert "第2行过长" in refusal(data, "c.csv")


def test_too_many_columns_are_refused():
    data = ("投诉平台\n" + ",".join(["x"] * (MAX_COLUMNS + 1)) + "\n").encode()
    assert refusal(data, "c.csv") == f"第2行超过 {MAX_COLUMNS} 列：文件过大，最多 {MAX_COLUMNS} 列"


def test_rows_up_to_the_cap_are_read_and_one_more_is_refused():
    line = "云集,2024-03-01,退款问题\n"
    header = "投诉平台,投诉时间,问题类型\n"
    table = open_table((header + line * MAX_ROWS).encode(), "c.csv")
    assert sum(1 for _ in table.rows) == MAX_ROWS
    started = time.perf_counter()
    message = refusal((header + line * (MAX_ROWS + 1)).encode(), "c.csv")
    assert message.startswith(f"文件过大：最多 {MAX_ROWS:,} 行数据（第{MAX_ROWS + 2}行已超出）")
    assert time.perf_counter() - started < 10


def test_a_file_over_the_size_cap_is_refused():
    assert refusal(b"x" * (MAX_FILE_BYTES + 1), "c.csv").startswith("文件过大：最多 100 MB")


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b"")],
)
def test_chinese_encodings_are_read(encoding, prefix):
    data = prefix + "投诉平台,问题类型\n云集,退款问题\n".encode(encoding)
    assert rows_of(data, "c.csv") == [(1, ["投诉平台", "问题类型"]), (2, ["云集", "退款问题"])]


def test_a_shift_jis_file_is_refused_not_read_as_mojibake():
    data = "苦情番号,プラットフォーム,日時\nA1,楽天,2024-03-01\n".encode("shift_jis")
    assert data.decode("gb18030")  # it "decodes" as GB18030: only the header gives it away
    with pytest.raises(TousuError, match=r"无法识别表头.*UTF-8 或 GBK.*Shift-JIS"):
        layout(open_table(data, "c.csv"), COMPLAINT_COLUMNS)


def test_utf16_and_undecodable_files_are_refused():
    assert "UTF-16" in refusal("投诉平台\n云集\n".encode("utf-16"), "c.csv")
    assert "无法识别文件编码" in refusal(b"\xff\xff\xff\xfe\x81", "c.csv")


def _stored(data: bytes) -> bytes:
    """The same XLSX without compression, so that mutations hit the XML itself."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def test_damaged_files_give_a_message_never_a_traceback():
    """Random damage to a valid XLSX (compressed or not) and CSV: every outcome is rows or
    a TousuError — no zipfile, zlib, expat or csv exception escapes."""
    book = Workbook()
    book.active.append(["投诉平台", "投诉时间", "问题类型", "投诉金额"])
    for i in range(10):
        book.active.append(["云集", datetime(2024, 3, 1, 10, i), "退款问题", 12.5 * i])
    buffer = io.BytesIO()
    book.save(buffer)
    sources = [
        (buffer.getvalue(), "f.xlsx"),
        (_stored(buffer.getvalue()), "f.xlsx"),
        ('投诉平台,投诉时间,问题类型\n云集,"2024-03-01",退款\n'.encode(), "f.csv"),
    ]
    rng = random.Random(11)
    for _ in range(600):
        source, name = rng.choice(sources)
        data = bytearray(source)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            if (kind := rng.random()) < 0.5:
                data[at] = rng.randrange(256)
            elif kind < 0.75:
                del data[at : at + rng.randint(1, 20)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 10))
        with contextlib.suppress(TousuError):
            validate_complaints(open_table(bytes(data), name))


def test_the_readme_lists_every_cap():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Uploads and imports", 1)[1].split("\n## ", 1)[0]
    for size in (MAX_FILE_BYTES, MAX_SHEET_BYTES, MAX_SHARED_STRINGS_BYTES, MAX_PART_BYTES):
        assert megabytes(size) in section
    assert f"archive {megabytes(MAX_ZIP_TOTAL_BYTES)} and {MAX_ZIP_MEMBERS:,} members" in section
    for count in (
        MAX_ROWS,
        MAX_CELL_CHARS,
        MAX_RECORD_CHARS,
        MAX_SHARED_STRINGS,
        MAX_LISTED_ERRORS,
    ):
        assert f"{count:,}" in section, count
    assert f"| columns | {MAX_COLUMNS};" in section
    assert f"over {megabytes(MAX_TOKEN_BYTES)}" in section
    assert f"before {EARLIEST_DATE:%Y-%m-%d}" in section
