"""an index for searching complaint.public_text by any substring of three characters or more

SQLite: an FTS5 table with the trigram tokenizer over complaint.public_text (external
content, kept in step by triggers on every insert, update and delete of a complaint).
PostgreSQL: a pg_trgm GIN index, which LIKE '%…%' uses by itself. Words of one or two
characters cannot use a trigram index; they are matched by the plain scan as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE complaint_search USING fts5("
    "public_text, content='complaint', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER complaint_search_insert AFTER INSERT ON complaint BEGIN "
    "INSERT INTO complaint_search(rowid, public_text) VALUES (new.id, new.public_text); END",
    "CREATE TRIGGER complaint_search_delete AFTER DELETE ON complaint BEGIN "
    "INSERT INTO complaint_search(complaint_search, rowid, public_text) "
    "VALUES ('delete', old.id, old.public_text); END",
    "CREATE TRIGGER complaint_search_update AFTER UPDATE OF public_text ON complaint BEGIN "
    "INSERT INTO complaint_search(complaint_search, rowid, public_text) "
    "VALUES ('delete', old.id, old.public_text); "
    "INSERT INTO complaint_search(rowid, public_text) VALUES (new.id, new.public_text); END",
    "INSERT INTO complaint_search(complaint_search) VALUES ('rebuild')",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    # Without it search still works, by the plain scan.
    with bind.begin_nested() as savepoint:
        try:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError:
            savepoint.rollback()
            return
    op.execute(
        "CREATE INDEX ix_complaint_public_text_trgm ON complaint "
        "USING gin (public_text gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS complaint_search_{name}")
        op.execute("DROP TABLE IF EXISTS complaint_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_complaint_public_text_trgm")
