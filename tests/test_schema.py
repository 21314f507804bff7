"""Schema migrations: the latest revision matches the tables; upgrades keep data."""

from __future__ import annotations

import pytest
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


def test_0015_puts_every_stored_bracket_in_the_one_scheme(engine):
    """A database from before 0015 holds the coarse 0-5万元: after the upgrade each such
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
    schema.downgrade(engine, "0014")  # every later revision undone by its own downgrade
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


AT = "'2024-03-05 10:00:00.000000'"
PLATFORM = (
    "INSERT INTO platform (id, name, sector, onboarded, created_at) "
    f"VALUES (1, '甲', '零售电商', 1, {AT})"
)


def _complaint(n: int, gender: str, problem: str, *extra: tuple[str, str]) -> str:
    """A complaint row as an old revision's columns hold it (``extra``: newer columns)."""
    names = ", ".join(name for name, _value in extra)
    values = ", ".join(value for _name, value in extra)
    return (
        "INSERT INTO complaint (id, platform_id, submitted_at, submitted_month, gender, "
        f"amount_bracket, problem_type, status, created_at, updated_at, version{names and ', '}"
        f"{names}) VALUES ({n}, 1, {AT}, 202403, '{gender}', '未选择', '{problem}', '已移交', "
        f"{AT}, {AT}, 1{values and ', '}{values})"
    )


def _upgraded(tmp_path, revision: str, *statements: str):
    """A database written at ``revision`` with ``statements``, then upgraded to today's."""
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, revision)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    schema.upgrade(engine)
    return engine


def test_complaints_from_before_the_summaries_are_counted_at_the_latest_revision(tmp_path):
    """A database from before the summary tables (0003) upgraded to today's: the
    summaries are counted by today's code once the schema is today's, and are exact."""
    rows = [("女", "退款问题"), ("男", "退款问题"), ("女", "")]
    complaints = (_complaint(n, gender, problem) for n, (gender, problem) in enumerate(rows, 1))
    engine = _upgraded(tmp_path, "0003", PLATFORM, *complaints)
    with session_scope(engine) as session:
        assert summary.check(session) == []
        assert stats.counts(session, Filters(), "gender") == {"女": 2, "男": 1}
        with summary.direct():
            assert stats.counts(session, Filters(), "problem_type") == {"退款问题": 2, "未知": 1}
        assert stats.counts(session, Filters(), "problem_type") == {"退款问题": 2, "未知": 1}


def test_complaints_from_before_complainant_types_are_consumers(tmp_path):
    """Revision 0014 adds 投诉人类型: older complaints are consumers', and the summaries
    (which held no such dimension) are counted again, exactly."""
    engine = _upgraded(
        tmp_path,
        "0010",
        PLATFORM,
        _complaint(1, "女", "退款问题", ("typical", "0")),
        # the summaries as revision 0010's writes kept them: no 投诉人类型
        "INSERT INTO summary_rating VALUES ('已移交', 202403, 1, 1, 0, 0, 0, 0, 0)",
        "INSERT INTO summary_rating VALUES ('*', 202403, 1, 1, 0, 0, 0, 0, 0)",
        "INSERT INTO summary_count VALUES ('gender', 1, 202403, '已移交', '女', 1)",
    )
    with session_scope(engine) as session:
        assert summary.check(session) == []
        assert stats.counts(session, Filters(), "complainant_type") == {"消费者": 1}
        assert stats.counts(session, Filters(), "gender") == {"女": 1}


