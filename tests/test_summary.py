"""The summary tables give exactly the figures a plain recount of the complaints gives.

Random complaints, random selections (whole periods, cut days, provinces, statuses,
sectors), then random edits through every write path: the fast path must equal the
direct recount, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.access.roles import CLI
from models.reads.overview import data_span, headline
from models.reads.ratings import monthly_inputs
from models.reads.stats import crosstab, grouped, total
from models.rules.dimensions import DIMENSIONS
from models.rules.filters import Filters
from models.rules.labels import PENDING, PROVINCES, REJECTED, STATUSES
from models.store import summary
from models.store.db import session_scope
from models.store.summary import split as plan
from models.store.tables import Complaint
from models.writes import workflow
from tests.factories import add_complaints, add_platforms

PLATFORMS = [
    ("甲平台", "零售电商", True),
    ("乙平台", "零售电商", True),
    ("丙平台", "金融科技", False),
    ("丁平台", "生活服务", True),
]
PROBLEMS = ("退款问题", "发货问题", "虚假促销", "")
PROVINCE_NAMES = [*list(PROVINCES)[:6], ""]


def _row(rng: random.Random, n: int) -> dict:
    submitted = datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(548 * 24 * 60))
    status = rng.choice([None, None, None, PENDING, REJECTED])
    row = {
        "external_id": f"R{n}",
        "platform": rng.choice(PLATFORMS)[0],
        "submitted_at": submitted.isoformat(sep=" "),
        "province": rng.choice(PROVINCE_NAMES),
        "gender": rng.choice(["男", "女", ""]),
        "age": rng.choice([None, 16, 20, 30, 40, 50, 70]),
        "amount": rng.choice([None, 50, 300, 800, 3000, 8000, 20000]),
        "problem_type": rng.choice(PROBLEMS) or "其他问题",
        "status": status,
    }
    if status is None and rng.random() < 0.7:
        hours = rng.choice([1, 71.9, 72, 100, 120, 300])
        row["replied_at"] = (submitted + timedelta(hours=hours)).isoformat(sep=" ")
        if rng.random() < 0.5:
            row["satisfaction"] = rng.randint(0, 10)
    return row


def _random_filters(rng: random.Random) -> Filters:
    def some(values):
        return rng.choice([None, None, tuple(rng.sample(values, rng.randint(0, 2)))])

    day = date(2024, 1, 1) + timedelta(days=rng.randrange(548))
    dates = rng.choice(
        [
            (None, None),
            (date(2024, 1, 1), date(2024, 12, 31)),  # a year
            (date(2024, 4, 1), date(2024, 6, 30)),  # a quarter
            (date(2025, 2, 1), date(2025, 2, 28)),  # a month
            (day, day + timedelta(days=rng.randrange(1, 200))),  # cut days
            (day, day),
            (None, day),
            (day, None),
            (day, day - timedelta(days=3)),  # empty
        ]
    )
    return Filters(
        sectors=some(sorted({s for _n, s, _o in PLATFORMS})),
        platforms=some([n for n, _s, _o in PLATFORMS]),
        provinces=rng.choice([None, None, None, tuple(rng.sample(list(PROVINCES)[:6], 2))]),
        date_from=dates[0],
        date_to=dates[1],
        statuses=rng.choice([Filters().statuses, Filters().statuses, None, (PENDING,)]),
    )


def _assert_fast_equals_direct(session, rng: random.Random, rounds: int = 40) -> None:
    assert summary.check(session) == []
    selections = [Filters(), Filters(statuses=None)] + [_random_filters(rng) for _ in range(rounds)]
    for filters in selections:
        for by in DIMENSIONS:
            for dims in ((by,), ("sector", by), ("month", by), ("platform", by)):
                if len(set(dims)) == len(dims):
                    fast = grouped(session, filters, dims)
                    with summary.direct():
                        direct = grouped(session, filters, dims)
                    # Same counts in the same order: a page is the same whichever path
                    # (or database) answered.
                    assert list(fast.items()) == list(direct.items()), (dims, filters)
                    assert list(fast) == sorted(fast), dims
        fast = (
            total(session, filters),
            monthly_inputs(session, filters),
            data_span(session, filters),
        )
        with summary.direct():
            recount = (
                total(session, filters),
                monthly_inputs(session, filters),
                data_span(session, filters),
            )
        assert fast == recount, filters


def _naive_counts(session, by: str, filters: Filters) -> dict[str, int]:
    """Counted in Python from the complaint rows, with no GROUP BY at all."""
    out: dict[str, int] = {}
    rows = session.execute(select(Complaint).where(*filters.conditions())).scalars()
    for complaint in rows:
        label = getattr(complaint, by) or "未知"
        out[label] = out.get(label, 0) + 1
    return out


def _seed(engine, n: int = 700, seed: int = 11) -> random.Random:
    rng = random.Random(seed)
    add_platforms(engine, *PLATFORMS)
    add_complaints(engine, [_row(rng, i) for i in range(n)])
    return rng


def test_fast_path_equals_recount_on_random_data(engine):
    rng = _seed(engine)
    with session_scope(engine) as session:
        _assert_fast_equals_direct(session, rng)
        for filters in (Filters(), Filters.for_year(2024), _random_filters(rng)):
            for by in ("province", "gender", "problem_type"):
                assert grouped(session, filters, (by,)) == {
                    (k,): v for k, v in _naive_counts(session, by, filters).items()
                }


def test_fast_path_stays_exact_after_edits_through_every_write_path(engine):
    rng = _seed(engine, seed=12)
    with session_scope(engine) as session:
        ids = session.execute(select(Complaint.id, Complaint.status)).all()
    pending = [cid for cid, status in ids if status == PENDING]
    transferred = [cid for cid, status in ids if status not in (PENDING, REJECTED)]
    now = datetime.now().replace(microsecond=0)

    def version(cid: int) -> int:
        with session_scope(engine) as session:
            return session.get(Complaint, cid).version

    for cid in pending[:10]:  # status changes: accepted or rejected on review
        with session_scope(engine, write=True) as session:
            workflow.review(
                session,
                CLI,
                cid,
                accept=rng.random() < 0.5,
                seen_version=version(cid),
                reason="重复",
            )
    for cid in transferred[:10]:  # replies, then scores (new and corrected)
        with session_scope(engine, write=True) as session:
            workflow.enter_reply(
                session, CLI, cid, text="已处理", replied_at=now, seen_version=version(cid)
            )
        with session_scope(engine, write=True) as session:
            workflow.enter_score(
                session, CLI, cid, score=rng.randint(0, 10), seen_version=version(cid)
            )
    for cid in transferred[10:20]:  # deletions
        with session_scope(engine, write=True) as session:
            workflow.delete_complaint(session, CLI, cid, seen_version=version(cid), reason="撤诉")
    # Re-import moves complaints to other months, platforms and statuses, and adds new ones.
    moved = [_row(rng, rng.randrange(700)) for _ in range(60)] + [
        _row(rng, 900 + i) for i in range(20)
    ]
    add_complaints(engine, list({r["external_id"]: r for r in moved}.values()))

    with session_scope(engine) as session:
        _assert_fast_equals_direct(session, rng)
        gone = session.get(Complaint, transferred[10])
        assert gone is None


def test_a_stale_summary_is_reported_by_check(engine):
    _seed(engine, n=50)
    with session_scope(engine, write=True) as session:
        complaint = session.execute(select(Complaint).limit(1)).scalar_one()
        complaint.problem_type = "改过的类型"  # a write that skips models.summary
        session.flush()
        problems = summary.check(session)
        assert any("改过的类型" in p for p in problems)
        summary.rebuild(session)
        assert summary.check(session) == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "months", "direct"),
    [
        (None, None, (None, None), []),
        (date(2024, 1, 1), date(2024, 12, 31), (202401, 202412), []),
        (
            date(2024, 1, 15),
            date(2024, 3, 31),
            (202402, 202403),
            [(date(2024, 1, 15), date(2024, 1, 31))],
        ),
        (
            date(2024, 1, 1),
            date(2024, 3, 10),
            (202401, 202402),
            [(date(2024, 3, 1), date(2024, 3, 10))],
        ),
        (
            date(2023, 12, 20),
            date(2024, 1, 10),
            None,
            [(date(2023, 12, 20), date(2023, 12, 31)), (date(2024, 1, 1), date(2024, 1, 10))],
        ),
        (date(2024, 2, 3), date(2024, 2, 9), None, [(date(2024, 2, 3), date(2024, 2, 9))]),
        (date(2024, 2, 1), date(2024, 2, 9), None, [(date(2024, 2, 1), date(2024, 2, 9))]),
        (date(2024, 2, 1), date(2024, 2, 29), (202402, 202402), []),
        (None, date(2024, 5, 5), (None, 202404), [(date(2024, 5, 1), date(2024, 5, 5))]),
        (date(2024, 12, 5), None, (202501, None), [(date(2024, 12, 5), date(2024, 12, 31))]),
    ],
)
def test_plan_reads_whole_months_from_summaries_and_cut_days_from_complaints(
    date_from, date_to, months, direct
):
    result = plan(Filters(date_from=date_from, date_to=date_to))
    assert result.months == months
    assert [(f.date_from, f.date_to) for f in result.direct] == direct


def test_provinces_and_two_value_dimensions_are_counted_directly():
    chosen = Filters(provinces=("北京市",))
    assert plan(chosen).months is None and plan(chosen).direct == (chosen,)
    assert plan(Filters(), ("gender", "province")).months is None
    assert plan(Filters(), ("sector", "province")).months == (None, None)


def test_headline_and_crosstab_use_the_same_counts(engine):
    _seed(engine, n=200, seed=5)
    with session_scope(engine) as session:
        filters = Filters.for_year(2024)
        head = headline(session, filters)
        with summary.direct():
            assert head.complaints == total(session, filters)
        table = crosstab(session, filters, "gender", "sector")
        assert sum(sum(row.values()) for row in table.values()) == head.complaints
        assert set(STATUSES) >= {PENDING, REJECTED}


def test_every_summarised_dimension_fits_the_summary_columns():
    """Every dimension counted in the summaries has a name and labels their columns hold:
    SQLite ignores a VARCHAR's length, so a longer one would fail on PostgreSQL alone."""
    from sqlalchemy import String

    from models.rules.dimensions import REGISTRY, UNKNOWN
    from models.store.tables import SummaryCount, SummaryWeek

    for table in (SummaryCount.__table__, SummaryWeek.__table__):
        name_room, value_room = table.c.dimension.type.length, table.c.value.type.length
        for d in REGISTRY:
            if not d.summarised:
                continue
            assert len(d.name) <= name_room, (table.name, d.name)
            if d.bands is not None:
                labels = (UNKNOWN, *d.bands.groups)
                assert max(map(len, labels)) <= value_room, (table.name, d.name)
            else:  # stored as read: the column's own length bounds it
                kind = d.expression().type
                assert isinstance(kind, String) and kind.length <= value_room, (table.name, d.name)
                assert len(UNKNOWN) <= value_room
