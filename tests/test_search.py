"""Keyword search equals a plain LIKE scan — through the search indexes (SQLite's FTS5
trigram and one-character tables, PostgreSQL's pg_trgm and character-pair GIN index) and
without them, on random data and after every kind of write."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from sqlalchemy import or_, select, text

from models.access.roles import CLI
from models.reads import cases
from models.reads.cases import COUNT_CAP, search_cases
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.rules.search import MAX_CHARS, MAX_WORDS, search_words
from models.rules.text import spaced
from models.store import search_index
from models.store.db import session_scope
from models.store.public_text import refresh_public_text
from models.store.tables import Complaint
from models.writes import workflow
from tests.factories import add_complaints, add_platforms

#: Chinese, Latin letters of both cases, digits, punctuation, LIKE's own wildcards and a
#: character newer than FTS5's Unicode tables: words of one and two characters of every kind.
ALPHABET = "退款客服保鲜措施问题商家平台发货质量虚假促销abAB12，。!%_🫠"


def _text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def _rows(rng: random.Random, n: int, start: int = 0) -> list[dict]:
    return [
        {
            "external_id": f"S{start + i}",
            "platform": rng.choice(["云集", "萌推"]),
            "submitted_at": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00",
            "title": _text(rng, 4, 12),
            "content": _text(rng, 10, 40),
            "status": rng.choice(["已移交", "已移交", "待审核"]),
        }
        for i in range(n)
    ]


def _like_scan(session, word: str, staff: bool = False) -> tuple[list[int], int]:
    """The oracle: the counting complaints whose public text (``staff``: stored title or
    content) contains ``word``, by LIKE."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    found = (
        or_(
            Complaint.title.like(pattern, escape="\\"), Complaint.content.like(pattern, escape="\\")
        )
        if staff
        else Complaint.public_text.like(pattern, escape="\\")
    )
    ids = session.scalars(
        select(Complaint.id)
        .where(Complaint.status.in_(COUNTING_STATUSES))
        .where(found)
        .order_by(Complaint.submitted_at.desc(), Complaint.id.desc())
    ).all()
    return list(ids), len(ids)


def _words(rng: random.Random, session) -> list[str]:
    """Pieces of the stored texts (one and two characters most often), pieces across the
    line between title and content (``public_text`` joins them with a line break), and
    words that are nowhere or made of punctuation alone."""
    # Stored texts too: staff search them (a name or a phone number the scrubber hides).
    texts = [
        t
        for row in session.execute(
            select(Complaint.public_text, Complaint.title, Complaint.content)
        ).all()
        for t in row
        if t
    ]
    words = []
    for _ in range(60):
        source = rng.choice(texts)
        size = rng.choice([1, 1, 2, 2, 2, 3, 4, 6])
        at = rng.randrange(max(1, len(source) - size))
        word = source[at : at + size]
        if word.strip() and len(word.split()) == 1:  # search splits on whitespace
            words.append(word.strip())
    for title, content in rng.sample(
        session.execute(select(Complaint.title, Complaint.content)).all(), 8
    ):
        words += [title[-1] + content[0], title[-2:] + content[:1], title[-1:] + content[:2]]
    return [
        *words,
        "保鲜措施退款",
        "ab%",
        "不存在的词语",
        "A",
        "b1",
        "，",
        "%",
        "_",
        "!。",
        "退!",
        "🫠",
        "款🫠",
    ]


def _assert_search_equals_like(engine, rng: random.Random) -> None:
    with session_scope(engine) as session:
        for word in _words(rng, session):
            for staff in (False, True):  # the public text; staff's stored title and content
                rows, total = search_cases(
                    session, Filters(), text=word, limit=COUNT_CAP, reveal=staff
                )
                expected, count = _like_scan(session, word, staff)
                assert [r.id for r in rows] == expected, (word, staff)
                assert total == min(count, COUNT_CAP + 1), (word, staff)


@pytest.fixture
def searched(engine):
    add_platforms(engine, ("云集", "社交电商", True), ("萌推", "社交电商", False))
    add_complaints(engine, _rows(random.Random(3), 300))
    return engine


