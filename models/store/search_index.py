"""The search indexes over complaint.public_text (migrations 0008 and 0018) and over the
stored title and content that staff search (0020), as the reads use them.

Words of three characters or more — SQLite: ``complaint_search``, an FTS5 trigram table;
PostgreSQL: a pg_trgm GIN index that ``LIKE '%…%'`` uses by itself.

Words of one or two characters, which no trigram can answer — SQLite:
``complaint_search_chars``, an FTS5 table with one token per character (the text goes in
with a space after every character, :data:`CHARS_FUNCTION`), queried as a phrase;
PostgreSQL: a GIN index over :data:`GRAMS_FUNCTION` ``(public_text)``, the array of the
text's single characters and pairs of characters, queried with ``@>``.

Staff's search (the stored title and content, unscrubbed) has the same pair of indexes over
the two joined by a line break: ``complaint_search_staff`` and ``complaint_search_staff_chars``
on SQLite, pg_trgm and character-pair GIN indexes over :data:`STAFF_FUNCTION` on PostgreSQL.

Every index only narrows: the ``LIKE`` term stays in the query, so results are a ``LIKE``
scan's even where an index matches more (FTS5 folds case). None of
them is declared in tables.py (SQLAlchemy has no words for them), so schema comparisons
leave them out (:func:`managed`); triggers keep the SQLite tables in step.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, column, func, literal, select, table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Text
from sqlmodel import Session

from models.store.tables import Complaint

TABLE = "complaint_search"
CHARS_TABLE = "complaint_search_chars"
TRIGRAM_INDEX = "ix_complaint_public_text_trgm"
GRAMS_INDEX = "ix_complaint_public_text_grams"
STAFF_TABLE = "complaint_search_staff"
STAFF_CHARS_TABLE = "complaint_search_staff_chars"
STAFF_TRIGRAM_INDEX = "ix_complaint_staff_text_trgm"
STAFF_GRAMS_INDEX = "ix_complaint_staff_text_grams"
#: PostgreSQL: title, a line break, content (an IMMUTABLE SQL function of migration 0020).
STAFF_FUNCTION = "complaint_staff_text"
_INDEXES = (TRIGRAM_INDEX, GRAMS_INDEX, STAFF_TRIGRAM_INDEX, STAFF_GRAMS_INDEX)
#: SQLite: the text with a space after each character, registered on every connection
#: (models/store/db.py) because the triggers of ``complaint_search_chars`` call it.
CHARS_FUNCTION = "tousu_chars"
#: PostgreSQL: an IMMUTABLE SQL function of migration 0018 (characters and pairs).
GRAMS_FUNCTION = "complaint_grams"
#: Fewer matches than this: fetch them through the index. Walking the newest complaints
#: instead reads rows until the count's cap (10,000) is reached, so a word in one
#: complaint of a hundred walks a million; fetching 50,000 matches costs about as much.
SELECTIVE = 50_000
_fts = table(TABLE, column("rowid"), column(TABLE))
_chars = table(CHARS_TABLE, column("rowid"), column(CHARS_TABLE))
_staff_fts = table(STAFF_TABLE, column("rowid"), column(STAFF_TABLE))
_staff_chars = table(STAFF_CHARS_TABLE, column("rowid"), column(STAFF_CHARS_TABLE))
#: A word holds a character FTS5's unicode61 surely keeps as a token (its Unicode tables
#: are of version 6.1; ASCII, CJK and their punctuation are): a phrase of characters it
#: does not know would be empty and match nothing.
_TOKEN = re.compile("[!-~\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uffee]")


def managed(_object: object, name: str | None, *_rest: object) -> bool:
    """Alembic's include_object (object, name, type, reflected, compare_to): False for the
    search indexes' own tables and indexes."""
    return not (name and (name.startswith(TABLE) or name in _INDEXES))


def chars(text: str | None) -> str | None:
    """``text`` with a space after each character: one FTS5 token per character."""
    return None if text is None else " ".join(text)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # one FTS5 phrase, quotes doubled


def narrowing(session: Session, word: str, staff: bool = False) -> ColumnElement[bool] | None:
    """A condition that keeps the complaints containing ``word`` (and maybe a few more)
    through an index, when the word is rare enough that fetching its matches beats
    walking the newest complaints; None otherwise (the LIKE terms alone decide).
    ``staff``: in the stored title and content (staff's search), not the public text.

    On PostgreSQL a word of three characters or more in the public text is left to the
    planner, which uses the trigram index for LIKE by itself."""
    dialect = session.get_bind().dialect.name
    fts, char_fts = (_staff_fts, _staff_chars) if staff else (_fts, _chars)
    if dialect == "sqlite" and len(word) >= 3:
        matches = select(fts.c.rowid).where(fts.c[fts.name].op("MATCH")(_phrase(word)))
    elif dialect == "sqlite" and _TOKEN.search(word):
        phrase = _phrase(chars(word) or "")
        matches = select(char_fts.c.rowid).where(char_fts.c[char_fts.name].op("MATCH")(phrase))
    elif dialect == "postgresql" and (staff or len(word) < 3):
        text = (
            getattr(func, STAFF_FUNCTION)(Complaint.title, Complaint.content, type_=Text)
            if staff
            else Complaint.public_text
        )
        if len(word) >= 3:  # the trigram index answers LIKE over the same expression
            condition = text.like(like_pattern(word), escape="\\")
        else:
            grams = getattr(func, GRAMS_FUNCTION)(text, type_=ARRAY(Text))
            condition = grams.op("@>")(literal([word], ARRAY(Text)))
        # The planner's estimate (from the index's element statistics), not a count: a
        # GIN index is read into a bitmap of every match, a common pair's 200,000 cost 3 s.
        if _planned_rows(session, select(Complaint.id).where(condition)) >= SELECTIVE:
            return None
        return condition
    else:
        return None
    found = session.scalar(select(func.count()).select_from(matches.limit(SELECTIVE).subquery()))
    if (found or 0) >= SELECTIVE:
        return None
    return Complaint.id.in_(matches)


def like_pattern(word: str) -> str:
    """``%word%`` for LIKE … ESCAPE '\\', the word's own wildcards escaped."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _planned_rows(session: Session, stmt: Select) -> float:
    """How many rows PostgreSQL's planner expects ``stmt`` to return."""
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    plan = session.connection().exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params
    )
    return float(plan.scalar_one()[0]["Plan"]["Plan Rows"])