def test_0018_indexes_the_complaints_already_stored(engine):
    """A database from before 0018 gets its one- and two-character index built for the
    complaints it holds, and keeps it in step afterwards; undone, it is gone."""
    from sqlalchemy import select

    from models.reads.cases import search_cases
    from models.rules.filters import Filters
    from models.store import search_index
    from models.store.db import session_scope
    from models.store.tables import Complaint
    from tests.factories import add_complaints, add_platforms

    add_platforms(engine, ("慧聪网", "产业电商", True))
    rows = [
        {"platform": "慧聪网", "submitted_at": f"2024-05-0{i + 1} 10:00", "title": t, "content": c}
        for i, (t, c) in enumerate([("罕见", "退款"), ("退款", "客服"), ("质量", "罕")])
    ]
    schema.downgrade(engine, "0017")
    add_complaints(engine, rows)
    schema.upgrade(engine)
    add_complaints(engine, [{**rows[0], "external_id": "new", "submitted_at": "2024-06-01 10:00"}])
    with session_scope(engine) as session:
        titles = {
            w: [r.title for r in search_cases(session, Filters(), text=w)[0]] for w in "罕见退"
        }
        assert titles == {
            "罕": ["罕见", "质量", "罕见"],
            "见": ["罕见", "罕见"],
            "退": ["罕见", "退款", "罕见"],
        }
        assert search_index.narrowing(session, "罕见") is not None
        assert session.scalars(
            select(Complaint.id).where(search_index.narrowing(session, "客服"))
        ).all()
    schema.downgrade(engine, "0017")  # undone completely: made again without a clash
    schema.upgrade(engine)
    with session_scope(engine) as session:
        assert search_cases(session, Filters(), text="罕见")[1] == 2


def test_0020_indexes_the_stored_texts_staff_search(engine):
    """A database from before 0020 gets staff's indexes built over the complaints it holds
    (their stored title and content, personal data included) and kept in step; undone, gone."""
    from models.reads.cases import search_cases
    from models.rules.filters import Filters
    from models.store import search_index
    from models.store.db import session_scope
    from tests.factories import add_complaints, add_platforms

    add_platforms(engine, ("慧聪网", "产业电商", True))
    rows = [
        {"platform": "慧聪网", "submitted_at": f"2024-05-0{i + 1} 10:00", "title": t, "content": c}
        for i, (t, c) in enumerate(
            [("王小明", "退款"), ("退款", "手机13912345678"), ("质量", "王")]
        )
    ]
    schema.downgrade(engine, "0019")
    add_complaints(engine, rows)
    schema.upgrade(engine)
    add_complaints(engine, [{**rows[0], "external_id": "new", "submitted_at": "2024-06-01 10:00"}])
    with session_scope(engine) as session:
        found = {
            w: [r.title for r in search_cases(session, Filters(), text=w, reveal=True)[0]]
            for w in ("王", "小明", "13912345678")
        }
        assert found == {
            "王": ["王小明", "质量", "王小明"],
            "小明": ["王小明"] * 2,
            "13912345678": ["退款"],
        }
        for word in ("王", "小明", "13912345678"):
            assert search_index.narrowing(session, word, staff=True) is not None, word
    schema.downgrade(engine, "0019")  # undone completely: made again without a clash
    schema.upgrade(engine)
    with session_scope(engine) as session:
        assert search_cases(session, Filters(), text="小明", reveal=True)[1] == 2


def test_an_upgrade_that_drops_the_search_triggers_is_refused_and_undone(tmp_path):
    """SQLite's batch mode rebuilds a table (copy, drop, rename), and its triggers go with
    the old one: the search would then miss every complaint written afterwards. An upgrade
    that leaves a search table without its triggers is refused, and rolled back."""
    from alembic.operations import Operations

    from models.errors import TousuError
    from models.store import search_index

    engine = get_engine(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    schema.upgrade(engine, "0019")
    with engine.begin() as conn:  # what a migration in batch mode does to complaint
        with Operations(MigrationContext.configure(conn)).batch_alter_table(
            "complaint", recreate="always"
        ):
            pass
        lost = search_index.missing_triggers(conn)
    assert lost == [
        f"{t}_{event}"
        for t in (search_index.TABLE, search_index.CHARS_TABLE)
        for event in ("insert", "delete", "update")
    ]
    with pytest.raises(TousuError, match="complaint_search_chars_update"):
        schema.upgrade(engine)
    assert schema.current_revision(engine) == "0019"  # nothing of 0020 kept
    with engine.connect() as conn:
        assert search_index.missing_triggers(conn) == lost
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    assert search_index.STAFF_TABLE not in tables
