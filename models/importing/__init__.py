"""Import of platforms and complaints from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX.

Validation reports every bad cell with its row and column; a file with any bad row
writes nothing. Rows with an ``external_id`` already in the database update it.
The command line and the admin page both call :func:`import_complaints` and
:func:`import_platforms`. Files are read streaming and refused at the caps in
:mod:`models.importing.limits`.

The package by concern: ``files`` and ``xlsx`` read files into rows of text, ``table``
maps the header, ``cells`` parses and checks single cells, ``complaints`` and
``platforms`` check rows, ``columnar`` checks complaint rows a column at a time (the fast
path), ``validation`` reads a file through both, ``writes`` writes complaints in bulk,
``report`` is what comes back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from models.importing.cells import parse_amount, parse_bool, parse_datetime, parse_int
from models.importing.complaints import COMPLAINT_COLUMNS, ComplaintRow
from models.importing.files import Table, open_table
from models.importing.platforms import PLATFORM_COLUMNS, check_platform, import_platform_table
from models.importing.report import CellError, ImportReport
from models.importing.validation import validate_complaints
from models.importing.writes import (
    UNSORTED_SECTOR,
    ensure_platforms,
    preview_complaints,
    write_complaints,
)

__all__ = [
    "COMPLAINT_COLUMNS",
    "PLATFORM_COLUMNS",
    "UNSORTED_SECTOR",
    "CellError",
    "ComplaintRow",
    "ImportReport",
    "Table",
    "check_platform",
    "ensure_platforms",
    "import_complaints",
    "import_platforms",
    "open_table",
    "parse_amount",
    "parse_bool",
    "parse_datetime",
    "parse_int",
    "validate_complaints",
    "write_complaints",
]


def import_complaints(
    session: Session,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    entered_by_id: int | None = None,
) -> ImportReport:
    """Validate a complaints file and, when every row is valid and not a dry run, write it.

    A file past a cap, unreadable or with an unrecognised header raises
    :class:`~models.errors.TousuError`; bad cells are listed in the report.
    """
    with _collector_paused():
        valid, report = validate_complaints(open_table(data, filename))
        report.dry_run = dry_run
        if report.ok and valid:
            done = (
                preview_complaints(session, valid)
                if dry_run
                else write_complaints(session, valid, entered_by_id=entered_by_id)
            )
            report.inserted, report.updated, report.kept_work, report.platforms_created = done
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    # An import builds millions of tuples and strings that form no cycles; the cyclic
    # garbage collector would walk all of them again and again (a fifth of validation).
    # Paused only while the import runs; it collects as usual afterwards.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_platforms(
    session: Session, data: bytes, filename: str, *, dry_run: bool = False
) -> ImportReport:
    """Validate a platforms file; add new platforms and update the sector/onboarding of known ones."""
    return import_platform_table(session, open_table(data, filename), dry_run=dry_run)
