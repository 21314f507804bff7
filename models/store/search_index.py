"""The search index over complaint.public_text (migration 0008), as the reads use it.

SQLite: ``complaint_search``, an FTS5 trigram table kept in step by triggers; PostgreSQL:
a pg_trgm GIN index that ``LIKE '%…%'`` uses by itself. Neither is declared in tables.py
(SQLAlchemy has no words for them), so schema comparisons leave them out (:func:`managed`).
"""

from __future__ import annotations

from sqlalchemy import column, func, select, table
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from models.store.tables import Complaint

TABLE = "complaint_search"
TRIGRAM_INDEX = "ix_complaint_public_text_trgm"
SELECTIVE = 5_000  # fewer matches than this: fetch them through the index
_fts = table(TABLE, column("rowid"), column(TABLE))


def managed(_object: object, name: str | None, *_rest: object) -> bool:
    """Alembic's include_object (object, name, type, reflected, compare_to): False for the
    search index's own tables and index."""
    return not (name and (name.startswith(TABLE) or name == TRIGRAM_INDEX))


def narrowing(session: Session, word: str) -> ColumnElement[bool] | None:
    """On SQLite, ``complaint.id IN (matches of word)`` when the index can answer (three
    characters or more) and the word is rare enough that fetching its matches beats
    walking the newest complaints; None otherwise (the LIKE term alone decides)."""
    if len(word) < 3 or session.get_bind().dialect.name != "sqlite":
        return None
    phrase = '"' + word.replace('"', '""') + '"'  # one phrase: the word as a substring
    matches = select(_fts.c.rowid).where(_fts.c[TABLE].op("MATCH")(phrase))
    found = session.scalar(select(func.count()).select_from(matches.limit(SELECTIVE).subquery()))
    if (found or 0) >= SELECTIVE:
        return None
    return Complaint.id.in_(matches)
