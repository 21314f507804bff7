"""Figures as files: CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX, and PNG charts
carrying a footer with the data source and date, like the reports' 图表编制 line.

Every download and export goes through here, and every cell through
:mod:`models.rules.spreadsheet`: text from data never becomes a formula, and characters Excel
refuses (in cells or sheet names) never break a download.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple

import altair as alt
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from models.rules import spreadsheet

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype", "/usr/share/fonts")
CJK_FONT = "Noto Sans CJK SC"


# Columns named as the reports name them carry their kind: a share (a fraction, shown as
# 24.65%), an index with three decimals, or a count. One table here, so every download
# formats the same column the same way.
PERCENT_COLUMNS = frozenset({"占比", "平台反馈率"})
INDEX_COLUMNS = frozenset({"回复时效性", "用户满意度", "综合指数", "数值"})
XLSX_FORMATS = {
    "percent": "0.00%",
    "index": "0.000",
    "count": "#,##0",
    "whole": "0",
    "decimal": "#,##0.00",
    "datetime": "yyyy-mm-dd hh:mm",
}
CSV_DECIMALS = {"percent": 2, "index": 3, "decimal": 2}


def column_kind(name: str, column: pd.Series) -> str | None:
    """How a column's numbers read: percent, index, count (…量), whole (ids, years, ranks),
    decimal, datetime; None for text."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return None
    if name in PERCENT_COLUMNS:
        return "percent"
    if name in INDEX_COLUMNS:
        return "index"
    if pd.api.types.is_integer_dtype(column) or _whole(column):
        # 投诉量 reads 1,234; an id, a year, a month or a rank is a plain whole number
        return "count" if name.endswith("量") else "whole"
    return "decimal"


def _whole(column: pd.Series) -> bool:
    """Floats that are all whole numbers (a rank read as 8.0 where another row has none)."""
    values = column.dropna()
    return bool(len(values)) and bool((values == values.round()).all())


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as its CSV says it: shares as percent numbers under ``占比（%）`` (a CSV has
    no number formats), indexes to three decimals, whole numbers without ``.0``."""
    out = frame.copy()
    names = []
    for i, name in enumerate(map(str, frame.columns)):
        column = frame.iloc[:, i]
        kind = column_kind(name, column)
        if kind == "percent":
            out.isetitem(i, (column.astype("float64") * 100).round(CSV_DECIMALS[kind]))
            name = f"{name}（%）"
        elif kind in CSV_DECIMALS:
            out.isetitem(i, column.astype("float64").round(CSV_DECIMALS[kind]))
        elif kind in ("count", "whole") and not pd.api.types.is_integer_dtype(column):
            out.isetitem(i, column.astype("Int64"))
        names.append(name)
    out.columns = names
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV. Formula-like text is neutralised; text cells are quoted, so a
    spreadsheet that splits on ``;`` or tabs cannot cut a cell open; numbers stay numbers."""
    frame = csv_frame(frame)
    safe = frame.copy()
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)
        ):
            safe.isetitem(i, column.map(spreadsheet.csv_cell, na_action="ignore"))
    safe.columns = [spreadsheet.csv_cell(str(c)) for c in frame.columns]
    return safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据", title: str | None = None) -> bytes:
    """The frame as an XLSX workbook: numbers as numbers with Excel number formats (shares
    ``0.00%``, indexes ``0.000``, counts ``#,##0``), the header row frozen. Text is always
    written as text, never as a formula (formula-like text also carries Excel's quote
    prefix, so editing it keeps it text). ``title`` goes into the file's properties."""
    book = Workbook()
    worksheet = book.active
    worksheet.title = spreadsheet.sheet_title(sheet)
    if title:
        book.properties.title = spreadsheet.xlsx_text(title)
    formats = [
        XLSX_FORMATS.get(column_kind(str(name), frame.iloc[:, i]) or "")
        for i, name in enumerate(frame.columns)
    ]
    for c, name in enumerate(frame.columns, start=1):
        _put(worksheet.cell(row=1, column=c), str(name))
        worksheet.column_dimensions[get_column_letter(c)].width = max(10, 2 * len(str(name)) + 2)
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, value in enumerate(row, start=1):
            cell = worksheet.cell(row=r, column=c)
            _put(cell, value)
            if formats[c - 1] and not isinstance(cell.value, str | type(None)):
                cell.number_format = formats[c - 1]
                if formats[c - 1] in ("#,##0", "0") and float(cell.value).is_integer():
                    cell.value = int(cell.value)  # 8, not 8.0, in a column with a gap
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell, value) -> None:
    value = _plain(value)
    if isinstance(value, str):
        cell.value = spreadsheet.xlsx_text(value)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if spreadsheet.looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value


def _plain(value):
    """A pandas/numpy cell as a value openpyxl writes (numbers stay numbers)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: keep the wall time
    if isinstance(value, bool | int | float | Decimal | date):
        return value
    return str(value)


# Characters Windows or browsers refuse in a file name, and spaces.
_UNSAFE = r'[\\/:*?"<>|\x00-\x1f\x7f\s]'
# Where a title separates its parts (a run of unsafe characters, a middle dot standing
# between spaces as in "北京市 · 问题类型", underscores): one "_" in the file name.
_SEPARATOR = re.compile(rf"(?:{_UNSAFE}|_)+(?:[·・•](?:{_UNSAFE}|_)+)*")


def file_name(title: str) -> str:
    """A download's file name from its title (no characters Windows or browsers refuse,
    parts joined by a single "_": 北京市_问题类型, never 北京市_·_问题类型)."""
    return _SEPARATOR.sub("_", title).strip("._·・•") or "数据"


class Names(NamedTuple):
    """What a download is called: its file (no extension), its sheet, its picture's title."""

    file: str
    sheet: str
    caption: str


def labelled(title: str, scope: list[str]) -> Names:
    """A figure's names: the title plus whichever parts of the scope it does not already
    say. The sheet name starts with them, so Excel's 31 characters keep the period."""
    extra = [p for p in scope if p not in title]
    caption = " ".join([*extra, title])
    return Names(file_name("_".join([title, *extra])), spreadsheet.sheet_title(caption), caption)


def footer_text(today: date | None = None) -> str:
    return f"图表编制：Tousu 投诉数据看板　数据来源：Tousu 投诉数据库　导出日期：{(today or date.today()).isoformat()}"


@cache
def _fonts_registered() -> bool:
    import os

    import vl_convert as vlc

    for directory in FONT_DIRS:
        if os.path.isdir(directory):
            vlc.register_font_directory(directory)
    return True


def chart_png(
    chart: alt.TopLevelMixin, title: str, today: date | None = None, footer: str | None = None
) -> bytes:
    """The chart rendered to PNG offline (vl-convert) with a title and the footer (the
    dashboard's, or ``footer``: a report's 图表编制 line)."""
    import vl_convert as vlc

    _fonts_registered()
    framed = (
        chart.properties(
            title=alt.TitleParams(
                text=title,
                # A line per part: one line wider than a narrow chart was cut off.
                subtitle=(footer or footer_text(today)).split("　"),
                subtitleColor="#666",
                subtitleFontSize=10,
                anchor="start",
            ),
        )
        .configure(font=CJK_FONT)
        .configure_view(stroke=None)
    )
    return vlc.vegalite_to_png(framed.to_dict(), scale=2)
