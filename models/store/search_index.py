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

import math
import re
from collections.abc import Sequence

from sqlalchemy import Connection, Select, and_, column, func, literal, or_, select, table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause
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
#: SQLite: the FTS5 tables, each kept in step by a trigger per event named ``{table}_{event}``.
SEARCH_TABLES = (TABLE, CHARS_TABLE, STAFF_TABLE, STAFF_CHARS_TABLE)
_EVENTS = ("insert", "delete", "update")
#: SQLite: the text with a space after each character, registered on every connection
#: (models/store/db.py) because the triggers of ``complaint_search_chars`` call it.
CHARS_FUNCTION = "tousu_chars"
#: PostgreSQL: an IMMUTABLE SQL function of migration 0018 (characters and pairs).
GRAMS_FUNCTION = "complaint_grams"
#: Fetch a word's matches through an index only when there are at most this many, whatever
#: the scope (the tests set it to 1 to check the walking path too).
SELECTIVE = 200_000
#: What walking one complaint costs (reading its text for LIKE) against fetching one match
#: through an index (decoding it, then the same read by primary key), measured at a
#: million complaints: ``python -m benchmarks.search``.
WALK_COST = 1.0
#: PostgreSQL's work_mem for a search's transaction (:func:`prepare`).
SEARCH_WORK_MEM = "32MB"
_fts = table(TABLE, column("rowid"), column(TABLE))
_chars = table(CHARS_TABLE, column("rowid"), column(CHARS_TABLE))
_staff_fts = table(STAFF_TABLE, column("rowid"), column(STAFF_TABLE))
_staff_chars = table(STAFF_CHARS_TABLE, column("rowid"), column(STAFF_CHARS_TABLE))
#: A character that cuts pg_trgm's words (it keeps letters and digits).
_CUT = re.compile(r"[\W_]")
#: A word holds a character FTS5's unicode61 surely keeps as a token (its Unicode tables
#: are of version 6.1; ASCII, CJK and their punctuation are): a phrase of characters it
#: does not know would be empty and match nothing.
_TOKEN = re.compile("[!-~\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uffee]")


def missing_triggers(connection: Connection) -> list[str]:
    """SQLite: the triggers that keep a search table in step with ``complaint`` and are
    gone, for every search table there is. A migration that rebuilds ``complaint``
    (SQLite's batch mode: copy, drop, rename) drops its triggers with the old table, and
    the search would then miss every complaint written after it."""
    if connection.dialect.name != "sqlite":
        return []
    rows = connection.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type = 'table' "
        "OR (type = 'trigger' AND tbl_name = 'complaint')"
    ).all()
    tables = {name for kind, name in rows if kind == "table"}
    triggers = {name for kind, name in rows if kind == "trigger"}
    expected = [f"{t}_{event}" for t in SEARCH_TABLES if t in tables for event in _EVENTS]
    return [name for name in expected if name not in triggers]


def managed(_object: object, name: str | None, *_rest: object) -> bool:
    """Alembic's include_object (object, name, type, reflected, compare_to): False for the
    search indexes' own tables and indexes."""
    return not (name and (name.startswith(TABLE) or name in _INDEXES))


def chars(text: str | None) -> str | None:
    """``text`` with a space after each character: one FTS5 token per character."""
    return None if text is None else " ".join(text)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # one FTS5 phrase, quotes doubled


