"""Engines and sessions: one engine per database URL and process, one session per unit of work."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from models.settings import get_settings
from models.store import faults
from models.store.search_index import CHARS_FUNCTION, chars


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_connect(dbapi_conn, _record) -> None:
    # WAL lets dashboards read while staff write; the busy timeout makes writers queue
    # instead of failing; SQLite leaves foreign keys off unless asked. pysqlite's own
    # transaction handling is switched off: _sqlite_begin issues BEGIN itself.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    dbapi_conn.isolation_level = None
    # The triggers of the one-character search index call it (models/store/search_index.py).
    dbapi_conn.create_function(CHARS_FUNCTION, 1, chars, deterministic=True)


#: How long a writer waits for SQLite's write lock in all (an import of 200,000 rows holds
#: it for about 20 seconds) before it gives up with "数据库正忙".
LOCK_WAIT_SECONDS = 120.0
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


def _sqlite_begin(conn) -> None:
    # A unit of work that will write asks for BEGIN IMMEDIATE (execution option
    # "sqlite_immediate"): it takes the write lock up front, so "database is locked" can
    # only happen here, before any work — and here it is safe to wait and try again.
    # Each try waits the busy timeout; the loop carries on past it up to LOCK_WAIT_SECONDS.
    if not conn.get_execution_options().get("sqlite_immediate", False):
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 5) & 0xFF) not in _BUSY:
                break  # not a lock: let SQLAlchemy raise it below, wrapped
            time.sleep(0.05)
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try; its error is wrapped as usual


def _discard_broken(context) -> None:
    # The pool would hand the same connection out again (faults.DISCARD says why not).
    fault = faults.describe(context.original_exception)
    if fault is not None and fault.kind in faults.DISCARD:
        context.is_disconnect = True


_ENGINES: dict[str, Engine] = {}


def _create_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        # pre-ping: a connection left from before a server restart is replaced, not used.
        # A connect timeout: an unreachable server makes a page say so within seconds.
        connect_args: dict = {} if "connect_timeout" in sa_url.query else {"connect_timeout": 5}
        # No server-side prepared statements (psycopg prepares a query run five times):
        # after five runs PostgreSQL may keep one generic plan for every parameter, and a
        # search's plan depends on its word — a generic one walked every complaint
        # recomputing its characters, 6 s where the word's own plan took 0.1 s.
        connect_args["prepare_threshold"] = None
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=connect_args
        )
        event.listen(engine, "handle_error", _discard_broken)
        return engine
    database = sa_url.database or ""
    kwargs: dict = {"connect_args": {"check_same_thread": False}}
    if database in ("", ":memory:"):
        kwargs["poolclass"] = StaticPool
    else:
        if not sa_url.query.get("uri"):  # a "file:…?mode=ro" URI names an existing file
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"]["timeout"] = 5
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "handle_error", _discard_broken)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for ``url`` (default: the settings' database URL)."""
    url = normalize_url(url or get_settings().database_url)
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = _create_engine(url)
    return engine


def dispose_engines() -> None:
    """Close and forget every engine (tests, and after a database file is replaced)."""
    while _ENGINES:
        _, engine = _ENGINES.popitem()
        engine.dispose()


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error.

    ``write=True`` takes SQLite's write lock at the start of the transaction.
    """
    engine = engine or get_engine()
    if write and engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_immediate=True)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def bulk_insert(
    connection, table: str, columns: Sequence[str], rows: Iterable[tuple], *, staged: bool = False
) -> None:
    """The fastest plain insert each database offers (COPY, or executemany on SQLite).

    ``staged`` (SQLite): the rows go into a temporary table first and across in one
    statement. For a table with a full-text index kept by triggers (complaint): FTS5
    writes its pending index to disk at every statement, so executemany would flush it
    once per row — 20 s instead of 2 s for 100,000 complaints.
    """
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    names, marks = ", ".join(columns), ", ".join("?" * len(columns))
    cursor = connection.connection.driver_connection.cursor()
    try:
        if not staged:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        # Untyped columns: values reach the real table as given, converted once there.
        # (Temporary tables live as long as the pooled connection: none may be left over.)
        cursor.execute(f"DROP TABLE IF EXISTS temp.staged_{table}")
        cursor.execute(f"CREATE TEMP TABLE staged_{table} ({names})")
        cursor.executemany(f"INSERT INTO temp.staged_{table} VALUES ({marks})", rows)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM temp.staged_{table}")
        cursor.execute(f"DROP TABLE temp.staged_{table}")
    finally:
        cursor.close()


@contextmanager
def large_cache(connection, mebibytes: int = 64) -> Iterator[None]:
    """SQLite: a page cache of ``mebibytes`` for this connection while a bulk write runs.

    SQLite's default 2 MB holds little of six indexes over a million complaints, so
    every insert reads index pages back; 64 MB makes 100,000 inserts about 2.5× faster.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{mebibytes * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def refresh_statistics(connection, tables: Sequence[str] = ()) -> None:
    """Let the query planner see the new data after a bulk write (cheap: sampled).

    Without statistics SQLite answers "newest complaints of the year" by sorting the
    whole year; with them it walks the date index and stops after a page. ``tables``:
    only these (the ones written), else all.

    The sample is 100,000 rows an index (0.08 s at 430,000 complaints; a full ANALYZE
    0.25 s): 1,000 saw one status only, so the status index looked selective and a few
    days of a month in progress were counted through it (0.8–1.1 s instead of 6 ms).
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=100000")
    if not tables:
        connection.exec_driver_sql("ANALYZE")
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {table}")
