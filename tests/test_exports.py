"""Figure exports: CSV with BOM, XLSX that opens, PNG with the footer rendered offline."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from dashboard import charts, exports

FRAME = pd.DataFrame(
    [
        {"label": "退款问题", "count": 7, "percent": "38.89%"},
        {"label": "虚假促销", "count": 3, "percent": "16.67%"},
    ]
)


def test_csv_has_bom_for_excel():
    data = exports.csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "退款问题,7,38.89%" in data.decode("utf-8-sig")


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
