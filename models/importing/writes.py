"""Writing checked complaint rows: new ones inserted, known ``external_id`` ones updated,
unknown platforms created, replies and scores recorded, summaries recounted — all in
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, Table, any_, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from models.clock import local_now
from models.importing.complaints import KEPT_WHEN_EMPTY, VALUE_COLUMNS, ComplaintRow
from models.rules.complaint import public_text_of
from models.rules.labels import PENDING, RATED, REJECTED, REPLIED, TRANSFERRED
from models.store import summary
from models.store.db import bulk_insert, large_cache, refresh_statistics
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore

UNSORTED_SECTOR = "未分类"
CHUNK = 500  # rows per IN (...) lookup; SQLite allows 32766 parameters, PostgreSQL 65535
LOOKUP_CHUNK = 20_000  # external ids per lookup: 200 round trips for 100,000 rows cost 0.5 s
_EXTERNAL_ID = VALUE_COLUMNS.index("external_id")
_MONTH = VALUE_COLUMNS.index("submitted_month")
_REPLIED_AT = VALUE_COLUMNS.index("replied_at")
_SCORE = VALUE_COLUMNS.index("score")
_TYPICAL = VALUE_COLUMNS.index("typical")
#: Positions of public_text_of's arguments in VALUE_COLUMNS.
_PUBLIC = tuple(
    VALUE_COLUMNS.index(name)
    for name in (
        *("title", "content", "complainant", "gender"),
        *("phone", "email", "id_number", "order_number"),
    )
)
WRITE_CHUNK = 5_000
#: The tables an import writes: their statistics are refreshed after a large one.
_WRITTEN = (
    *("complaint", "reply", "satisfaction_score"),
    *("summary_rating", "summary_count", "summary_week"),
)


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


class _Stored(NamedTuple):
    """What a known complaint holds that a re-import must not lose."""

    id: int
    version: int
    status: str
    transferred_at: datetime | None
    replied_at: datetime | None
    reply_tier: float | None
    score: int | None


#: How far along the workflow a status is. An import never moves a known complaint back:
#: a file re-imported (a corrected title) without the reply, score or review staff have
#: entered since keeps them — an empty cell is not "none". 不予受理 is past 已移交: a row
#: whose status is only derived (no reply: 已移交) does not undo a rejection.
_PROGRESS = {PENDING: 0, TRANSFERRED: 1, REJECTED: 1.5, REPLIED: 2, RATED: 3}
_WORKFLOW = ("status", "transferred_at", "replied_at", "reply_tier", "score")


def _existing(
    session: Session, rows: list[ComplaintRow], touched: set[tuple[int, int]]
) -> dict[str, _Stored]:
    """What is stored of the complaints the rows' external ids name; their months and
    platforms go into ``touched``."""
    externals = [r.values[_EXTERNAL_ID] for r in rows if r.values[_EXTERNAL_ID]]
    existing: dict[str, _Stored] = {}
    stmt = select(
        Complaint.external_id,
        Complaint.submitted_month,
        Complaint.platform_id,
        *(getattr(Complaint, name) for name in _Stored._fields),
    )
    for chunk in _chunks(externals, LOOKUP_CHUNK):
        for ext, month, pid, *stored in session.execute(stmt.where(_named(session, chunk))):
            existing[ext] = _Stored(*stored)
            touched.add((month, pid))
    return existing


def _behind(values: dict[str, Any], stored: _Stored) -> bool:
    """Whether a row (its UPDATE ``values``) is behind ``stored`` in the workflow; if so,
    ``values`` takes the stored workflow whole — status, transfer, reply, score — so a
    row that is as far or further is taken as written."""
    if _PROGRESS[values["status"]] >= _PROGRESS[stored.status]:
        return False
    values.update({name: getattr(stored, name) for name in _WORKFLOW})
    return True


def _named(session: Session, externals: list[str]) -> ColumnElement[bool]:
    """``external_id IN externals``; on PostgreSQL as ``= ANY(array)``, one parameter
    instead of 20,000 (planning those took half a second per 100,000 ids)."""
    if session.get_bind().dialect.name == "postgresql":
        return Complaint.external_id == any_(bindparam("externals", externals, ARRAY(String)))
    return Complaint.external_id.in_(externals)


class _FollowUps:
    """The reply and score rows that go with the written complaints."""

    def __init__(self, entered_by_id: int | None, now: datetime) -> None:
        self.entered_by_id, self.now = entered_by_id, now
        self.replies: list[tuple] = []  # (complaint_id, content, replied_at)
        self.scores: list[tuple] = []  # (complaint_id, score)

    def add(self, complaint_id: int, row: ComplaintRow, old_score: int | None = None) -> None:
        """Follow-ups of ``row``, written as complaint ``complaint_id``."""
        replied_at, score = row.values[_REPLIED_AT], row.values[_SCORE]
        if replied_at is not None:
            self.replies.append((complaint_id, row.reply or "", replied_at))
        if score is not None and score != old_score:
            self.scores.append((complaint_id, score))

    def write(self, connection: Any) -> None:
        who = (self.entered_by_id, self.now)
        if self.replies:
            columns = ("complaint_id", "content", "replied_at", "entered_by_id", "entered_at")
            rows = [(*reply, *who) for reply in self.replies]
            _insert(connection, Reply.__table__, columns, rows)
        if self.scores:
            columns = ("complaint_id", "score", "entered_by_id", "entered_at")
            rows = [(*score, *who) for score in self.scores]
            _insert(connection, SatisfactionScore.__table__, columns, rows)


def _insert(
    connection: Any, table: Table, columns: Sequence[str], rows: list[tuple], *, staged=False
) -> None:
    """Plain rows into ``table`` in bulk, each value as SQLAlchemy would bind it."""
    dialect = connection.dialect
    values = []
    for name, column in zip(columns, zip(*rows, strict=True), strict=True):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            values.append(column)
        elif column.count(column[0]) == len(column):  # one value (the time of the import)
            values.append([process(column[0])] * len(column))
        else:
            values.append([process(v) for v in column])
    bulk_insert(connection, table.name, columns, list(zip(*values, strict=True)), staged=staged)


def _insert_new(
    session: Session, rows: list[ComplaintRow], platform_ids: dict[str, int], now: datetime
) -> list[int]:
    """Insert complaints that are not in the database yet; their ids, in row order."""
    ids = _new_ids(session, len(rows))
    values = [row.values for row in rows]
    public = [public_text_of(*(v[i] for i in _PUBLIC)) for v in values]
    extra = [(cid, platform_ids[r.platform], now, now, 1) for cid, r in zip(ids, rows, strict=True)]
    table_rows = [
        (*v[:_TYPICAL], bool(v[_TYPICAL]), *v[_TYPICAL + 1 :], *more, text)
        for v, more, text in zip(values, extra, public, strict=True)
    ]
    columns = (*VALUE_COLUMNS, "id", "platform_id", "created_at", "updated_at", "version")
    # One statement on SQLite: the search index's trigger then flushes once, not per row.
    connection = session.connection()
    _insert(connection, Complaint.__table__, (*columns, "public_text"), table_rows, staged=True)
    return ids


def _update_known(
    session: Session,
    rows: list[ComplaintRow],
    existing: dict[str, _Stored],
    platform_ids: dict[str, int],
    now: datetime,
    follow_ups: _FollowUps,
) -> int:
    """Update the complaints whose external id exists, keeping the workflow staff took
    further (:func:`_behind`); a row with a reply writes its replies anew. Returns how
    many kept something staff entered."""
    kept = 0
    for chunk in _chunks(rows, WRITE_CHUNK):
        params, replaced = [], []
        for row in chunk:
            stored = existing[row.values[_EXTERNAL_ID]]
            values = row.params(
                id=stored.id,
                platform_id=platform_ids[row.platform],
                updated_at=now,
                version=stored.version + 1,
            )
            behind = _behind(values, stored)
            kept += behind
            for key in KEPT_WHEN_EMPTY:
                if values[key] is None:
                    del values[key]
            params.append(values)
            if not behind:  # the row's reply and score, as for a new complaint
                follow_ups.add(stored.id, row, stored.score)
                if row.values[_REPLIED_AT] is not None:
                    replaced.append(stored.id)
        session.execute(update(Complaint), params)
        if replaced:
            session.execute(delete(Reply).where(Reply.complaint_id.in_(replaced)))
    return kept


def write_complaints(
    session: Session, rows: list[ComplaintRow], *, entered_by_id: int | None = None
) -> tuple[int, int, int, list[str]]:
    """Insert new complaints and update those whose external_id exists. Returns how many
    were inserted, updated, updated keeping a review, reply or score staff entered, and
    the platforms created."""
    platform_ids, created = ensure_platforms(session, (r.platform for r in rows))
    touched = {(r.values[_MONTH], platform_ids[r.platform]) for r in rows}
    existing = _existing(session, rows, touched)  # adds the months and platforms before
    now = local_now()
    follow_ups = _FollowUps(entered_by_id, now)
    new_rows = [r for r in rows if r.values[_EXTERNAL_ID] not in existing]
    changed_rows = [r for r in rows if r.values[_EXTERNAL_ID] in existing]
    connection = session.connection()
    with large_cache(connection):
        if new_rows:
            ids = _insert_new(session, new_rows, platform_ids, now)
            for cid, row in zip(ids, new_rows, strict=True):
                follow_ups.add(cid, row)
        kept = _update_known(session, changed_rows, existing, platform_ids, now, follow_ups)
        follow_ups.write(connection)
        summary.changed(session, touched)
    if len(rows) >= 1000:
        refresh_statistics(connection, _WRITTEN)
    return len(new_rows), len(changed_rows), kept, created


def preview_complaints(
    session: Session, rows: list[ComplaintRow]
) -> tuple[int, int, int, list[str]]:
    """What :func:`write_complaints` would do, read only (an import's check): how many
    rows it would insert, update, update keeping staff's workflow, and the platforms it
    would create."""
    names = sorted({r.platform for r in rows})
    known: set[str] = set()
    for chunk in _chunks(names):
        known.update(session.scalars(select(Platform.name).where(Platform.name.in_(chunk))))
    existing = _existing(session, rows, set())
    updated = [
        (r, existing[r.values[_EXTERNAL_ID]]) for r in rows if r.values[_EXTERNAL_ID] in existing
    ]
    behind = sum(_PROGRESS[r.get("status")] < _PROGRESS[stored.status] for r, stored in updated)
    return len(rows) - len(updated), len(updated), behind, [n for n in names if n not in known]


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
