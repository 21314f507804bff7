"""Cells that are safe to open in a spreadsheet, for every CSV and XLSX Tousu writes.

Complaint data is typed by the public and by platforms: a title or platform name starting
with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel, WPS and LibreOffice when a
CSV is opened (``=HYPERLINK(…)`` phones home, DDE payloads start programs). Following
OWASP's advice on CSV injection, such text gets a leading apostrophe in CSV; in XLSX it is
written as a text cell (never a formula) with Excel's quote-prefix flag. Numbers stay
numbers, and text that is just a number ("-3", "+5.2%") is left alone: it cannot run.
"""

from __future__ import annotations

import re

# OWASP's triggers, plus their full-width forms (Chinese and Japanese input methods type
# them, and some spreadsheets read them as the ASCII operators).
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl raises IllegalCharacterError.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel refuses these in sheet names.
_NOT_IN_SHEET_TITLE = re.compile(r"[:\\/?*\[\]\x00-\x1f\x7f]")
XLSX_MAX_TEXT = 32_767
SHEET_TITLE_MAX = 31


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or split it into cells)."""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    stripped = text.lstrip()
    return (
        bool(stripped)
        and stripped[0] in FORMULA_STARTS
        and _PLAIN_NUMBER.fullmatch(stripped) is None
    )


def csv_cell(value: object) -> object:
    """``value`` for a CSV cell: formula-like text gets a leading ``'``; other values unchanged.

    Line breaks inside text become ``\\n``: a CSV writer quotes those, while a lone ``\\r``
    would go out unquoted and start a new row (and a new cell) in Excel.
    """
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if looks_like_formula(value) else text


def xlsx_text(text: str) -> str:
    """``text`` as an XLSX cell can hold it: without the control characters XML forbids
    (they are invisible anyway) and at most Excel's 32,767 characters."""
    return _NOT_IN_XML.sub("", text)[:XLSX_MAX_TEXT]


def sheet_title(title: str, fallback: str = "数据") -> str:
    """A sheet name Excel accepts: no ``: \\ / ? * [ ]`` or control characters, not
    starting or ending with an apostrophe, 1–31 characters, not the reserved "History"."""
    cleaned = _NOT_IN_SHEET_TITLE.sub("_", _NOT_IN_XML.sub("", title))
    cleaned = cleaned[:SHEET_TITLE_MAX].strip().strip("'").strip()
    if not cleaned:
        return fallback
    if cleaned.lower() == "history":
        return cleaned + "_"
    return cleaned
