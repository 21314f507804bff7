"""Database faults a person can wait out or report, told apart from bugs.

A server restarting, SQLite's write lock held by a long import, a full disk or a database
that was made read-only are not programming errors: pages, the admin's saves and the
command line show one Chinese sentence for them (:func:`describe`), never a traceback.
Anything else — a syntax error, a missing column — is a bug and is raised as it is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import psycopg
from sqlalchemy import exc as sa_exc

# SQLite's primary result codes (https://sqlite.org/rescode.html).
_SQLITE_KINDS = {
    5: "busy",  # SQLITE_BUSY
    6: "busy",  # SQLITE_LOCKED
    8: "read_only",  # SQLITE_READONLY
    10: "io",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "cannot_open",  # SQLITE_CANTOPEN
    26: "corrupt",  # SQLITE_NOTADB
}
# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_KINDS = {
    "25006": "read_only",  # read_only_sql_transaction (also a hot standby)
    "53100": "full",  # disk_full
    "57P01": "unreachable",  # admin_shutdown: the server is stopping or restarting
    "57P02": "unreachable",  # crash_shutdown
    "57P03": "unreachable",  # cannot_connect_now: starting up, shutting down, recovering
    "53300": "busy",  # too_many_connections
    "55P03": "busy",  # lock_not_available
}

MESSAGES = {
    "unreachable": "数据库暂时无法连接",
    "busy": "数据库正忙（另一项写入仍在进行）",
    "read_only": "数据库当前是只读的，不能写入",
    "full": "数据库所在的磁盘已满",
    "io": "数据库读写出错（磁盘输入输出错误）",
    "corrupt": "数据库文件已损坏",
    "cannot_open": "无法打开数据库文件（路径不存在、权限不足或所在磁盘只读）",
}
#: Faults that stop reading too; the others stop only writing (reads still work).
READ_FAULTS = {"unreachable", "io", "corrupt", "cannot_open"}


@dataclass(frozen=True)
class Fault:
    """What went wrong with the database, in a word (``kind``) and in Chinese."""

    kind: str

    @property
    def message(self) -> str:
        return MESSAGES[self.kind]

    @property
    def stops_reading(self) -> bool:
        return self.kind in READ_FAULTS


def _sqlite_kind(error: sqlite3.Error) -> str | None:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_KINDS.get(code & 0xFF)
    text = str(error).lower()  # an error raised by Python's module itself
    if "locked" in text:
        return "busy"
    if "readonly" in text or "read-only" in text:
        return "read_only"
    if "disk is full" in text:
        return "full"
    return None


def _pg_kind(error: BaseException) -> str | None:
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate in _PG_KINDS:
        return _PG_KINDS[sqlstate]
    if sqlstate and sqlstate.startswith("08"):  # connection_exception
        return "unreachable"
    name = type(error).__name__
    # No SQLSTATE: the client could not reach the server or lost the connection.
    if sqlstate is None and name in ("OperationalError", "InterfaceError"):
        return "unreachable"
    if "no space left on device" in str(error).lower():
        return "full"
    return None


def describe(error: BaseException) -> Fault | None:
    """The fault behind ``error``, or None when it is not a database fault (a bug)."""
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return Fault("unreachable" if isinstance(error, sa_exc.DisconnectionError) else "busy")
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    kind = None
    if isinstance(orig, sqlite3.Error):
        kind = _sqlite_kind(orig)
    elif isinstance(orig, psycopg.Error):
        kind = _pg_kind(orig)
    if kind is None and isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        kind = "unreachable"
    return Fault(kind) if kind else None


#: Faults after which a connection is not used again: one opened read-only stays so, one
#: that met an I/O error may be broken. The next unit of work opens a new connection, which
#: works as soon as the file, the disk or the server is fixed.
DISCARD = {"read_only", "io", "cannot_open", "corrupt"}


#: What :func:`describe` may recognise; catch these, then re-raise when it returns None.
CANDIDATES: tuple[type[BaseException], ...] = (
    sa_exc.DBAPIError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    sqlite3.Error,
    psycopg.Error,
)
