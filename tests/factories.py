"""Test data written through the real import path."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

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


def complaint_history(
    platforms: Iterable[str], first: date, last: date, *, seed: int, per_day: int = 3
) -> list[dict]:
    """Complaint rows (canonical keys) on every day from ``first`` to ``last``: 1 to
    ``per_day`` a day on random platforms, some pending or rejected, most replied (fast,
    slow or late), some scored — the same rows for the same seed."""
    rng = random.Random(seed)
    names = list(platforms)
    rows = []
    day = first
    while day <= last:
        for n in range(rng.randint(1, per_day)):
            submitted = datetime.combine(day, time(8 + n, rng.randrange(60)))
            row = {"platform": rng.choice(names), "submitted_at": f"{submitted:%Y-%m-%d %H:%M}"}
            fate = rng.random()
            if fate < 0.05:
                row["status"] = rng.choice(["待审核", "不予受理"])
            elif fate < 0.85:
                replied = submitted + timedelta(hours=rng.choice([5, 30, 80, 100, 130, 200]))
                if replied < datetime.combine(last, time(0)):  # no reply from the future
                    row["replied_at"] = f"{replied:%Y-%m-%d %H:%M}"
                    if rng.random() < 0.4:
                        row["satisfaction"] = rng.randint(0, 10)
            rows.append(row)
        day += timedelta(days=1)
    return rows
