"""an index for searching complaint.public_text by words of one or two characters

A trigram index (0008) cannot answer them, so they scanned: seconds at a million.

SQLite: an FTS5 table with the unicode61 tokenizer over the public text with a space after
every character (``tousu_chars``, a function every Tousu connection registers): one token
per character — punctuation and symbols too (``categories``) — so a word is a phrase of
its characters. unicode61 alone would keep a run of Chinese characters as one token, and
the trigram tokenizer has no token under three characters. Contentless (the spaced text is stored nowhere), kept in step by triggers.

PostgreSQL: a GIN index over ``complaint_grams(public_text)``, the array of the text's
characters and pairs of adjacent characters; a word of one or two characters is one array
element (``@>``). A ``tsvector`` phrase search over character tokens would miss matches:
a tsvector keeps at most 256 positions of a lexeme and none past 16,383.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE complaint_search_chars USING fts5("
    "public_text, content='', columnsize=0, "
    "tokenize='unicode61 remove_diacritics 0 categories ''L* N* Co M* P* S*''')",
    "CREATE TRIGGER complaint_search_chars_insert AFTER INSERT ON complaint "
    "WHEN new.public_text IS NOT NULL BEGIN "
    "INSERT INTO complaint_search_chars(rowid, public_text) "
    "VALUES (new.id, tousu_chars(new.public_text)); END",
    "CREATE TRIGGER complaint_search_chars_delete AFTER DELETE ON complaint "
    "WHEN old.public_text IS NOT NULL BEGIN "
    "INSERT INTO complaint_search_chars(complaint_search_chars, rowid, public_text) "
    "VALUES ('delete', old.id, tousu_chars(old.public_text)); END",
    # One trigger, so that the old tokens go before the new ones come (SQLite runs the
    # triggers of one event newest first).
    "CREATE TRIGGER complaint_search_chars_update AFTER UPDATE OF public_text ON complaint "
    "BEGIN "
    "INSERT INTO complaint_search_chars(complaint_search_chars, rowid, public_text) "
    "SELECT 'delete', old.id, tousu_chars(old.public_text) WHERE old.public_text IS NOT NULL; "
    "INSERT INTO complaint_search_chars(rowid, public_text) "
    "SELECT new.id, tousu_chars(new.public_text) WHERE new.public_text IS NOT NULL; END",
    "INSERT INTO complaint_search_chars(rowid, public_text) "
    "SELECT id, tousu_chars(public_text) FROM complaint WHERE public_text IS NOT NULL",
]

POSTGRESQL = [
    "CREATE FUNCTION complaint_grams(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT regexp_split_to_array($1, '') || ARRAY("
    "SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i) $$",
    "CREATE INDEX ix_complaint_public_text_grams ON complaint USING gin (complaint_grams(public_text))",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS complaint_search_chars_{name}")
        op.execute("DROP TABLE IF EXISTS complaint_search_chars")
    else:
        op.execute("DROP INDEX IF EXISTS ix_complaint_public_text_grams")
        op.execute("DROP FUNCTION IF EXISTS complaint_grams(text)")