def prepare(session: Session) -> None:
    """Ready this transaction for a search. PostgreSQL: a bitmap of every match in the
    scope kept exact — at the default 4 MB the bitmap of a year (180,000 complaints) goes
    lossy, and each complaint on a lossy page has its characters recomputed for the
    recheck: 0.7 s against 45 ms for a year's two-character word at a million."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'")


def breakeven(scope_rows: int, population: int, cap: int) -> int:
    """The most matches for which fetching a word's matches through an index beats walking
    the newest complaints of the scope until the count's ``cap``.

    Walking ``scope_rows`` complaints of ``population`` for a word of ``m`` matches (spread
    evenly) reads every row of the scope when the scope holds at most ``cap`` of them, else
    ``cap · population / m`` rows; the index reads ``m``. With a walked row costing ``c``
    fetched matches (:data:`WALK_COST`), the index wins up to the crossing,
    ``min(c · scope_rows, √(c · cap · population))``, and never beyond :data:`SELECTIVE`.
    """
    crossing = min(WALK_COST * scope_rows, math.sqrt(WALK_COST * cap * population))
    return max(0, min(SELECTIVE, int(crossing)))


def narrowings(
    session: Session,
    words: Sequence[str],
    staff: bool = False,
    *,
    scope_rows: int | None = None,
    cap: int = 10_000,
) -> list[ColumnElement[bool]]:
    """Conditions that keep the complaints containing every one of ``words`` (and maybe a
    few more) through an index, where fetching their matches beats walking the newest of
    the ``scope_rows`` complaints a search looks in (all when None) until ``cap`` matches
    (:func:`breakeven`); none where walking is cheaper (the LIKE terms alone decide).
    ``staff``: in the stored title and content (staff's search), not the public text.

    The words are matched together — FTS5's AND, one array for PostgreSQL's ``@>`` — so two
    common words found together rarely (不符 拖延: 150,000 matches each, none together) are
    fetched through the index, not walked over a million complaints.
    On PostgreSQL a word of three characters or more in the public text, unless
    punctuation cuts it, is left to the planner, which uses the trigram index for LIKE
    by itself."""
    if not words:
        return []
    population = session.scalar(select(func.max(Complaint.id))) or 0
    limit = breakeven(population if scope_rows is None else scope_rows, population, cap)
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql(session, words, staff, limit, population)
    fts, char_fts = (_staff_fts, _staff_chars) if staff else (_fts, _chars)
    long = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3 and _TOKEN.search(w)]
    tries = [(fts, [_phrase(w) for w in long]), (char_fts, [_phrase(chars(w)) for w in short])]
    found = [(t, q) for t, q in tries if q and _matches(session, t, q, limit) <= limit]
    if not found and long and short and all(_TOKEN.search(w) for w in long):
        # Each table's words are common: all of them together, as phrases of characters.
        every = [_phrase(chars(w)) for w in words]
        found = [(char_fts, every)] if _matches(session, char_fts, every, limit) <= limit else []
    return [Complaint.id.in_(_match(t, q)) for t, q in found]


def _match(fts: TableClause, phrases: list[str]) -> Select:
    return select(fts.c.rowid).where(fts.c[fts.name].op("MATCH")(" AND ".join(phrases)))


def _matches(session: Session, fts: TableClause, phrases: list[str], limit: int) -> int:
    """How many complaints match every phrase, counted up to ``limit + 1``."""
    counted = select(func.count()).select_from(_match(fts, phrases).limit(limit + 1).subquery())
    return session.scalar(counted) or 0


def _postgresql(
    session: Session, words: Sequence[str], staff: bool, limit: int, population: int
) -> list[ColumnElement[bool]]:
    text = (
        getattr(func, STAFF_FUNCTION)(Complaint.title, Complaint.content, type_=Text)
        if staff
        else Complaint.public_text
    )
    # Words under three characters, and the pairs of characters of a word that punctuation
    # cuts (「假：商」: pg_trgm sees the words 假 and 商, trigrams of padding found nearly
    # everywhere), through the character index: exact, where trigrams would be rough.
    pieces = [
        [w] if len(w) < 3 else [w[i : i + 2] for i in range(len(w) - 1)]
        for w in words
        if len(w) < 3 or _CUT.search(w)
    ]
    if pieces:  # the other words are checked on these matches by LIKE alone
        grams = getattr(func, GRAMS_FUNCTION)(text, type_=ARRAY(Text))

        def holding(elements: list[str]) -> ColumnElement[bool]:
            return grams.op("@>")(literal(list(dict.fromkeys(elements)), ARRAY(Text)))

        # The planner's estimate from the index's element statistics, not a count (a GIN
        # index reads every match into a bitmap: a common pair's 200,000 cost 3 s). It
        # takes elements as independent: right across words (不符 拖延: 150,000 each, none
        # together), wrong within one (“京 and 京东 go together: 10,000 planned, 115,000
        # found) — there a word has as many matches as its rarest pair, at most.
        expected = float(max(population, 1))
        for word_pieces in pieces:
            rarest = min(_planned_rows(session, _ids(holding([p]))) for p in word_pieces)
            expected *= rarest / max(population, 1)
        conditions = [holding([p for word_pieces in pieces for p in word_pieces])]
    elif staff:  # the trigram index answers LIKE over the same expression
        conditions = [text.like(like_pattern(w), escape="\\") for w in words]
        expected = _planned_rows(session, _ids(*conditions))
    else:
        return []
    return [] if expected > limit else conditions


def _ids(*conditions: ColumnElement[bool]) -> Select:
    return select(Complaint.id).where(*conditions)


def narrowing(
    session: Session, word: str, staff: bool = False, **scope: int | None
) -> ColumnElement[bool] | None:
    """:func:`narrowings` of one word, as one condition or None."""
    found = narrowings(session, [word], staff, **scope)
    return and_(*found) if found else None


def likes(
    session: Session, words: Sequence[str], staff: bool = False, *, narrowed: bool = False
) -> list[ColumnElement[bool]]:
    """A LIKE term per word, which decides whether a complaint holds it: in the public
    text, or (``staff``) in the stored title or content — whatever an index narrows.

    ``narrowed`` by :func:`narrowings`, on PostgreSQL: the words are matched over
    ``public_text || ''``, which no index holds. The trigram index answers a word only
    roughly where punctuation cuts it (trigrams of padding: 「“天」 has one, 「果。要求」's
    match every complaint), and such a rough bitmap ANDed with the character index's
    exact one makes PostgreSQL recompute the characters of every match for the recheck:
    0.9 s against 0.1 s for a year at a million, 3.7 s for 「款， 果。要求」. Otherwise the
    plain LIKE keeps the column's statistics for the plan: walking the newest complaints
    for a page of a common word, the trigram index for a rare one."""
    opaque = narrowed and session.get_bind().dialect.name == "postgresql"
    terms = []
    for word in words:
        pattern = like_pattern(word)
        if staff:
            terms.append(
                or_(
                    Complaint.title.like(pattern, escape="\\"),
                    Complaint.content.like(pattern, escape="\\"),
                )
            )
        elif opaque:
            terms.append(Complaint.public_text.concat("").like(pattern, escape="\\"))
        else:
            terms.append(Complaint.public_text.like(pattern, escape="\\"))
    return terms


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
