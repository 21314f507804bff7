"""Demo data: the reports' platforms and cases, and a spread over every grade."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from models.demo import generate_demo
from models.errors import TousuError
from models.reads.ratings import period_ratings
from models.rules.filters import Filters
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


def test_summaries_equal_a_recount_after_demo_and_replace(demo):
    from models.store import summary

    with session_scope(demo) as session:
        assert summary.check(session) == []
    generate_demo(demo, complaints=500, seed=4, replace=True)
    with session_scope(demo) as session:
        assert summary.check(session) == []
        stmt = select(func.sum(SummaryRating.complaints)).where(SummaryRating.status != "*")
        assert session.scalar(stmt) == 543
