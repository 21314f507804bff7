"""Summary tables: the counts behind every figure, grouped per month, platform and status.

A dashboard reads a year of figures many times a minute. Counting 140,000 complaint rows
for each figure costs SQLite a tenth of a second and more; the same counts grouped per
month, platform and status are a few thousand rows. ``summary_rating`` holds the rating
inputs, ``summary_count`` the complaints per value of each value dimension (platform 0
holding the sum over all platforms), ``summary_week`` the same per ISO week for the
dimensions 消费预警 follows week by week (:data:`WEEKLY`).

Exact by construction: every write to complaints ends with :func:`changed`, which bumps
the data version and then recomputes the touched (month, platform) keys from the
complaints in the same transaction. Nothing is added or subtracted, so nothing can drift.
On PostgreSQL the data-version row lock orders concurrent writers (READ COMMITTED), so
each recompute sees the writes committed before it; SQLite has one writer at a time.

What the summaries cannot answer — chosen provinces or other chosen labels, two value
dimensions at once, the days of a month that a custom date range cuts — is counted from
the complaints:
:func:`plan` splits a selection into a summary part and direct parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Row, case, cast, delete, false, func, literal, or_, select
from sqlmodel import Session

from models.rules.dimensions import BY_NAME, REGISTRY, VALUE_DIMENSIONS
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.rules.months import month_end, month_of, next_month, previous_month
from models.store import scope
from models.store.db import bulk_insert
from models.store.freshness import bump
from models.store.tables import Complaint, Platform, SummaryCount, SummaryRating, SummaryWeek

Key = tuple[int, int]  # (YYYYMM, platform id)
ALL_PLATFORMS = 0  # summary_count rows summed over every platform
#: summary_rating rows summed over the statuses that count towards ratings (the
#: dashboards' default selection), so a seven-year timeline reads one row per month.
COUNTED = "*"
COUNTED_SET = set(COUNTING_STATUSES)
_FAST, _SLOW = 0, 1  # reply tiers (models.rules.rating): under 72 h, under 120 h


# --- keeping the summaries exact -----------------------------------------------------


def changed(session: Session, keys: Iterable[Key] | None) -> None:
    """Record a write to complaints: bump the data version, recompute what it touched.

    ``keys`` are the (month, platform id) pairs of every complaint written, before and
    after the write; None recomputes everything. Call it last in the writing transaction.
    """
    bump(session)  # first: on PostgreSQL its row lock queues concurrent recomputes
    if keys is None:
        _recompute(session, None, None)
        return
    keys = set(keys)
    if keys:  # every touched month × every touched platform: a superset, recounted at once
        _recompute(session, sorted({m for m, _p in keys}), sorted({p for _m, p in keys}))


def rebuild(session: Session) -> None:
    """Recompute both summaries from scratch (bulk loads, `tousu summary`)."""
    _recompute(session, None, None)


def count_if_empty(session: Session) -> None:
    """Rebuild the summaries when there are complaints but a summary table has no row:
    what a migration leaves when it changes what they hold (models/store/schema.py)."""
    connection = session.connection()

    def empty(table) -> bool:
        return connection.execute(select(literal(1)).select_from(table).limit(1)).first() is None

    if not empty(Complaint) and any(map(empty, (SummaryCount, SummaryRating, SummaryWeek))):
        rebuild(session)


_RATING_COLUMNS = (
    "month",
    "platform_id",
    "status",
    "complaints",
    "replied",
    "fast",
    "slow",
    "scored",
    "score_sum",
)
_COUNT_COLUMNS = ("dimension", "platform_id", "month", "status", "value", "complaints")
_WEEK_COLUMNS = ("dimension", "platform_id", "month", "week", "status", "value", "complaints")
#: The dimensions counted per week in summary_week (models/alerts reads them).
WEEKLY = ("problem_type", "province")
_KEYS = ["month", "platform_id", "status"]
#: The value dimensions, counted in summary_count.
_COUNTED = tuple(d for d in REGISTRY if d.summarised)
# What a recompute reads of each complaint, named as the summary columns and the columns
# the value dimensions read; all of them are in ix_complaint_month_platform, so a recount
# reads that index, not the table (tests/test_summary.py holds the two together).
_SOURCE = {
    "month": Complaint.submitted_month,
    "platform_id": Complaint.platform_id,
    "status": Complaint.status,
    "replied": case((Complaint.replied_at.is_(None), 0), else_=1),
    "reply_tier": Complaint.reply_tier,
    "score": Complaint.score,
    "submitted_at": Complaint.submitted_at,
    **{d.column: getattr(Complaint, d.column) for d in _COUNTED},
}
_CHUNK = 100_000


def _recompute(
    session: Session, months: Sequence[int] | None, platform_ids: Sequence[int] | None
) -> None:
    """Replace the summary rows of ``months`` × ``platform_ids`` (None: all) by a recount.

    SQL selects the complaints; they are counted in one pass in memory, because SQLite
    sorts for every GROUP BY and six of them over a million rows take half a minute.
    """

    def scope(month_col, platform_col) -> list:
        where = []
        if months is not None:
            where.append(month_col.in_(months))
        if platform_ids is not None:
            where.append(platform_col.in_(platform_ids))
        return where

    frame = _read(session, scope(Complaint.submitted_month, Complaint.platform_id))
    session.execute(
        delete(SummaryRating).where(*scope(SummaryRating.month, SummaryRating.platform_id))
    )
    connection = session.connection()
    bulk_insert(connection, "summary_rating", _RATING_COLUMNS, _rows(_rating_counts(frame)))
    for table, columns, counts in (
        (SummaryCount, _COUNT_COLUMNS, _value_counts(frame)),
        (SummaryWeek, _WEEK_COLUMNS, _week_counts(frame)),
    ):
        _replace(session, table, columns, counts, months, platform_ids)


def _replace(
    session: Session,
    table,
    columns: Sequence[str],
    counts: pd.DataFrame,
    months: Sequence[int] | None,
    platform_ids: Sequence[int] | None,
) -> None:
    """Replace ``table``'s rows of ``months`` × ``platform_ids`` (None: all), and the
    all-platform rows of those months, by ``counts`` (per platform)."""
    stale = []
    if months is not None:
        stale.append(table.month.in_(months))
    if platform_ids is not None:  # the all-platform rows of these months are redone too
        stale.append(or_(table.platform_id.in_(platform_ids), table.platform_id == ALL_PLATFORMS))
    session.execute(delete(table).where(*stale))
    if platform_ids is not None:  # all-platform rows also sum the platforms not recounted
        others = _other_platforms(session, table, columns, months or [], platform_ids)
        counts = pd.concat([counts, others])
    keys = [c for c in columns if c not in ("platform_id", "complaints")]
    totals = (
        counts.groupby(keys, sort=False)["complaints"]
        .sum()
        .reset_index()
        .assign(platform_id=ALL_PLATFORMS)
    )
    mine = counts[counts.platform_id.isin(platform_ids)] if platform_ids is not None else counts
    connection = session.connection()
    for part in (mine, totals):
        bulk_insert(connection, table.__tablename__, columns, _rows(part[list(columns)]))


def _read(session: Session, where: list) -> pd.DataFrame:
    """The complaints' summary columns, fetched in chunks straight from the driver."""
    connection = session.connection()
    stmt = select(*_SOURCE.values()).where(*where)
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        chunks = []
        while rows := cursor.fetchmany(_CHUNK):
            chunks.append(pd.DataFrame.from_records(rows, columns=list(_SOURCE)))
    finally:
        cursor.close()
    if not chunks:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in _SOURCE})
    return pd.concat(chunks, ignore_index=True)


