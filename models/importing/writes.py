"""Writing checked complaint rows: new ones inserted, known ``external_id`` ones updated,
unknown platforms created, replies and scores recorded, summaries recounted — all in
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlmodel import Session

from models.clock import local_now
from models.importing.complaints import KEPT_WHEN_EMPTY, VALUE_COLUMNS, ComplaintRow
from models.store import summary
from models.store.db import refresh_statistics
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore

UNSORTED_SECTOR = "未分类"
CHUNK = 500  # rows per IN (...) lookup; SQLite allows 32766 parameters, PostgreSQL 65535
_EXTERNAL_ID = VALUE_COLUMNS.index("external_id")
_MONTH = VALUE_COLUMNS.index("submitted_month")
WRITE_CHUNK = 5_000


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_platforms(session: Session, names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Ids of the named platforms, creating unknown ones (sector 未分类, not onboarded)."""
    wanted = sorted(set(names))
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted):
        ids.update(
            session.exec(select(Platform.name, Platform.id).where(Platform.name.in_(chunk))).all()
        )  # type: ignore[call-overload, arg-type]
    missing = [n for n in wanted if n not in ids]
    now = local_now()
    if missing:
        created = session.execute(
            insert(Platform).returning(Platform.name, Platform.id, sort_by_parameter_order=True),
            [
                {"name": n, "sector": UNSORTED_SECTOR, "onboarded": False, "created_at": now}
                for n in missing
            ],
        )
        ids.update(dict(created.all()))
    return ids, missing


def _existing(
    session: Session, rows: list[ComplaintRow], touched: set[tuple[int, int]]
) -> dict[str, tuple[int, int | None, int]]:
    """(id, score, version) of the complaints the rows' external ids name; their months
    and platforms go into ``touched``."""
    externals = [r.values[_EXTERNAL_ID] for r in rows if r.values[_EXTERNAL_ID]]
    existing: dict[str, tuple[int, int | None, int]] = {}
    stmt = select(
        Complaint.external_id,
        Complaint.id,
        Complaint.score,
        Complaint.version,
        Complaint.submitted_month,
        Complaint.platform_id,
    )
    for chunk in _chunks(externals):
        for ext, cid, score, version, month, pid in session.execute(
            stmt.where(Complaint.external_id.in_(chunk))
        ):
            existing[ext] = (cid, score, version)
            touched.add((month, pid))
    return existing


class _FollowUps:
    """The reply and score rows that go with the written complaints."""

    def __init__(self, entered_by_id: int | None, now: datetime) -> None:
        self.entered_by_id, self.now = entered_by_id, now
        self.replies: list[dict] = []
        self.scores: list[dict] = []

    def add(self, params: dict[str, Any], reply: str | None, old_score: int | None) -> None:
        """Follow-ups of the complaint written with ``params`` (its INSERT or UPDATE row)."""
        who = {"entered_by_id": self.entered_by_id, "entered_at": self.now}
        complaint_id, replied_at, score = params["id"], params["replied_at"], params["score"]
        if replied_at is not None:
            self.replies.append(
                {"complaint_id": complaint_id, "content": reply or "", "replied_at": replied_at}
                | who
            )
        if score is not None and score != old_score:
            self.scores.append({"complaint_id": complaint_id, "score": score} | who)

    def write(self, session: Session) -> None:
        if self.replies:
            session.connection().execute(insert(Reply.__table__), self.replies)
        if self.scores:
            session.connection().execute(insert(SatisfactionScore.__table__), self.scores)


def write_complaints(
    session: Session, rows: list[ComplaintRow], *, entered_by_id: int | None = None
) -> tuple[int, int, list[str]]:
    """Insert new complaints and update those whose external_id exists. Returns counts."""
    platform_ids, created = ensure_platforms(session, (r.platform for r in rows))
    touched = {(r.values[_MONTH], platform_ids[r.platform]) for r in rows}
    existing = _existing(session, rows, touched)  # adds the months and platforms before
    now = local_now()
    follow_ups = _FollowUps(entered_by_id, now)
    new_rows = [r for r in rows if r.values[_EXTERNAL_ID] not in existing]
    changed_rows = [r for r in rows if r.values[_EXTERNAL_ID] in existing]
    connection = session.connection()
    ids = _new_ids(session, len(new_rows)) if new_rows else []
    new_chunks = zip(_chunks(new_rows, WRITE_CHUNK), _chunks(ids, WRITE_CHUNK), strict=True)
    for chunk, chunk_ids in new_chunks:
        params = []
        for row, cid in zip(chunk, chunk_ids, strict=True):
            values = row.params(
                id=cid,
                platform_id=platform_ids[row.platform],
                created_at=now,
                updated_at=now,
                version=1,
            )
            values["typical"] = bool(values["typical"])
            params.append(values)
            follow_ups.add(values, row.reply, None)
        # Core executemany without RETURNING: RETURNING over many rows is quadratic here.
        connection.execute(insert(Complaint.__table__), params)
    for chunk in _chunks(changed_rows, WRITE_CHUNK):
        params = []
        for row in chunk:
            cid, old_score, version = existing[row.values[_EXTERNAL_ID]]
            values = row.params(
                id=cid, platform_id=platform_ids[row.platform], updated_at=now, version=version + 1
            )
            for key in KEPT_WHEN_EMPTY:
                if values[key] is None:
                    del values[key]
            params.append(values)
            follow_ups.add(values, row.reply, old_score)
        session.execute(update(Complaint), params)
        ids_changed = [p["id"] for p in params]
        session.execute(delete(Reply).where(Reply.complaint_id.in_(ids_changed)))
    follow_ups.write(session)
    summary.changed(session, touched)
    if len(rows) >= 1000:
        refresh_statistics(session.connection())
    return len(new_rows), len(changed_rows), created


def _new_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh complaint ids: PostgreSQL's sequence, or after SQLite's largest id
    (the import holds SQLite's write lock; a racing writer would fail on the key)."""
    if session.connection().dialect.name == "postgresql":
        stmt = text(
            "SELECT nextval(pg_get_serial_sequence('complaint', 'id')) FROM generate_series(1, :n)"
        )
        return list(session.execute(stmt, {"n": n}).scalars())
    start = (session.execute(select(func.max(Complaint.id))).scalar() or 0) + 1
    return list(range(start, start + n))
