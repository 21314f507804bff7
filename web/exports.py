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

import altair as alt
import pandas as pd
from openpyxl import Workbook

from models.rules import spreadsheet

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype", "/usr/share/fonts")
CJK_FONT = "Noto Sans CJK SC"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV. Formula-like text is neutralised; text cells are quoted, so a
    spreadsheet that splits on ``;`` or tabs cannot cut a cell open; numbers stay numbers."""
    safe = frame.copy()
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)
        ):
            safe.isetitem(i, column.map(spreadsheet.csv_cell, na_action="ignore"))
    safe.columns = [spreadsheet.csv_cell(str(c)) for c in frame.columns]
    return safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    """The frame as an XLSX workbook. Text is always written as text, never as a formula
    (formula-like text also carries Excel's quote prefix, so editing it keeps it text)."""
    book = Workbook()
    worksheet = book.active
    worksheet.title = spreadsheet.sheet_title(sheet)
    rows = [list(frame.columns), *frame.itertuples(index=False, name=None)]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            _put(worksheet.cell(row=r, column=c), value)
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


def file_name(title: str) -> str:
    """A download's file name from its title (no characters Windows or browsers refuse)."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+', "_", title).strip("._") or "数据"


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
                subtitle=footer or footer_text(today),
                subtitleColor="#666",
                subtitleFontSize=10,
                anchor="start",
            ),
        )
        .configure(font=CJK_FONT)
        .configure_view(stroke=None)
    )
    return vlc.vegalite_to_png(framed.to_dict(), scale=2)