def _rating_counts(frame: pd.DataFrame) -> pd.DataFrame:
    tier = frame["reply_tier"]
    scores = frame["score"]
    counted = frame[_KEYS].assign(
        complaints=1,
        replied=frame["replied"].astype("int64"),
        fast=(tier == _FAST).astype("int64"),
        slow=(tier == _SLOW).astype("int64"),
        scored=scores.notna().astype("int64"),
        score_sum=scores.fillna(0).astype("int64"),
    )
    per_status = counted.groupby(_KEYS, sort=False).sum().reset_index()
    counting = per_status[per_status["status"].isin(COUNTING_STATUSES)]
    summed = counting.drop(columns="status").groupby(_KEYS[:2], sort=False).sum().reset_index()
    both = pd.concat([per_status, summed.assign(status=COUNTED)], ignore_index=True)
    return both[list(_RATING_COLUMNS)]


def _value_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """summary_count rows per platform for every value dimension."""
    parts = []
    for dimension in _COUNTED:
        labelled = frame[_KEYS].assign(value=dimension.labels_of(frame[dimension.column]))
        counted = labelled.groupby([*_KEYS, "value"], sort=False).size()
        parts.append(counted.rename("complaints").reset_index().assign(dimension=dimension.name))
    return pd.concat(parts, ignore_index=True)


