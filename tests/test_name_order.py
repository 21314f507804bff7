"""Lists by name are in code-point order on every database: what SQLite's BINARY gives,
and not what a PostgreSQL made with a zh_CN or en_US collation would (pinyin, case
folded), so a page lists platforms and accounts the same after moving to PostgreSQL."""

from __future__ import annotations

from models.access import users
from models.access.roles import CLI
from models.reads.platforms import platforms_in
from models.rules.filters import Filters
from models.store.db import session_scope
from tests.factories import add_platforms

# Pinyin or case-folded order differs from code-point order for every neighbouring pair.
PLATFORMS = ("阿里巴巴", "京东", "58同城", "Zara", "apple", "美团", "ÉCO", "拼多多")
USERNAMES = ("zoe", "Bob", "alice", "Carol")


def _linguistic(engine) -> None:
    """On PostgreSQL, the names collated as a Chinese-locale database would have them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(
            'ALTER TABLE platform ALTER COLUMN name TYPE varchar(100) COLLATE "zh-x-icu"'
        )
        conn.exec_driver_sql(
            'ALTER TABLE app_user ALTER COLUMN username TYPE varchar(64) COLLATE "zh-x-icu"'
        )
        ordered = conn.exec_driver_sql("SELECT name FROM platform ORDER BY name").scalars()
        assert list(ordered) != sorted(PLATFORMS)  # the collation does reorder them


def test_platforms_and_accounts_list_in_code_point_order(engine):
    add_platforms(engine, *((name, "零售电商", True) for name in PLATFORMS))
    with session_scope(engine) as session:
        for name in USERNAMES:
            users.add_user(
                session, CLI, name, "platform", "correct-horse-battery", platforms=PLATFORMS[::-1]
            )
    _linguistic(engine)
    with session_scope(engine) as session:
        assert [p.name for p in platforms_in(session, Filters())] == sorted(PLATFORMS)
        listed = users.list_users(session, CLI)
    assert [u.username for u in listed] == sorted(USERNAMES)
    assert {u.platforms for u in listed} == {tuple(sorted(PLATFORMS))}
