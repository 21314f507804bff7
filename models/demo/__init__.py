"""Demo data: the reports' platforms and typical cases, plus synthetic complaints.

Synthetic complaints (2023–2025, then from 2026 up to today at the same pace) follow each
sector's published distributions (``demo_data/sector_profiles.json``) and each platform's
reply behaviour (``platform_profiles.json``), chosen so that onboarded platforms spread
over all grades. The workflow stands as it would today: the last weeks' complaints partly
await review, and replies not due yet are not in — a reply queue with complaints under 72
hours, between 72 and 120, and overdue.
Generation is vectorised with NumPy and written in bulk (executemany on SQLite, COPY on
PostgreSQL), so a million complaints take about a minute. The same seed gives the same
full years whatever the date (the README's examples rely on it); the current year's
complaints are the same for the same seed and day.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text

from models.clock import local_now
from models.demo.synthetic import (
    BATCH,
    COLUMNS,
    LAST_DAY,
    REPLIED_AT,
    REPLIES,
    SCORE,
    YEARS,
    Synthetic,
    _load,
    day_weight_sum,
)
from models.errors import TousuError
from models.importing import import_complaints, import_platforms
from models.store import summary
from models.store.db import bulk_insert, refresh_statistics, session_scope
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore


def _report_content(session) -> tuple[dict[str, tuple[int, str, bool]], int]:
    """The reports' platforms and typical cases, through the real import; (platforms, cases)."""
    platforms_report = import_platforms(
        session, _load("platforms.csv").read_bytes(), "platforms.csv"
    )
    cases_report = import_complaints(
        session, _load("typical_cases.csv").read_bytes(), "typical_cases.csv"
    )
    if not (platforms_report.ok and cases_report.ok):  # our own files: a bug, not user error
        raise RuntimeError(
            f"demo data invalid: {platforms_report.errors[:3]} {cases_report.errors[:3]}"
        )
    known = {
        name: (pid, sector, bool(onboarded))
        for pid, name, sector, onboarded in session.execute(
            select(Platform.id, Platform.name, Platform.sector, Platform.onboarded)
        )
    }
    return known, cases_report.inserted


def _write_batch(
    connection, synth: Synthetic, first_id: int, start: int, stop: int, now: datetime
) -> None:
    """Complaints ``start``..``stop`` with their replies and scores, in bulk."""
    sqlite = connection.dialect.name == "sqlite"
    rows = list(synth.rows(first_id, start, stop, sqlite, now))
    bulk_insert(connection, "complaint", COLUMNS, rows, staged=True)  # one search-index flush
    replies = [
        (row[0], REPLIES[synth.reply_text[start + k]], row[REPLIED_AT], row[REPLIED_AT])
        for k, row in enumerate(rows)
        if row[REPLIED_AT] is not None
    ]
    bulk_insert(
        connection, "reply", ("complaint_id", "content", "replied_at", "entered_at"), replies
    )
    scores = [(row[0], row[SCORE], row[REPLIED_AT]) for row in rows if row[SCORE] is not None]
    bulk_insert(connection, "satisfaction_score", ("complaint_id", "score", "entered_at"), scores)


def _reset_sequences(connection) -> None:
    """PostgreSQL: ids were given explicitly; the next serial value follows the largest."""
    for table in ("complaint", "reply", "satisfaction_score", "platform"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def _synthetic(
    complaints: int, seed: int, known: dict, years: int, now: datetime
) -> list[Synthetic]:
    """The full years (``complaints`` of them, the same whatever the date), then the days
    from 1 January after them up to ``now`` at the same pace (an own random stream)."""
    full = Synthetic(complaints, seed, known, years, now=now)
    first = LAST_DAY + timedelta(days=1)
    full_weight = day_weight_sum(date(LAST_DAY.year - years + 1, 1, 1), LAST_DAY)
    recent = round(complaints * day_weight_sum(first, now.date()) / full_weight)
    if not recent:
        return [full]
    later = Synthetic(recent, (seed, 1), known, first_day=first, last_day=now.date(), now=now)
    return [full, later]


def generate_demo(
    engine: Engine,
    *,
    complaints: int = 20_000,
    seed: int = 2024,
    replace: bool = False,
    years: int = YEARS,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> str:
    """Fill the database with demo data: ``complaints`` over the ``years`` up to 2025, and
    this year's up to ``now`` (default: the clock) at the same pace; a one-line summary."""
    if complaints < 0:
        raise TousuError("--complaints 不能为负数")
    if not 1 <= years <= 20:
        raise TousuError("--years 应在 1 到 20 之间")
    now = now or local_now()
    started = time.perf_counter()
    with session_scope(engine, write=True) as session:
        existing = session.scalar(select(func.count()).select_from(Complaint)) or 0
        if existing and not replace:
            raise TousuError(
                f"数据库中已有 {existing:,} 条投诉；加 --replace 清空平台和投诉后重新生成演示数据"
            )
        for table in (SatisfactionScore, Reply, Complaint, Platform):
            session.execute(delete(table))
        known, cases = _report_content(session)
        first_id = (session.execute(select(func.max(Complaint.id))).scalar() or 0) + 1
        parts = _synthetic(complaints, seed, known, years, now)
        total = sum(part.n for part in parts)
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # index pages stay in memory while a million rows go in
            connection.exec_driver_sql("PRAGMA cache_size=-262144")
        done = 0
        for part in parts:
            for start in range(0, part.n, BATCH):
                stop = min(start + BATCH, part.n)
                _write_batch(connection, part, first_id + done, start, stop, now)
                if progress:
                    progress(done + stop, total)
            done += part.n
        summary.changed(session, None)
        refresh_statistics(connection)
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size=-2000")  # back to the default
        else:
            _reset_sequences(connection)
    elapsed = time.perf_counter() - started
    parts = [f"{LAST_DAY.year + 1} 年以来 {total - complaints:,} 条"] if total > complaints else []
    parts.append(f"典型案例 {cases} 条")
    return (
        f"演示数据已生成：{len(known)} 个平台，{total + cases:,} 条投诉"
        f"（其中 {'，'.join(parts)}），用时 {elapsed:.1f} 秒"
    )