@pytest.mark.parametrize("selective", [search_index.SELECTIVE, 1])
def test_search_equals_a_like_scan_after_every_kind_of_write(searched, monkeypatch, selective):
    # selective=1: the index never narrows, so the scan path is checked as well
    monkeypatch.setattr(search_index, "SELECTIVE", selective)
    rng = random.Random(11)
    _assert_search_equals_like(searched, rng)

    changed = _rows(random.Random(4), 60)  # a re-import rewrites texts (the update path)
    add_complaints(searched, changed)
    add_complaints(searched, _rows(random.Random(5), 40, start=1000))  # new rows
    _assert_search_equals_like(searched, rng)

    with session_scope(searched) as session:  # an administrator deletes complaints
        for cid, version in session.execute(
            select(Complaint.id, Complaint.version).order_by(Complaint.id).limit(15)
        ).all():
            workflow.delete_complaint(session, CLI, cid, seen_version=version, reason="撤回")
    _assert_search_equals_like(searched, rng)

    with session_scope(searched) as session:  # the scrubber's rules change: a refresh
        session.execute(text("UPDATE complaint SET public_text = NULL WHERE id % 3 = 0"))
        refresh_public_text(session)
    _assert_search_equals_like(searched, rng)


def test_a_rare_word_of_any_length_is_fetched_through_an_index(engine):
    """A word of one or two characters too (no trigram answers it);
    on SQLite, a word of characters newer than FTS5's Unicode tables is scanned."""
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(engine, _rows(random.Random(7), 50))
    add_complaints(
        engine,
        [
            {
                "external_id": "R",
                "platform": "云集",
                "title": "罕",
                "content": "见字",
                "submitted_at": "2024-03-01 10:00",
            }
        ],
    )
    sqlite = engine.dialect.name == "sqlite"
    with session_scope(engine) as session:
        for word in ("罕", "罕见", "见字", "保鲜措施"):
            if sqlite or len(word) < 3:  # PostgreSQL's planner uses pg_trgm for LIKE itself
                assert search_index.narrowing(session, word) is not None, word
            assert search_index.narrowing(session, word, staff=True) is not None, word
        assert search_index.narrowing(session, "，") is not None  # punctuation is a token
        if sqlite:  # unknown to FTS5's Unicode 6.1: no token, an empty phrase
            assert search_index.narrowing(session, "🫠") is None
    with session_scope(engine) as session:
        for staff in (False, True):  # across title and content: found by neither
            rows, total = search_cases(session, Filters(), text="罕见", reveal=staff)
            assert (rows, total) == ([], 0)
        rows, total = search_cases(session, Filters(), text="见字 罕")
        assert [r.title for r in rows] == ["罕"] and total == 1
    with engine.connect() as connection:
        if sqlite:
            explain = "EXPLAIN QUERY PLAN SELECT rowid FROM {} WHERE {} MATCH '{}'"
            plans = [
                connection.exec_driver_sql(explain.format(t, t, p)).all()
                for t, p in (
                    ("complaint_search", '"保鲜措施"'),
                    ("complaint_search_chars", '"见 字"'),
                    ("complaint_search_staff", '"保鲜措施"'),
                    ("complaint_search_staff_chars", '"见 字"'),
                )
            ]
            assert all("VIRTUAL TABLE" in str(plan) for plan in plans)
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")  # 51 rows: a scan is cheaper
            plan = connection.exec_driver_sql(
                "EXPLAIN SELECT id FROM complaint WHERE complaint_grams(public_text) @> '{见字}'"
            ).all()
            assert search_index.GRAMS_INDEX in str(plan)
            staff_text = "complaint_staff_text(title, content)"
            for where, index in (
                (f"complaint_grams({staff_text}) @> '{{见字}}'", search_index.STAFF_GRAMS_INDEX),
                (f"{staff_text} LIKE '%%保鲜措施%%'", search_index.STAFF_TRIGRAM_INDEX),
            ):
                plan = connection.exec_driver_sql(f"EXPLAIN SELECT id FROM complaint WHERE {where}")
                assert index in str(plan.all()), where


@given(
    hs.text(max_size=400)
    | hs.lists(hs.text(max_size=4), max_size=60).map(" ".join)
    | hs.lists(hs.sampled_from(["退款", "客服", "a", "\x00"]), max_size=300).map(" ".join)
)
def test_search_words_are_few_clean_and_from_the_text(text):
    """At most MAX_WORDS words and MAX_CHARS characters, each from the text, and ``cut``
    exactly when the text had other words (a repeated word leaves nothing out)."""
    found = search_words(text)
    assert len(found.words) <= MAX_WORDS
    assert sum(len(w) for w in found.words) <= MAX_CHARS
    assert all(w in text[:MAX_CHARS] and w.split() == [w] and spaced(w) == w for w in found.words)
    every = tuple(dict.fromkeys(spaced(text).split()))
    assert found.cut == (found.words != every)


