"""Test data written through the real import path."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sqlalchemy import Engine

from models.importing import COMPLAINT_COLUMNS, import_complaints, import_platforms
from models.store.db import session_scope


def csv_bytes(rows: Iterable[dict], columns: Iterable[str], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode(encoding)


def add_platforms(engine: Engine, *platforms: tuple[str, str, bool]) -> None:
    data = csv_bytes(
        ({"name": n, "sector": s, "onboarded": "是" if o else "否"} for n, s, o in platforms),
        ("name", "sector", "onboarded"),
    )
    with session_scope(engine) as session:
        report = import_platforms(session, data, "platforms.csv")
    assert report.ok, report.errors


def add_complaints(engine: Engine, rows: list[dict]) -> None:
    """Import complaint rows (canonical keys); defaults fill the required fields."""
    full = [{"problem_type": "退款问题", **row} for row in rows]
    data = csv_bytes(full, COMPLAINT_COLUMNS)
    with session_scope(engine) as session:
        report = import_complaints(session, data, "complaints.csv")
    assert report.ok, [str(e) for e in report.errors]
