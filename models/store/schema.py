"""Schema management through Alembic: any start upgrades an older database in place.

`tousu init`, `tousu serve` and the first page run of `streamlit run dashboard/app.py`
all call :func:`prepare`: a new database gets the schema, an older one is upgraded, once,
even when several processes start together — the upgrade holds a lock (PostgreSQL: an
advisory lock; SQLite: the write lock, BEGIN IMMEDIATE) and Alembic reads the current
revision only after it has the lock, so the second process finds nothing left to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from models.errors import TousuError
from models.store import search_index

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this release knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every revision this release knows, oldest first (the history is linear)."""
    walked = ScriptDirectory.from_config(_config()).walk_revisions()
    return [script.revision for script in reversed(list(walked))]


def current_revision(engine: Engine | Connection) -> str | None:
    """The revision the database is at; None for an empty database."""
    if isinstance(engine, Connection):
        return MigrationContext.configure(engine).get_current_revision()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_known(revision: str | None, what: str = "数据库") -> None:
    """Refuse a revision newer than this release (written by a newer Tousu)."""
    if revision is not None and revision not in revisions():
        raise TousuError(
            f"{what}的结构版本（{revision}）比当前的 Tousu 新（最新为 {head_revision()}）："
            "请升级 Tousu 后再用"
        )


# Any fixed number: the key of the advisory lock that serialises schema upgrades.
_PG_LOCK = 0x70755375


@contextmanager
def locked(engine: Engine):
    """A transaction that holds the schema lock: one process at a time upgrades."""
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_immediate=True)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        yield connection


def set_revision(connection: Connection, revision: str) -> None:
    """Move the schema on ``connection`` (in its transaction) up or down to ``revision``."""
    current = current_revision(connection)
    order = revisions()
    target = order[-1] if revision == "head" else revision
    if current is not None and order.index(current) > order.index(target):
        command.downgrade(_config(connection), target)
    else:
        _upgrade(connection, target)


def _upgrade(connection: Connection, revision: str) -> None:
    """Upgrade in the connection's transaction; at the latest revision, count the
    summaries a migration emptied.

    A migration that changes what the summaries hold (a new dimension) empties them
    rather than counting: the recount is today's code, which reads today's columns, so
    it runs only once the schema is today's too.
    """
    command.upgrade(_config(connection), revision)
    missing = search_index.missing_triggers(connection)
    if missing:  # raised in the upgrade's transaction: the database is left as it was
        raise TousuError(
            "升级已撤销，数据库未改动：迁移删除了保持搜索索引同步的触发器"
            f"（{'、'.join(missing)}），请在该迁移中重建它们"
        )
    if current_revision(connection) == head_revision():
        from sqlmodel import Session

        from models.store import summary  # the tables' module: after the schema is settled

        summary.count_if_empty(Session(bind=connection))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the latest), keeping its data."""
    check_known(current_revision(engine))
    with locked(engine) as connection:
        try:
            _upgrade(connection, revision)
        except CommandError as exc:  # a newer revision written meanwhile, or a typo
            raise TousuError(f"无法升级数据库结构：{exc}") from None


def prepare(engine: Engine) -> str:
    """Create or upgrade the schema to the latest revision, once; returns the revision.

    Cheap when the database is current (one read); raises TousuError for a database
    written by a newer Tousu.
    """
    head = head_revision()
    if current_revision(engine) != head:
        upgrade(engine)
    return head


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back (used by the migration tests)."""
    with locked(engine) as connection:
        command.downgrade(_config(connection), revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between tables.py and the database."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