def test_a_search_of_any_length_looks_for_its_first_words(searched):
    """2,000 words (SQLite refused the query: "Expression tree is too large"), NUL
    (PostgreSQL refused it) or a word repeated: the search is its first different words."""
    rng = random.Random(8)
    texts = [
        " ".join(_text(rng, 1, 3) for _ in range(2000)),
        " ".join(["退款"] * 2000),
        "退款\x00客服",
        "\u202e保鲜 ab\t退款 " * 40,
    ]
    with session_scope(searched) as session:
        for text in texts:
            words = search_words(text).words
            expected = None
            for word in words:  # the oracle: complaints containing every word, by LIKE
                ids, _count = _like_scan(session, word)
                expected = ids if expected is None else [i for i in expected if i in set(ids)]
            rows, total = search_cases(session, Filters(), text=text, limit=COUNT_CAP)
            assert [r.id for r in rows] == expected, text[:40]
            assert total == len(expected)
            search_cases(session, Filters(statuses=None), text=text, reveal=True)  # staff's too


def _walked(matches: int, scope_rows: int, population: int, cap: int) -> float:
    """Rows a walk of the scope's newest complaints reads until ``cap`` matches, for a
    word of ``matches`` spread evenly over ``population`` complaints."""
    in_scope = matches * scope_rows / population
    return scope_rows if in_scope <= cap else cap * population / matches


@given(
    population=hs.integers(1, 5_000_000),
    share=hs.floats(0.0001, 1.0),
    cap=hs.integers(1, 20_000),
    matches=hs.integers(0, 5_000_000),
)
def test_an_index_is_used_exactly_where_it_reads_fewer_rows_than_a_walk(
    population, share, cap, matches
):
    """breakeven's closed form against the two costs computed one by one: a walked row
    costs WALK_COST fetched matches, and no more than SELECTIVE matches are fetched."""
    scope_rows = max(1, int(population * share))
    limit = search_index.breakeven(scope_rows, population, cap)
    fetched = matches
    walked = _walked(matches, scope_rows, population, cap) * search_index.WALK_COST
    if matches <= limit:
        assert fetched <= walked + 1, (limit, walked)
    else:
        assert matches > search_index.SELECTIVE or fetched >= walked - 1, (limit, walked)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite plans each anew
def test_every_search_is_planned_for_its_own_words(searched):
    """PostgreSQL: no server-side prepared statement, whose generic plan after five runs
    would serve every word alike; a search's transaction keeps its bitmaps exact."""
    with session_scope(searched) as session:
        for word in ["退", "款", "退款", "客服", "保鲜措施", "ab"] * 3:
            search_cases(session, Filters.for_year(2024), text=word)
        prepared = session.connection().exec_driver_sql(
            "SELECT count(*) FROM pg_prepared_statements"
        )
        assert prepared.scalar_one() == 0
        work_mem = session.connection().exec_driver_sql("SHOW work_mem").scalar_one()
        assert work_mem == search_index.SEARCH_WORK_MEM


@pytest.mark.parametrize("cap", [COUNT_CAP, 3])
def test_searches_of_several_words_equal_a_like_scan_whichever_index_narrows(
    searched, monkeypatch, cap
):
    """Words matched together (one FTS5 query, one array for ``@>``, the characters'
    table for words of both lengths), the page picked from the matches (under the count's
    cap) or walked for (over it): every page of every search equals the oracle's,
    whatever the index narrows."""
    monkeypatch.setattr(cases, "COUNT_CAP", cap)
    rng = random.Random(21)
    with session_scope(searched) as session:
        words = _words(rng, session)
        for selective in (0, 1, 5, 40, 10**6):  # from "walk always" to "fetch always"
            monkeypatch.setattr(search_index, "SELECTIVE", selective)
            for _ in range(12):
                chosen = rng.sample(words, rng.choice([2, 3]))
                for staff in (False, True):
                    expected = None
                    for word in chosen:
                        ids, _count = _like_scan(session, word, staff)
                        expected = ids if expected is None else [i for i in expected if i in ids]
                    offset = rng.randrange(max(1, len(expected)))
                    rows, total = search_cases(
                        session,
                        Filters(),
                        text=" ".join(chosen),
                        limit=7,
                        offset=offset,
                        reveal=staff,
                    )
                    assert total == min(len(expected), cap + 1), (chosen, staff, selective)
                    assert [r.id for r in rows] == expected[offset : offset + 7], chosen
