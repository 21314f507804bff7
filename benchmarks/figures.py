"""Every figure a dashboard page asks for, recorded once and replayed three ways.

* ``tousu``: the domain layer as the dashboard calls it, uncached (summary tables);
* ``plain``: the same calls with the summaries bypassed (indexed GROUP BYs on complaints);
* ``duckdb``: the same figures from the same complaints in DuckDB, the columnar reference;
* ``naive``: the complaints loaded with the ORM into pandas and grouped there.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select

from models.rules.dimensions import IMPORTED
from models.rules.filters import Filters
from models.store import summary
from models.store.db import session_scope
from models.store.tables import Complaint, Platform

PAGES = ("overview", "regions", "demographics", "ratings", "leaderboard", "cases")
Call = tuple[str, Callable[..., Any], Filters, tuple, dict]  # name, read, filters, …


def record_pages(database_url: str) -> dict[str, list[Call]]:
    """The data calls each page makes when opened with its default filters (via AppTest)."""
    os.environ["TOUSU_DATABASE_URL"] = database_url
    os.environ["TOUSU_PUBLIC_DASHBOARDS"] = "1"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from web import data
    from web.data import CALL_LOG

    app = os.path.join(os.path.dirname(os.path.dirname(__file__)), "dashboard", "app.py")
    calls: dict[str, list[Call]] = {}
    for page in PAGES:
        st.cache_data.clear()
        data.clear()
        at = AppTest.from_file(app, default_timeout=600)
        at.session_state[CALL_LOG] = []
        at.run()
        if page != "overview":
            at.switch_page(f"views/{page}.py")
            at.session_state[CALL_LOG] = []  # the page alone, with the sidebar it draws
            at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        unique: list[Call] = []
        for read, filters, args, kwargs in at.session_state[CALL_LOG]:
            call = (read.__name__, read, filters, args, kwargs)
            if call not in unique:
                unique.append(call)
        calls[page] = unique
    return calls


def run_tousu(engine, calls: list[Call]) -> list[Any]:
    with session_scope(engine) as session:
        return [read(session, f, *args, **kwargs) for _name, read, f, args, kwargs in calls]


def run_plain(engine, calls: list[Call]) -> list[Any]:
    with summary.direct():
        return run_tousu(engine, calls)


# --- DuckDB ---------------------------------------------------------------------------

#: The complaint columns the references load: the dimensions' own (problem_type, province
#: …, models/rules/dimensions.py) and what ratings, spans and the case list read.
DIMENSION_COLUMNS = tuple(d.column for d in IMPORTED)
COLUMNS = (
    *("id", "platform_id", "submitted_at", "submitted_month", "age"),
    *DIMENSION_COLUMNS,
    *("status", "replied_at", "reply_tier", "score", "title", "complainant"),
)


def load_duckdb(engine):
    """An in-memory DuckDB with the complaints and platforms (loaded in chunks)."""
    import duckdb

    duck = duckdb.connect()
    columns = [getattr(Complaint, c) for c in COLUMNS]
    first = True
    with session_scope(engine) as session:
        result = session.execute(select(*columns).execution_options(yield_per=200_000))
        for chunk in result.partitions():
            frame = pd.DataFrame(chunk, columns=list(COLUMNS))
            frame["age"] = frame["age"].astype("Int64")
            frame["reply_tier"] = frame["reply_tier"].astype("Int64")
            frame["score"] = frame["score"].astype("Int64")
            duck.register("chunk", frame)
            duck.execute(
                "CREATE TABLE complaint AS SELECT * FROM chunk"
                if first
                else "INSERT INTO complaint SELECT * FROM chunk"
            )
            duck.unregister("chunk")
            first = False
        platforms = pd.DataFrame(
            session.execute(select(Platform.id, Platform.name, Platform.sector)).all(),
            columns=["id", "name", "sector"],
        )
    duck.register("platform_frame", platforms)
    duck.execute("CREATE TABLE platform AS SELECT * FROM platform_frame")
    duck.unregister("platform_frame")
    return duck


def _duck_where(f: Filters) -> tuple[str, list]:
    where, params = ["TRUE"], []

    def among(column: str, values) -> None:
        if values is not None:
            where.append(f"{column} IN (SELECT UNNEST(?))" if values else "FALSE")
            if values:
                params.append(list(values))

    among("status", f.statuses)
    if f.sectors is not None:
        where.append("platform_id IN (SELECT id FROM platform WHERE sector IN (SELECT UNNEST(?)))")
        params.append(list(f.sectors))
    if f.platforms is not None:
        where.append("platform_id IN (SELECT id FROM platform WHERE name IN (SELECT UNNEST(?)))")
        params.append(list(f.platforms))
    among("platform_id", f.platform_ids)
    among("province", f.provinces)
    for name, labels in f.choices:
        among(_DUCK_LABELS[name], labels)
    if f.date_from:
        where.append("submitted_at >= ?")
        params.append(datetime.combine(f.date_from, time.min))
    if f.date_to:
        where.append("submitted_at < ?")
        params.append(datetime.combine(f.date_to + timedelta(days=1), time.min))
    return " AND ".join(where), params


_DUCK_LABELS = {
    **{c: f"coalesce(nullif({c}, ''), '未知')" for c in DIMENSION_COLUMNS},
    "month": "submitted_month",
    "platform": "p.name",
    "sector": "p.sector",
    "age_group": (
        "CASE WHEN age IS NULL THEN '未知' WHEN age < 18 THEN '18岁以下' "
        "WHEN age < 25 THEN '18-24岁' WHEN age < 35 THEN '25-34岁' "
        "WHEN age < 45 THEN '35-44岁' WHEN age < 55 THEN '45-54岁' ELSE '55岁及以上' END"
    ),
}
_RATING_SQL = (
    "SELECT platform_id, submitted_month, count(*), count(replied_at), "
    "sum(CASE WHEN reply_tier = 0 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN reply_tier = 1 THEN 1 ELSE 0 END), count(score), coalesce(sum(score), 0) "
    "FROM complaint WHERE {where} GROUP BY ALL"
)


def duck_counts(duck, dims: tuple[str, ...], f: Filters) -> dict[tuple, int]:
    where, params = _duck_where(f)
    labels = [_DUCK_LABELS[d] for d in dims]
    sql = (
        f"SELECT {', '.join([*labels, 'count(*)'])} FROM complaint "
        f"JOIN platform p ON p.id = platform_id WHERE {where}"
        + (f" GROUP BY {', '.join(labels)}" if labels else "")
    )
    return {tuple(row[:-1]): row[-1] for row in duck.execute(sql, params).fetchall() if row[-1]}


def duck_inputs(duck, f: Filters) -> dict[tuple[int, int], tuple]:
    where, params = _duck_where(f)
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in duck.execute(_RATING_SQL.format(where=where), params).fetchall()
    }


def run_duckdb(duck, calls: list[Call]) -> list[Any]:
    """The figures behind each call, computed by DuckDB from the complaints."""
    out = []
    for name, _read, f, args, kwargs in calls:
        if name in ("distribution", "counts"):
            out.append(duck_counts(duck, (args[0],), f))
        elif name == "crosstab":
            out.append(duck_counts(duck, (args[1], args[0]), f))
        elif name == "total":
            out.append(duck_counts(duck, (), f))
        elif name in ("headline", "range_ratings", "monthly_timeline", "period_ratings"):
            scoped = f
            if name == "period_ratings":
                scoped = f.intersect(Filters(date_from=args[0].first_day, date_to=args[0].last_day))
            out.append(duck_inputs(duck, scoped))
        elif name == "year_ratings":
            out.append(
                duck_inputs(duck, f.intersect(Filters.for_year(args[1], platforms=(args[0],))))
            )
        elif name == "data_span":
            where, params = _duck_where(f)
            sql = f"SELECT min(submitted_month), max(submitted_month) FROM complaint WHERE {where}"
            out.append(duck.execute(sql, params).fetchone())
        elif name == "leaderboard":
            out.append(
                (duck_counts(duck, ("platform",), f), duck_counts(duck, ("platform",), args[0]))
            )
        elif name == "search_cases":
            where, params = _duck_where(f)
            limit = kwargs.get("limit", 50)
            rows = duck.execute(
                f"SELECT c.id, submitted_at, p.name, p.sector, problem_type, province, status, "
                f"title, complainant, amount_bracket FROM complaint c JOIN platform p "
                f"ON p.id = platform_id WHERE {where} ORDER BY submitted_at DESC, c.id DESC "
                f"LIMIT {int(limit)}",
                params,
            ).fetchall()
            count = duck.execute(f"SELECT count(*) FROM complaint WHERE {where}", params).fetchone()
            out.append((rows, count))
        elif name == "platforms_in":
            out.append(duck.execute("SELECT name, sector FROM platform").fetchall())
        else:
            out.append(None)
    return out


# --- naive pandas ---------------------------------------------------------------------


RATING_READS = ("headline", "range_ratings", "monthly_timeline", "period_ratings", "year_ratings")


def _naive_counts(df: pd.DataFrame, name: str, args: tuple, names: dict) -> dict:
    """A distribution, counts or crosstab grouped in pandas."""
    by = [args[1], args[0]] if name == "crosstab" else [args[0]]
    keyed = df.assign(
        platform=df.platform_id.map(lambda p: names[p][0]),
        sector=df.platform_id.map(lambda p: names[p][1]),
        month=df.submitted_month,
        age_group=pd.cut(df.age, [-1, 17, 24, 34, 44, 54, 200]).astype(str),
    )
    return keyed.groupby(by, dropna=False).size().to_dict()


def _naive_inputs(df: pd.DataFrame) -> dict:
    """The rating inputs per platform and month, summed in pandas."""
    flags = df.assign(
        replied=df.replied_at.notna(),
        fast=df.reply_tier == 0,
        slow=df.reply_tier == 1,
        scored=df.score.notna(),
    )
    sums = {"id": "size", "replied": "sum", "fast": "sum", "slow": "sum", "scored": "sum"}
    return flags.groupby(["platform_id", "submitted_month"]).agg({**sums, "score": "sum"}).to_dict()


def run_naive(engine, calls: list[Call]) -> list[Any]:
    """Load each selection's complaints with the ORM into pandas, then group there."""
    frames: dict[Filters, pd.DataFrame] = {}
    with session_scope(engine) as session:
        names = {
            pid: (n, s)
            for pid, n, s in session.execute(select(Platform.id, Platform.name, Platform.sector))
        }

        def frame(f: Filters) -> pd.DataFrame:
            if f not in frames:
                rows = session.execute(select(Complaint).where(*f.conditions())).scalars().all()
                frames[f] = pd.DataFrame(
                    [{c: getattr(r, c) for c in COLUMNS} for r in rows], columns=list(COLUMNS)
                )
                session.expunge_all()
            return frames[f]

        out: list[Any] = []
        for name, _read, f, args, kwargs in calls:
            if name in ("distribution", "counts", "crosstab"):
                out.append(_naive_counts(frame(f), name, args, names))
            elif name in RATING_READS:
                out.append(_naive_inputs(frame(f)))
            elif name in ("total", "data_span"):
                df = frame(f)
                out.append((len(df), df.submitted_month.min(), df.submitted_month.max()))
            elif name == "leaderboard":
                counts = (frame(g).platform_id.value_counts().to_dict() for g in (f, args[0]))
                out.append(tuple(counts))
            elif name == "search_cases":
                limit = int(kwargs.get("limit", 50))
                out.append(frame(f).sort_values("submitted_at").tail(limit))
            else:
                out.append(None)
    return out


def same_figures(ours: list[Any], duck: list[Any], calls: list[Call]) -> list[str]:
    """Calls whose counts differ between Tousu and DuckDB (a check that both compute the same)."""
    problems = []
    for (name, _read, _f, args, _kw), mine, theirs in zip(calls, ours, duck, strict=True):
        if name == "distribution":
            got = {(s.label,): s.count for s in mine}
        elif name == "counts":
            got = {
                (k if args[0] != "month" else int(k.replace("-", "")),): v for k, v in mine.items()
            }
            if args[0] == "month":
                theirs = {(int(k[0]),): v for k, v in theirs.items()}
        elif name == "total":
            got = {(): mine} if mine else {}
        elif name == "headline":
            got = mine.complaints
            theirs = sum(v[0] for v in theirs.values())
        else:
            continue
        if got != theirs:
            problems.append(f"{name}{args}: tousu {got} ≠ duckdb {theirs}")
    return problems