def _other_platforms(
    session: Session, table, columns: Sequence[str], months: Sequence[int], platform_ids
) -> pd.DataFrame:
    """Stored per-platform rows of ``months`` for every platform outside ``platform_ids``."""
    stmt = select(*(getattr(table, c) for c in columns)).where(
        table.month.in_(months),
        table.platform_id != ALL_PLATFORMS,
        table.platform_id.not_in(platform_ids),
    )
    return pd.DataFrame(session.connection().execute(stmt).all(), columns=list(columns))


def _mondays(times: pd.Series) -> np.ndarray:
    """YYYYMMDD of the Monday of each time's ISO week (text from SQLite, datetimes else)."""
    days = pd.to_datetime(times.astype(str).str.slice(0, 10), format="%Y-%m-%d")
    monday = pd.DatetimeIndex(days - pd.to_timedelta(days.dt.day_of_week, unit="D"))
    return (monday.year * 10000 + monday.month * 100 + monday.day).to_numpy()


def _week_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """summary_week rows per platform for every weekly dimension."""
    keys = ["month", "platform_id", "status"]
    weeks = _mondays(frame["submitted_at"]) if len(frame) else np.array([], dtype="int64")
    parts = []
    for name in WEEKLY:
        dimension = BY_NAME[name]
        labelled = frame[keys].assign(
            week=weeks, value=dimension.labels_of(frame[dimension.column])
        )
        counted = labelled.groupby([*keys, "week", "value"], sort=False).size()
        parts.append(counted.rename("complaints").reset_index().assign(dimension=name))
    return pd.concat(parts, ignore_index=True)


def week_sql(dialect: str):
    """YYYYMMDD of the Monday of submitted_at's ISO week, in SQL (what :func:`_mondays`
    computes in memory; :func:`check` and direct counts use it)."""
    at = Complaint.submitted_at
    if dialect == "sqlite":
        monday = func.date(func.substr(at, 1, 10), "weekday 0", "-6 days")
        return cast(func.replace(monday, "-", ""), Integer)
    return cast(func.to_char(func.date_trunc("week", at), "YYYYMMDD"), Integer)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Plain Python values (drivers refuse NumPy scalars)."""
    return list(zip(*(frame[column].tolist() for column in frame.columns), strict=True))


def rating_sums() -> tuple:
    """The rating inputs counted in SQL: complaints, replied, fast, slow, scored, score sum."""
    return (
        func.count(),
        func.count(Complaint.replied_at),
        func.sum(case((Complaint.reply_tier == _FAST, 1), else_=0)),
        func.sum(case((Complaint.reply_tier == _SLOW, 1), else_=0)),
        func.count(Complaint.score),
        func.coalesce(func.sum(Complaint.score), 0),
    )


def check(session: Session) -> list[str]:
    """Where the summaries differ from a recount in SQL (empty: they are exact)."""
    keys = (Complaint.submitted_month, Complaint.platform_id, Complaint.status)
    recount = select(*keys, *rating_sums()).group_by(*keys)
    r = SummaryRating
    stored = {
        tuple(row[:3]): tuple(row[3:])
        for row in session.execute(select(*(getattr(r, name) for name in _RATING_COLUMNS)))
    }
    counted = {tuple(row[:3]): tuple(int(v) for v in row[3:]) for row in session.execute(recount)}
    for (month, pid, status), values in list(counted.items()):
        if status in COUNTED_SET:
            key = (month, pid, COUNTED)
            before = counted.get(key, (0,) * len(values))
            counted[key] = tuple(a + b for a, b in zip(before, values, strict=True))
    c = SummaryCount
    stored_counts = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(select(*(getattr(c, name) for name in _COUNT_COLUMNS)))
    }
    counted_counts: dict[tuple, int] = defaultdict(int)
    for dimension in _COUNTED:
        value = dimension.labelled()
        stmt = select(Complaint.platform_id, *keys[::2], value, func.count()).group_by(*keys, value)
        for pid, month, status, label, n in session.execute(stmt):
            for platform in (pid, ALL_PLATFORMS):
                counted_counts[(dimension.name, platform, month, status, label)] += int(n)
    w = SummaryWeek
    stored_weeks = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(select(*(getattr(w, name) for name in _WEEK_COLUMNS)))
    }
    counted_weeks: dict[tuple, int] = defaultdict(int)
    week = week_sql(session.connection().dialect.name)
    for name in WEEKLY:
        value = BY_NAME[name].labelled()
        groups = (Complaint.platform_id, keys[0], week, keys[2], value)
        for pid, month, monday, status, label, n in session.execute(
            select(*groups, func.count()).group_by(*groups)
        ):
            for platform in (pid, ALL_PLATFORMS):
                counted_weeks[(name, platform, month, monday, status, label)] += int(n)
    problems = []
    for name, a, b in (
        ("summary_rating", stored, counted),
        ("summary_count", stored_counts, counted_counts),
        ("summary_week", stored_weeks, counted_weeks),
    ):
        problems += [
            f"{name} {key}: stored {a.get(key)}, recounted {b.get(key)}"
            for key in sorted(set(a) | set(b), key=repr)
            if a.get(key) != b.get(key)
        ]
    return problems


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Where a selection's counts come from.

    ``months``: (first, last) YYYYMM read from the summaries, None for an open end; the
    whole attribute is None when nothing comes from them. ``direct``: selections counted
    from the complaints themselves.
    """

    months: tuple[int | None, int | None] | None
    direct: tuple[Filters, ...]


