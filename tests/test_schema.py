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


def test_0014_puts_every_stored_bracket_in_the_one_scheme(engine):
    """A database from before 0014 holds the coarse 0-5万元: after the upgrade each such
    complaint has its amount's bracket (未选择 without one), and the summaries count it so."""
    from sqlalchemy import func, select, update

    from models.reads import stats
    from models.rules.filters import Filters
    from models.rules.labels import AMOUNT_BRACKETS
    from models.store import summary
    from models.store.db import session_scope
    from models.store.tables import Complaint
    from tests.factories import add_complaints, add_platforms

    add_platforms(engine, ("慧聪网", "产业电商", True))
    amounts = ["650", "", "30000", "99.5", ""]
    add_complaints(
        engine,
        [
            {"platform": "慧聪网", "submitted_at": f"2024-05-0{i + 1} 10:00", "amount": a}
            for i, a in enumerate(amounts)
        ],
    )
    with session_scope(engine) as session:  # as an older release stored them
        ids = session.scalars(select(Complaint.id).order_by(Complaint.id)).all()
        session.execute(
            update(Complaint).where(Complaint.id.in_(ids[:3])).values(amount_bracket="0-5万元")
        )
        summary.rebuild(session)
        session.execute(text("UPDATE alembic_version SET version_num = '0013'"))
    schema.upgrade(engine)
    with session_scope(engine) as session:
        stored = (
            session.execute(select(Complaint.amount_bracket).order_by(Complaint.id)).scalars().all()
        )
        assert stored == ["500-1000元", "未选择", "10000元以上", "0-100元", "未选择"]
        assert summary.check(session) == []
        shares = stats.distribution(session, Filters(), "amount_bracket")
        assert {s.label for s in shares} <= set(AMOUNT_BRACKETS)
        assert sum(s.count for s in shares) == session.scalar(select(func.count(Complaint.id)))
