"""Figures as files: CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX, and PNG charts
carrying a footer with the data source and date, like the reports' 图表编制 line."""

from __future__ import annotations

import io
from datetime import date
from functools import cache

import altair as alt
import pandas as pd

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype", "/usr/share/fonts")
CJK_FONT = "Noto Sans CJK SC"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


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


def chart_png(chart: alt.TopLevelMixin, title: str, today: date | None = None) -> bytes:
    """The chart rendered to PNG offline (vl-convert) with a title and the footer."""
    import vl_convert as vlc

    _fonts_registered()
    framed = (
        chart.properties(
            title=alt.TitleParams(
                text=title,
                subtitle=footer_text(today),
                subtitleColor="#666",
                subtitleFontSize=10,
                anchor="start",
            ),
        )
        .configure(font=CJK_FONT)
        .configure_view(stroke=None)
    )
    return vlc.vegalite_to_png(framed.to_dict(), scale=2)
