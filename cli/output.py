"""Rows printed as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from models.rules.spreadsheet import csv_cell

FORMATS = ("table", "csv", "json")


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _json_number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {value!r}")


def render(
    rows: Sequence[dict], columns: Sequence[str], fmt: str, percent: Sequence[str] = ()
) -> str:
    """``rows`` (dicts keyed by ``columns``) in the chosen format, ending with a newline.

    Numbers stay numbers in JSON (a Decimal as a JSON number); the ``percent`` columns hold
    a number of percent, written with a % sign in the table and CSV (38.89%) but as 38.89
    in JSON.
    """
    if fmt == "json":
        text = json.dumps(
            [{c: row[c] for c in columns} for row in rows],
            ensure_ascii=False,
            indent=2,
            default=_json_number,
        )
        return text + "\n"
    rows = [{c: f"{row[c]}%" if c in percent else row[c] for c in columns} for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        # Piped into a file and opened in Excel: no cell may start a formula.
        writer.writerow([csv_cell(c) for c in columns])
        writer.writerows([[csv_cell(row[c]) for c in columns] for row in rows])
        return buffer.getvalue()
    cells = [[str(row[c]) for c in columns] for row in rows]
    widths = [
        max([display_width(c)] + [display_width(r[i]) for r in cells])
        for i, c in enumerate(columns)
    ]
    numeric = [
        all(_looks_numeric(r[i]) for r in cells) and bool(cells) for i in range(len(columns))
    ]
    lines = ["  ".join(_pad(c, w, n) for c, w, n in zip(columns, widths, numeric, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(_pad(v, w, n) for v, w, n in zip(r, widths, numeric, strict=True)))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _looks_numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("%", "").replace("-", "", 1).isdigit()
