"""indexes for staff search: the unscrubbed title and content, as 0008 and 0018 index the
public text

Staff search every word in the title or the content as stored (names, phone numbers):
a ``LIKE`` scan of both columns, seconds at a million. The same machinery as for the public
text, over the stored title and content joined by a line break (the ``LIKE`` terms stay,
so a word across the two is still not found):

SQLite: two contentless FTS5 tables (the text is stored nowhere but in ``complaint``),
``complaint_search_staff`` with the trigram tokenizer for words of three characters or more
and ``complaint_search_staff_chars`` with one token per character (``tousu_chars``) for
shorter ones, kept in step by triggers.

PostgreSQL: ``complaint_staff_text(title, content)``, an IMMUTABLE SQL function, with a
pg_trgm GIN index over it (when pg_trgm is there, as in 0008) and a GIN index over its
characters and pairs (``complaint_grams``, 0018).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TEXT = "coalesce({0}.title, '') || char(10) || coalesce({0}.content, '')"
TABLES = {
    "complaint_search_staff": ("'trigram'", "{}"),
    "complaint_search_staff_chars": (
        "'unicode61 remove_diacritics 0 categories ''L* N* Co M* P* S*'''",
        "tousu_chars({})",
    ),
}


def _sqlite() -> list[str]:
    statements = []
    for name, (tokenize, feed) in TABLES.items():
        new, old = feed.format(TEXT.format("new")), feed.format(TEXT.format("old"))
        statements += [
            f"CREATE VIRTUAL TABLE {name} USING fts5(staff_text, content='', columnsize=0, "
            f"tokenize={tokenize})",
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON complaint BEGIN "
            f"INSERT INTO {name}(rowid, staff_text) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON complaint BEGIN "
            f"INSERT INTO {name}({name}, rowid, staff_text) VALUES ('delete', old.id, {old}); END",
            # One trigger: the old tokens go before the new ones come.
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF title, content ON complaint BEGIN "
            f"INSERT INTO {name}({name}, rowid, staff_text) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {name}(rowid, staff_text) VALUES (new.id, {new}); END",
            f"INSERT INTO {name}(rowid, staff_text) "
            f"SELECT id, {feed.format(TEXT.format('complaint'))} FROM complaint",
        ]
    return statements


POSTGRESQL = [
    "CREATE FUNCTION complaint_staff_text(text, text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE AS $$ SELECT coalesce($1, '') || chr(10) || coalesce($2, '') $$",
    "CREATE INDEX ix_complaint_staff_text_grams ON complaint "
    "USING gin (complaint_grams(complaint_staff_text(title, content)))",
]
TRIGRAM = (
    "CREATE INDEX ix_complaint_staff_text_trgm ON complaint "
    "USING gin (complaint_staff_text(title, content) gin_trgm_ops)"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _sqlite():
            op.execute(statement)
        return
    for statement in POSTGRESQL:
        op.execute(statement)
    trigram = bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if trigram.first():  # without it (0008), longer words are scanned as before
        op.execute(TRIGRAM)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TABLES:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_complaint_staff_text_trgm")
        op.execute("DROP INDEX IF EXISTS ix_complaint_staff_text_grams")
        op.execute("DROP FUNCTION IF EXISTS complaint_staff_text(text, text)")
