"""Demo data: the reports' platforms and cases, and a spread over every grade."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.access.roles import CLI
from models.clock import local_now
from models.demo import generate_demo
from models.errors import TousuError
from models.reads import queues, stats
from models.reads.ratings import period_ratings, year_ratings
from models.rules.filters import Filters
from models.rules.labels import AMOUNT_BRACKETS, NOT_CHOSEN, PENDING, bracket_for_amount
from models.rules.periods import Period
from models.store.db import session_scope
from models.store.tables import Complaint, Platform, SummaryRating


@pytest.fixture
def demo(engine):
    generate_demo(engine, complaints=6000, seed=3)
    return engine


def test_platforms_spread_over_all_four_grades(demo):
    with session_scope(demo) as session:
        grades = {r.grade for r in period_ratings(session, Filters(), Period(2024, "year", 1))}
    assert grades == {"建议下单", "谨慎下单", "不建议下单", "不予评级"}


def test_typical_cases_are_real_complaints(demo):
    with session_scope(demo) as session:
        case = session.execute(
            select(Complaint, Platform.name)
            .join(Platform)
            .where(Complaint.complainant == "黄女士", Platform.name == "小红书")
        ).first()
        onboarded = dict(session.execute(select(Platform.name, Platform.onboarded)).all())
    complaint, _ = case
    assert complaint.submitted_at.date() == datetime(2023, 12, 12).date()
    assert complaint.province == "福建省"
    assert onboarded["萌推"] is False and onboarded["云集"] is True


def test_negative_count_is_refused(engine):
    with pytest.raises(TousuError):
        generate_demo(engine, complaints=-1)


def test_derived_columns_match_the_write_rules(demo):
    """Bulk-written demo rows carry the same derived values the import path computes."""
    from models.rules.complaint import tier_of
    from models.rules.months import month_of

    with session_scope(demo) as session:
        rows = session.execute(
            select(
                Complaint.submitted_at,
                Complaint.submitted_month,
                Complaint.transferred_at,
                Complaint.replied_at,
                Complaint.reply_tier,
            )
        ).all()
    assert all(month == month_of(at) for at, month, *_ in rows)
    assert all(tier == tier_of(t, r) for _a, _m, t, r, tier in rows)
    with session_scope(demo) as session:
        brackets = session.execute(
            select(Complaint.amount, Complaint.amount_bracket).where(Complaint.amount.is_not(None))
        ).all()
    # One ordered scheme: the report's coarse 0-5万元 is stored as its amount's bracket.
    assert {b for _a, b in brackets} == set(AMOUNT_BRACKETS) - {NOT_CHOSEN}
    assert all(bracket == bracket_for_amount(amount) for amount, bracket in brackets)


def test_summaries_equal_a_recount_after_demo_and_replace(demo):
    from models.store import summary

    with session_scope(demo) as session:
        assert summary.check(session) == []
    generate_demo(demo, complaints=500, seed=4, replace=True)
    with session_scope(demo) as session:
        assert summary.check(session) == []
        stmt = select(func.sum(SummaryRating.complaints)).where(SummaryRating.status != "*")
        assert session.scalar(stmt) == session.scalar(select(func.count()).select_from(Complaint))
    generate_demo(demo, complaints=500, seed=4, replace=True, now=datetime(2025, 12, 31, 23))
    with session_scope(demo) as session:
        assert session.scalar(stmt) == 543  # 500 + the reports' 43 typical cases


# --- the demo reaches today: a reply queue with fresh complaints --------------------------


def _figures(engine, year: int) -> tuple:
    with session_scope(engine) as session:
        ratings = period_ratings(session, Filters(), Period(year, "year", 1))
        months = stats.counts(session, Filters.for_year(year), "month")
    return [(r.platform, r.composite, r.inputs.complaints) for r in ratings], months


def test_the_demo_reaches_today_with_a_queue_in_every_band(engine):
    now = local_now()
    generate_demo(engine, complaints=20_000, seed=2024, now=now)
    with session_scope(engine) as session:
        latest = session.scalar(select(func.max(Complaint.submitted_at)))
        later = [
            session.scalar(select(func.count()).where(column > now))
            for column in (Complaint.submitted_at, Complaint.transferred_at, Complaint.replied_at)
        ]
        bands = queues.reply_bands(session, CLI)
        fresh, total = queues.reply_queue(session, CLI, max_hours=72)
        pending = session.scalar(select(func.count()).where(Complaint.status == PENDING))
    assert now - timedelta(days=1) < latest <= now and later == [0, 0, 0]
    assert bands["72小时内"] > 0 and bands["72–120小时"] > 0 and bands["超过120小时"] > 0
    assert total == bands["72小时内"] and all(item.overdue == "" for item in fresh)
    assert pending > 0


def test_full_years_are_the_same_whatever_the_date_and_the_partial_year_is_rated(engine):
    """The README's examples use 2023 and 2024: they must not move with the clock."""
    generate_demo(engine, complaints=3000, seed=7, now=datetime(2026, 5, 20, 10, 30))
    may = _figures(engine, 2024), _figures(engine, 2026)
    generate_demo(engine, complaints=3000, seed=7, replace=True, now=datetime(2027, 2, 3, 9))
    assert _figures(engine, 2024) == may[0]
    generate_demo(engine, complaints=3000, seed=7, replace=True, now=datetime(2026, 5, 20, 10, 30))
    assert _figures(engine, 2026) == may[1]  # the same seed and day: the same data
    ratings, months = may[1]
    assert ratings and set(months) == {f"2026-0{m}" for m in range(1, 6)}
    with session_scope(engine) as session:  # the current year's periods, up to May
        table = year_ratings(session, Filters(), ratings[0][0], 2026)
    labels = [r.period.label for r in table]
    assert labels[0] == "全年" and "第二季度" in labels and "6月" not in labels


def test_a_few_percent_of_complainants_are_merchants_mostly_about_sellers_problems(demo):
    with session_scope(demo) as session:
        kinds = stats.counts(session, Filters(), "complainant_type")
        merchants = stats.counts(
            session, Filters().choose("complainant_type", ("商家",)), "problem_type"
        )
    share = kinds["商家"] / sum(kinds.values())
    assert set(kinds) == {"消费者", "商家"} and 0.02 < share < 0.08, kinds
    sellers = merchants.get("任意仅退款", 0) + merchants.get("冻结商家资金", 0)
    assert sellers > sum(merchants.values()) / 2, merchants
