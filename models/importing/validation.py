"""Validating a complaints file: every row checked, every problem reported.

The table is read once, streaming, in chunks. Each chunk is checked column by column
(:mod:`models.importing.columnar`); a row that does not surely pass there is checked
cell by cell (:func:`check_complaint`), which names each problem with its row and
column — so the report is the same as checking every row cell by cell. Only the checked
values of valid rows are kept; after the first bad row nothing but the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from models.importing.cells import latest_moment
from models.importing.columnar import check_columns
from models.importing.complaints import COMPLAINT_COLUMNS, ComplaintRow, check_complaint
from models.importing.files import Rows, Table
from models.importing.report import CellError, ImportReport
from models.importing.table import Layout, layout

CHUNK = 5_000  # rows checked column by column at once: memory stays small


def validate_complaints(table: Table) -> tuple[list[ComplaintRow], ImportReport]:
    """Check every cell of every row; the report lists every problem with row and column."""
    columns = layout(table, COMPLAINT_COLUMNS)
    report = ImportReport(warnings=columns.warnings, errors=columns.errors)
    if not report.ok:
        report.rows = sum(1 for _row in table.rows)
        return [], report
    latest = latest_moment()
    valid: list[ComplaintRow] = []
    seen: dict[str, int] = {}  # external id → the first row that has it
    external_name = columns.names.get("external_id", "external_id")
    for chunk in _chunks(table.rows):
        for (number, raw), fast in zip(chunk, check_columns(chunk, columns, latest), strict=True):
            report.rows += 1
            if fast is None:
                row, errors = _check_row(number, raw, columns, latest, seen)
            else:
                row, errors = fast, []
                external = fast.get("external_id")
                if external:
                    first = seen.setdefault(external, number)
                    if first != number:
                        reason = f"与第{first}行的投诉编号重复"
                        errors.append(CellError(number, external_name, external, reason))
            if errors:
                report.add(errors)
                valid.clear()  # nothing will be written: keep no values
            elif row is not None and report.ok:
                valid.append(row)
    return valid, report


def _check_row(
    number: int, raw: list[str], columns: Layout, latest: datetime, seen: dict[str, int]
) -> tuple[ComplaintRow | None, list[CellError]]:
    """One row checked cell by cell, with its external id against the rows before."""
    cells, errors = columns.cells(number, raw)
    row, row_errors = check_complaint(number, cells, columns.names, latest)
    errors += row_errors
    external = cells.get("external_id")
    if external:
        first = seen.setdefault(external, number)
        if first != number:
            reason = f"与第{first}行的投诉编号重复"
            errors.append(CellError(number, columns.names["external_id"], external, reason))
    return row, errors


def _chunks(rows: Rows) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk
