"""Schema migrations: the latest revision matches the tables; upgrades keep data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401
from models.store import schema
from models.store.db import get_engine
from models.store.search_index import managed


def test_migrations_match_the_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": managed}
            ),
            SQLModel.metadata,
        )
    assert diff == []


def test_every_revision_upgrades_with_data_kept(tmp_path):
    """Walk the history: at every revision add a platform, then upgrade; nothing is lost."""
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    revisions = [
        r.revision
        for r in reversed(list(ScriptDirectory.from_config(schema._config()).walk_revisions()))
    ]
    for number, revision in enumerate(revisions):
        schema.upgrade(engine, revision)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO platform (name, sector, onboarded, created_at) "
                    "VALUES (:n, '零售电商', 1, '2024-01-01 00:00:00.000000')"
                ),
                {"n": f"p{number}"},
            )
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM platform ORDER BY id")).scalars().all()
    assert names == [f"p{i}" for i in range(len(revisions))]


def test_downgrade_to_base_and_back(engine):
    schema.downgrade(engine, "base")
    assert schema.current_revision(engine) is None
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