_DIRECT: ContextVar[bool] = ContextVar("tousu_summary_direct", default=False)


@contextmanager
def direct() -> Iterator[None]:
    """Count everything from the complaints inside this block: the plain recount that
    tests compare with and the benchmark's baseline."""
    token = _DIRECT.set(True)
    try:
        yield
    finally:
        _DIRECT.reset(token)


def plan(session: Session, filters: Filters, dimensions: Sequence[str] = ()) -> Plan:
    """:func:`split` of ``filters`` within the session's scope."""
    return split(scope.narrow(session, filters), dimensions)


def split(filters: Filters, dimensions: Sequence[str] = ()) -> Plan:
    """Split ``filters`` into whole months from the summaries and the rest."""
    if _DIRECT.get():
        return Plan(None, (filters,))
    value_dimensions = [d for d in dimensions if d in VALUE_DIMENSIONS]
    start, end = filters.date_from, filters.date_to
    if (
        filters.provinces is not None
        or filters.choices
        or len(value_dimensions) > 1
        or (start is not None and end is not None and start > end)
    ):
        return Plan(None, (filters,))
    first = None if start is None else month_of(start)
    last = None if end is None else month_of(end)
    direct: list[Filters] = []
    if start is not None and start.day != 1:  # the cut days of the first month
        direct.append(replace(filters, date_to=min(month_end(start), end or month_end(start))))
        first = next_month(first)  # type: ignore[arg-type]
    if end is not None and end != month_end(end):  # the cut days of the last month
        if not direct or month_of(start) != last:  # type: ignore[arg-type]
            cut = end.replace(day=1)
            direct.append(replace(filters, date_from=cut if start is None else max(cut, start)))
        last = previous_month(last)  # type: ignore[arg-type]
    whole = first is None or last is None or first <= last
    return Plan((first, last) if whole else None, tuple(direct))


def _counted(filters: Filters) -> bool:
    return filters.statuses is not None and set(filters.statuses) == COUNTED_SET


def _where(table, filters: Filters, months: tuple[int | None, int | None]) -> list:
    where = []
    statuses = filters.statuses
    if table is SummaryRating and _counted(filters):
        where.append(table.status == COUNTED)  # one row per month and platform
    elif statuses is not None:
        where.append(table.status.in_(statuses) if statuses else false())
    elif table is SummaryRating:
        where.append(table.status != COUNTED)
    where += filters.platform_conditions(table.platform_id)
    first, last = months
    if first is not None:
        where.append(table.month >= first)
    if last is not None:
        where.append(table.month <= last)
    return where


