"""Backups taken while Tousu serves and staff write, and restores that check themselves.

Two kinds of file, told apart by their first bytes:

- **an SQLite database** (``*.db``, ``*.sqlite``, ``*.sqlite3``): from an SQLite database,
  SQLite's online backup API copies it in one step from a read snapshot, so writers carry
  on; from PostgreSQL, a new SQLite file is filled as `tousu migrate` would. The file is
  a working Tousu database as it is;
- **Tousu's portable dump** (any other name; :mod:`models.ops.dump`), from either database.

Both restore into SQLite or PostgreSQL (:func:`restore`), in one transaction: a damaged
file, a newer schema or a target that holds data (without ``replace``) is refused before
anything is written, and a failure half-way leaves the target as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine

from models.errors import TousuError
from models.ops import dump, transfer
from models.ops.transfer import Loaded, Progress, Source
from models.store.db import get_engine

SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Taken:
    """A backup written: where, which kind, at which schema revision, rows per table."""

    path: Path
    kind: str  # "sqlite" | "dump"
    revision: str
    counts: dict[str, int]


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise TousuError(f"{path} 已存在：请换一个文件名（不会覆盖已有的备份）")
    if not path.parent.is_dir():
        raise TousuError(f"目录不存在：{path.parent}")


def take(engine: Engine, path: Path, progress: Progress | None = None) -> Taken:
    """Back the database of ``engine`` up to ``path`` (the kind follows the extension)."""
    _refuse_existing(path)
    if path.suffix.lower() in SQLITE_SUFFIXES:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(engine, path)
        else:
            _into_new_sqlite(engine, path, progress)
        with _sqlite_file(path) as source:  # read it back: proves the copy opens and checks
            return Taken(path, "sqlite", source.revision, source.counts)
    with transfer.snapshot(engine) as connection:
        source = transfer.database_source(connection)
        dump.write(path, source, engine.dialect.name, progress)
    return Taken(path, "dump", source.revision, source.counts)


def _sqlite_backup(engine: Engine, path: Path) -> None:
    """SQLite's online backup API, in one step from one read snapshot (WAL: writers carry on)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT, 0o600))  # personal data inside
    source = sqlite3.connect(str(engine.url.database), timeout=30)
    target = sqlite3.connect(str(partial))
    try:
        source.backup(target)  # pages=-1: every page in one step
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        target.close()
        os.replace(partial, path)
    finally:
        target.close()
        source.close()
        partial.unlink(missing_ok=True)


def _into_new_sqlite(engine: Engine, path: Path, progress: Progress | None) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT, 0o600))
    target = get_engine(f"sqlite:///{partial}")
    try:
        with transfer.snapshot(engine) as connection:
            transfer.load(target, transfer.database_source(connection), progress=progress)
        target.dispose()  # close the new file before it is renamed
        single = sqlite3.connect(str(partial))
        single.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        single.close()
        os.replace(partial, path)
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)


@contextmanager
def _sqlite_file(path: Path) -> Iterator[Source]:
    """An SQLite backup file, checked (integrity, Tousu schema), as a read-only source."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as probe:
            verdict = probe.execute("PRAGMA quick_check").fetchone()[0]
        probe.close()
    except sqlite3.DatabaseError as exc:
        raise dump.damaged(str(exc)) from None
    if verdict != "ok":
        raise dump.damaged(f"SQLite 完整性检查：{verdict}")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with transfer.snapshot(engine) as connection:
            yield transfer.database_source(connection, "备份")
    finally:
        engine.dispose()


@contextmanager
def opened(path: Path) -> Iterator[Source]:
    """A backup file, verified before anything is written, as a :class:`Source`."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise TousuError(f"无法读取 {path}：{exc.strerror or exc}") from None
    if magic.startswith(dump.GZIP_MAGIC):
        yield dump.open_dump(path)
    elif magic == SQLITE_MAGIC:
        with _sqlite_file(path) as source:
            yield source
    else:
        raise TousuError(f"{path} 不是 Tousu 的备份文件（既不是 Tousu 转储，也不是 SQLite 数据库）")


def restore(
    engine: Engine, path: Path, *, replace: bool = False, progress: Progress | None = None
) -> Loaded:
    """Restore the backup at ``path`` into the database of ``engine`` (see the module)."""
    with opened(path) as source:
        return transfer.load(engine, source, replace=replace, progress=progress)
