"""Copying a whole Tousu database — what backup, restore and migrate share.

A :class:`Source` is a database seen at one moment (:func:`database_source`: a read
transaction that sees a snapshot while others keep writing) or a backup file
(:mod:`models.ops.dump`). :func:`load` writes a source into a database in one
transaction: the target gets the source's schema revision, the rows in batches with
their ids (never login sessions: :data:`NOT_LOADED`), sequences moved past them, then
the schema is upgraded to the latest, the row counts compared with the source's and the
summaries checked against a recount. Any failure rolls the whole load back: the target
is as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    func,
    insert,
    literal,
    select,
    text,
    types,
    update,
)
from sqlmodel import Session, SQLModel

from models.clock import local_now
from models.errors import TousuError
from models.ops.contents import SESSIONS, Contents, of_database
from models.store import schema, summary
from models.store.db import bulk_insert
from models.store.search_index import managed
from models.store.tables import DataVersion

BATCH = 5_000
#: Alembic's own table: a target gets its revision from the migrations, not copied.
NOT_COPIED = {"alembic_version"}
#: Tables that hold a row even in a new, empty database.
ALWAYS_FILLED = {"data_version"}
#: Never written by a load (restore, migrate): a login belongs to the database it was made
#: in, and a file could carry a valid session for any account. The target's own sessions
#: are deleted with the rest of its data, so after a load nobody is logged in.
NOT_LOADED = {SESSIONS}

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in all)
Batches = Iterator[list[tuple]]


@dataclass(frozen=True)
class TableSpec:
    """A table as a source holds it: its name and its columns' (name, kind)."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _kind in self.columns]


@dataclass
class Source:
    """Rows of every table, parents before children, at one schema revision."""

    revision: str
    tables: list[TableSpec]
    counts: dict[str, int]
    #: Yields (table, batches of rows) in the order of ``tables``.
    sections: Callable[[], Iterator[tuple[TableSpec, Batches]]]
    #: What it holds, in brief (accounts, share links, …), read without loading it.
    contents: Callable[[], Contents]
    what: str = "数据库"


@dataclass
class Loaded:
    """What a load wrote."""

    counts: dict[str, int]
    revision: str
    rebuilt_summaries: list[str] = field(default_factory=list)


def kind(column_type: types.TypeEngine) -> str:
    """How a column's values are written to a portable dump."""
    for cls, name in (
        (types.Boolean, "bool"),
        (types.DateTime, "datetime"),
        (types.Date, "date"),
        (types.Float, "float"),
        (types.Numeric, "decimal"),
        (types.Integer, "int"),
        (types.String, "text"),
    ):
        if isinstance(column_type, cls):
            return name
    raise TypeError(f"no dump kind for column type {column_type!r}")


def tables_at(connection: Connection, revision: str | None = None) -> list[Table]:
    """Tousu's tables on ``connection`` (parents first): the model's at the latest revision,
    else as the database has them."""
    revision = revision or schema.current_revision(connection)
    if revision == schema.head_revision():
        found = SQLModel.metadata.sorted_tables
    else:  # the search index is rebuilt by its triggers and migrations, never copied
        reflected = MetaData()
        reflected.reflect(connection, only=lambda name, _meta: managed(None, name))
        found = reflected.sorted_tables
    return [table for table in found if table.name not in NOT_COPIED]


def spec_of(table: Table) -> TableSpec:
    return TableSpec(table.name, tuple((c.name, kind(c.type)) for c in table.columns))


def count_rows(connection: Connection, tables: list[Table]) -> dict[str, int]:
    return {
        t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
        for t in tables
    }


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one moment of the database while others write.

    PostgreSQL: REPEATABLE READ (one snapshot for every statement). SQLite in WAL mode:
    a read transaction keeps the snapshot of its first read until it ends.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def database_source(connection: Connection, what: str = "数据库") -> Source:
    """Every table of the database on ``connection`` (inside a :func:`snapshot`)."""
    revision = schema.current_revision(connection)
    if revision is None:
        raise TousuError(f"{what}还没有任何表：请先运行 `tousu init`")
    schema.check_known(revision, what)
    tables = tables_at(connection, revision)
    counts = count_rows(connection, tables)

    def sections() -> Iterator[tuple[TableSpec, Batches]]:
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(
                select(table).order_by(*order).execution_options(yield_per=BATCH)
            )
            try:
                yield spec_of(table), (list(map(tuple, part)) for part in result.partitions())
            finally:  # PostgreSQL: a server-side cursor, closed even when not read to the end
                result.close()

    return Source(
        revision,
        [spec_of(t) for t in tables],
        counts,
        sections,
        lambda: of_database(connection, tables, counts),
        what,
    )


# --- loading ---------------------------------------------------------------------------


def holds_data(connection: Connection) -> list[str]:
    """The tables of the database on ``connection`` that hold rows (a new one holds none)."""
    if schema.current_revision(connection) is None:
        return []
    return [
        t.name
        for t in tables_at(connection)
        if t.name not in ALWAYS_FILLED
        and connection.execute(select(literal(1)).select_from(t).limit(1)).first()
    ]