def rating_rows(
    session: Session,
    filters: Filters,
    months: tuple[int | None, int | None],
    *,
    by_month: bool = True,
) -> Sequence[Row]:
    """(platform id, [month,] complaints, replied, fast, slow, scored, score sum) rows."""
    filters = scope.narrow(session, filters)
    t = SummaryRating
    values = (t.complaints, t.replied, t.fast, t.slow, t.scored, t.score_sum)
    where = _where(t, filters, months)
    if by_month and _counted(filters):  # one stored row per month and platform already
        stmt = select(t.platform_id, t.month, *values).where(*where)
    else:
        keys = (t.platform_id, t.month) if by_month else (t.platform_id,)
        sums = (func.sum(v) for v in values)
        stmt = select(*keys, *sums).where(*where).group_by(*reversed(keys))
    return session.connection().execute(stmt).all()


def count_rows(
    session: Session,
    dimensions: Sequence[str],
    filters: Filters,
    months: tuple[int | None, int | None],
) -> Sequence[Row]:
    """(value per dimension …, complaints) rows; at most one value dimension."""
    filters = scope.narrow(session, filters)
    value_dimensions = [d for d in dimensions if d in VALUE_DIMENSIONS]
    by_platform = bool({"platform", "sector"} & set(dimensions))
    if value_dimensions:
        t = SummaryCount
        where = [t.dimension == value_dimensions[0], *_where(t, filters, months)]
        if not (by_platform or filters.restricts_platforms):
            where.append(t.platform_id == ALL_PLATFORMS)
        elif not filters.restricts_platforms:
            where.append(t.platform_id != ALL_PLATFORMS)
    else:
        t = SummaryRating
        where = _where(t, filters, months)
    columns = {
        "month": t.month,
        "platform": Platform.name,
        "sector": Platform.sector,
        **{d: SummaryCount.value for d in value_dimensions},
    }
    groups = [columns[d] for d in dimensions]
    stmt = select(*groups, func.sum(t.complaints)).select_from(t)
    if by_platform:
        stmt = stmt.join(Platform, Platform.id == t.platform_id)
    stmt = stmt.where(*where)
    if groups:
        stmt = stmt.group_by(*groups)
    return [row for row in session.connection().execute(stmt).all() if row[-1] is not None]


def weekly(session: Session, filters: Filters) -> bool:
    """Whether ``summary_week`` answers ``filters`` within the session's scope: whole weeks
    (Monday to Sunday), no chosen provinces or other labels."""
    f = scope.narrow(session, filters)
    start, end = f.date_from, f.date_to
    return (
        not _DIRECT.get()
        and f.provinces is None
        and not f.choices
        and start is not None
        and end is not None
        and start <= end
        and start.weekday() == 0
        and end.weekday() == 6
    )


def week_rows(
    session: Session, dimension: str, filters: Filters, *, by_platform: bool
) -> Sequence[Row]:
    """(Monday YYYYMMDD, [platform id,] value, complaints) rows of a :data:`WEEKLY`
    dimension for the whole weeks ``filters`` selects (see :func:`weekly`)."""
    filters = scope.narrow(session, filters)
    t = SummaryWeek
    first, last = filters.date_from, filters.date_to
    assert first is not None and last is not None
    where = [
        t.dimension == dimension,
        *_where(t, filters, (month_of(first), month_of(last))),
        t.week >= first.year * 10000 + first.month * 100 + first.day,
        t.week <= last.year * 10000 + last.month * 100 + last.day,
    ]
    if by_platform or filters.restricts_platforms:
        where.append(t.platform_id != ALL_PLATFORMS)
    else:
        where.append(t.platform_id == ALL_PLATFORMS)
    groups = [t.week, *((t.platform_id,) if by_platform else ()), t.value]
    stmt = select(*groups, func.sum(t.complaints)).where(*where).group_by(*groups)
    return session.connection().execute(stmt).all()


def month_span(
    session: Session, filters: Filters, months: tuple[int | None, int | None]
) -> tuple[int, int] | None:
    """First and last month with complaints in the summary part, or None."""
    filters = scope.narrow(session, filters)
    t = SummaryRating
    stmt = select(func.min(t.month), func.max(t.month)).where(*_where(t, filters, months))
    first, last = session.connection().execute(stmt).one()
    return None if first is None else (int(first), int(last))
