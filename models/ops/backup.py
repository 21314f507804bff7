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

A checksum proves a file whole, not who wrote it: anyone who can edit a file can
recompute it. So a restore trusts a file for data, never for privileges it could grant
unseen. A :class:`Plan` — what the file holds, every account with its role, every share
link, what the target holds now — is worked out before anything is written, for the
operator to read and confirm; login sessions are never loaded (nobody is logged in after
a restore); a live share link longer than a new one may be (:func:`overlong`) refuses the
whole file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine

from models.access.sharing import MAX_DAYS
from models.clock import local_now
from models.errors import TousuError
from models.ops import dump, transfer
from models.ops.contents import Account, Contents, Link
from models.ops.transfer import Loaded, Progress, Source
from models.rules.text import printable
from models.store import schema
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


#: Local times from two machines may be a time zone apart: a day's grace on "now".
CLOCK_SLACK = timedelta(days=1)


def overlong(link: Link, now: datetime, max_days: int = MAX_DAYS) -> bool:
    """A live link that outlasts any `tousu share create` could make: expiring more than
    ``max_days`` after its creation, or after ``now`` (a creation date in the future)."""
    if not link.live(now):
        return False  # revoked or expired: it opens nothing
    longest = timedelta(days=max_days)
    return (
        link.expires_at > link.created_at + longest or link.expires_at > now + longest + CLOCK_SLACK
    )


@dataclass(frozen=True)
class Plan:
    """A restore worked out before anything is written: what the file holds, what the
    target holds now (all of it deleted with ``replace``), and why it is refused, if so."""

    file: Contents
    target: Contents
    replace: bool
    now: datetime

    @property
    def held(self) -> list[str]:
        """The target's tables that hold rows (a new, empty database has none)."""
        counts = self.target.counts
        return [t for t, n in counts.items() if n and t not in transfer.ALWAYS_FILLED]

    @property
    def admins(self) -> list[Account]:
        """The file's accounts that will be administrators once it is restored."""
        return [a for a in self.file.accounts if a.role == "admin"]

    @property
    def overlong_links(self) -> list[Link]:
        return [link for link in self.file.links if overlong(link, self.now)]

    @property
    def refusals(self) -> list[str]:
        """Why this restore may not go ahead; empty when it may."""
        found = []
        if self.held and not self.replace:
            found.append(transfer.held_message(self.held))
        if self.overlong_links:
            named = "；".join(
                f"#{link.id}「{printable(link.label)}」到期 {link.expires_at:%Y-%m-%d %H:%M}"
                for link in self.overlong_links
            )
            found.append(
                f"备份中有 {len(self.overlong_links)} 个有效的分享链接期限超过 {MAX_DAYS} 天"
                f"（新建的链接最长 {MAX_DAYS} 天），Tousu 不会写出这样的文件：{named}。"
                "整个备份都没有恢复，没有写入任何内容"
            )
        return found

    def check(self) -> None:
        """Raise TousuError with every refusal, if there is one."""
        if self.refusals:
            raise TousuError("\n".join(self.refusals))


def plan(engine: Engine, source: Source, *, replace: bool, now: datetime | None = None) -> Plan:
    """What restoring ``source`` into the database of ``engine`` would do (writes nothing)."""
    schema.check_known(source.revision, source.what)
    with transfer.snapshot(engine) as connection:
        revision = schema.current_revision(connection)
        schema.check_known(revision, "目标数据库")
        target = transfer.database_source(connection).contents() if revision else Contents()
    return Plan(source.contents(), target, replace, now or local_now())


def load(engine: Engine, source: Source, planned: Plan, progress: Progress | None = None) -> Loaded:
    """Restore ``source`` as ``planned`` (its :func:`plan`) says, unless the plan refuses."""
    planned.check()
    return transfer.load(engine, source, replace=planned.replace, progress=progress)


def restore(
    engine: Engine, path: Path, *, replace: bool = False, progress: Progress | None = None
) -> Loaded:
    """Restore the backup at ``path`` into the database of ``engine``, unconfirmed (the
    command line shows the :class:`Plan` and asks first)."""
    with opened(path) as source:
        return load(engine, source, plan(engine, source, replace=replace), progress)
