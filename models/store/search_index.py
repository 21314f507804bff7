"""The search indexes over complaint.public_text (migrations 0008 and 0018), as the reads use them.

Words of three characters or more — SQLite: ``complaint_search``, an FTS5 trigram table;
PostgreSQL: a pg_trgm GIN index that ``LIKE '%…%'`` uses by itself.

Words of one or two characters, which no trigram can answer — SQLite:
``complaint_search_chars``, an FTS5 table with one token per character (the text goes in
with a space after every character, :data:`CHARS_FUNCTION`), queried as a phrase;
PostgreSQL: a GIN index over :data:`GRAMS_FUNCTION` ``(public_text)``, the array of the
text's single characters and pairs of characters, queried with ``@>``.

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
#: A word holds a character FTS5's unicode61 surely keeps as a token (its Unicode tables
#: are of version 6.1; ASCII, CJK and their punctuation are): a phrase of characters it
#: does not know would be empty and match nothing.
_TOKEN = re.compile("[!-~\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uffee]")


def managed(_object: object, name: str | None, *_rest: object) -> bool:
    """Alembic's include_object (object, name, type, reflected, compare_to): False for the
    search indexes' own tables and indexes."""
    return not (name and (name.startswith(TABLE) or name in (TRIGRAM_INDEX, GRAMS_INDEX)))


def chars(text: str | None) -> str | None:
    """``text`` with a space after each character: one FTS5 token per character."""
    return None if text is None else " ".join(text)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # one FTS5 phrase, quotes doubled


def narrowing(session: Session, word: str) -> ColumnElement[bool] | None:
    """A condition that keeps the complaints containing ``word`` (and maybe a few more)
    through an index, when the word is rare enough that fetching its matches beats
    walking the newest complaints; None otherwise (the LIKE term alone decides).

    On PostgreSQL a word of three characters or more is left to the planner, which uses
    the trigram index for LIKE by itself."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(word) >= 3:
        matches = select(_fts.c.rowid).where(_fts.c[TABLE].op("MATCH")(_phrase(word)))
    elif dialect == "sqlite" and _TOKEN.search(word):
        phrase = _phrase(chars(word) or "")
        matches = select(_chars.c.rowid).where(_chars.c[CHARS_TABLE].op("MATCH")(phrase))
    elif dialect == "postgresql" and len(word) < 3:
        grams = getattr(func, GRAMS_FUNCTION)(Complaint.public_text, type_=ARRAY(Text))
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


def _planned_rows(session: Session, stmt: Select) -> float:
    """How many rows PostgreSQL's planner expects ``stmt`` to return."""
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    plan = session.connection().exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params
    )
    return float(plan.scalar_one()[0]["Plan"]["Plan Rows"])