def held_message(held: list[str]) -> str:
    """Why a load into a database that holds data is refused without ``replace``."""
    return (
        f"目标数据库已有数据（{', '.join(held)}）：没有写入任何内容。"
        "要用备份替换其中的全部数据，请加 --replace"
    )


def _data_version(connection: Connection) -> int:
    if schema.current_revision(connection) is None:
        return 0
    found = connection.execute(text("SELECT max(version) FROM data_version")).scalar()
    return int(found or 0)


def _clear(connection: Connection) -> None:
    """Delete every row of Tousu's tables (children first)."""
    if schema.current_revision(connection) is None:
        return
    tables = tables_at(connection)
    if connection.dialect.name == "postgresql" and tables:
        connection.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)}"))
    else:
        for table in reversed(tables):
            connection.execute(table.delete())


def _write(connection: Connection, table: Table, names: list[str], rows: list[tuple]) -> None:
    if connection.dialect.name == "postgresql":  # COPY: the fastest way in
        bulk_insert(connection, table.name, names, rows)
    else:  # through SQLAlchemy, so times and decimals are stored as Tousu stores them
        connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def _advance_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the ids copied, so new rows do not collide."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, types.Integer):
            continue  # no id sequence (the summaries' composite keys)
        for column in keys:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"table": table.name, "column": column.name},
            )


def _copy(connection: Connection, source: Source, progress: Progress | None) -> None:
    tables = {t.name: t for t in tables_at(connection, source.revision)}
    for spec, batches in source.sections():
        if spec.name in NOT_LOADED:
            continue  # read past (a dump is still verified to its end), never written
        table = tables.get(spec.name)
        missing = [n for n in spec.names if table is None or n not in table.columns]
        if missing:
            raise TousuError(f"{source.what}的表 {spec.name} 有目标库没有的列：{missing}")
        done, total = 0, source.counts.get(spec.name, 0)
        for rows in batches:
            _write(connection, table, spec.names, rows)
            done += len(rows)
            if progress:
                progress(spec.name, done, total)
        if progress and not done:
            progress(spec.name, 0, total)
    _advance_sequences(connection, list(tables.values()))


def load(
    engine: Engine, source: Source, *, replace: bool = False, progress: Progress | None = None
) -> Loaded:
    """Write ``source`` into the database of ``engine`` in one transaction (see module).

    Refused, writing nothing, when the target holds data and ``replace`` is false.
    """
    schema.check_known(source.revision, source.what)
    with schema.locked(engine) as connection:
        schema.check_known(schema.current_revision(connection), "目标数据库")
        held = holds_data(connection)
        if held and not replace:
            raise TousuError(held_message(held))
        old_version = _data_version(connection)
        _clear(connection)  # first, so that moving the schema has no rows to carry
        schema.set_revision(connection, source.revision)
        _clear(connection)  # and what the migrations put in (the data-version row)
        _copy(connection, source, progress)
        return _finish(connection, source, old_version)


def _finish(connection: Connection, source: Source, old_version: int) -> Loaded:
    """Verify counts, upgrade to the latest schema, check the summaries; raise to roll back."""
    copied = count_rows(connection, tables_at(connection, source.revision))
    expected = {name: 0 if name in NOT_LOADED else n for name, n in source.counts.items()}
    wrong = {
        name: (n, copied.get(name))
        for name, n in expected.items()
        if copied.get(name) != n and name not in ALWAYS_FILLED
    }
    if wrong:
        raise TousuError(f"复制后的行数与来源不符（来源, 目标）：{wrong}；已全部撤销")
    schema.set_revision(connection, "head")
    session = Session(bind=connection)
    # Above every version the target had before, so no cache keyed on a version survives.
    connection.execute(
        update(DataVersion).values(
            version=max(old_version, _data_version(connection)) + 1, changed_at=local_now()
        )
    )
    problems = summary.check(session)
    if problems:  # derived tables: recount them rather than refuse the data
        summary.rebuild(session)
    counts = count_rows(connection, tables_at(connection))
    return Loaded(counts, schema.head_revision(), problems)


def encode(value: object, kind_name: str) -> object:
    """A value as JSON can hold it (times and decimals as text)."""
    if value is None:
        return None
    if kind_name in ("datetime", "date"):
        return value.isoformat()  # type: ignore[attr-defined]
    if kind_name == "decimal":
        return str(value)
    return value


def decode(value: object, kind_name: str) -> object:
    """The inverse of :func:`encode`."""
    if value is None:
        return None
    if kind_name == "datetime":
        return datetime.fromisoformat(str(value))
    if kind_name == "date":
        return date.fromisoformat(str(value))
    if kind_name == "decimal":
        return Decimal(str(value))
    if kind_name == "bool":
        return bool(value)
    return value
