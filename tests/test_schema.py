"""Schema migrations: the latest revision matches the tables; upgrades keep data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401
from models.reads import stats
from models.rules.filters import Filters
from models.store import schema, summary
from models.store.db import get_engine, session_scope
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


def test_complaints_from_before_the_summaries_are_counted_at_the_latest_revision(tmp_path):
    """A database from before the summary tables (0003) upgraded to today's: the
    summaries are counted by today's code once the schema is today's, and are exact."""
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, "0003")
    at = "'2024-03-05 10:00:00.000000'"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO platform (id, name, sector, onboarded, created_at) "
                f"VALUES (1, '甲', '零售电商', 1, {at})"
            )
        )
        for n, (gender, problem) in enumerate([("女", "退款问题"), ("男", "退款问题"), ("女", "")]):
            conn.execute(
                text(
                    "INSERT INTO complaint (id, platform_id, submitted_at, submitted_month, "
                    "gender, amount_bracket, problem_type, status, created_at, updated_at, "
                    f"version) VALUES (:id, 1, {at}, 202403, :g, '未选择', :p, '已移交', {at}, "
                    f"{at}, 1)"
                ),
                {"id": n + 1, "g": gender, "p": problem},
            )
    schema.upgrade(engine)
    with session_scope(engine) as session:
        assert summary.check(session) == []
        assert stats.counts(session, Filters(), "gender") == {"女": 2, "男": 1}
        with summary.direct():
            assert stats.counts(session, Filters(), "problem_type") == {"退款问题": 2, "未知": 1}
        assert stats.counts(session, Filters(), "problem_type") == {"退款问题": 2, "未知": 1}
