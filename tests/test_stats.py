"""Distributions: shares as the reports print them, filters, unknown values."""

from __future__ import annotations

from datetime import date

from models.reads.stats import distribution
from models.rules.filters import Filters
from models.store.db import session_scope
from tests.factories import add_complaints, add_platforms


def test_shares_two_decimals_ordered_by_count_then_label(engine):
    # 18 complaints: 7 退款问题 (38.89%), 3 虚假促销 (16.67%), 2 each of three more, 1 each of two.
    add_platforms(engine, ("小红书", "社交电商", True))
    types = (
        ["退款问题"] * 7
        + ["虚假促销"] * 3
        + ["售后服务", "网络售假", "网络欺诈"] * 2
        + ["订单问题", "信息泄露"]
    )
    add_complaints(
        engine,
        [{"platform": "小红书", "submitted_at": "2023-05-01", "problem_type": t} for t in types],
    )
    with session_scope(engine) as session:
        rows = [s.row() for s in distribution(session, Filters(), "problem_type")]
    assert rows[:3] == [
        {"label": "退款问题", "count": 7, "percent": "38.89%"},
        {"label": "虚假促销", "count": 3, "percent": "16.67%"},
        {"label": "售后服务", "count": 2, "percent": "11.11%"},
    ]
    assert [r["label"] for r in rows[3:]] == ["网络售假", "网络欺诈", "信息泄露", "订单问题"]


def test_unknown_values_are_labelled_not_dropped(engine):
    add_platforms(engine, ("甲", "零售电商", True))
    add_complaints(
        engine,
        [
            {"platform": "甲", "submitted_at": "2024-01-01", "province": "广东", "gender": "女"},
            {"platform": "甲", "submitted_at": "2024-01-02"},
        ],
    )
    with session_scope(engine) as session:
        provinces = {s.label: s.count for s in distribution(session, Filters(), "province")}
        genders = {s.label: s.count for s in distribution(session, Filters(), "gender")}
        brackets = {s.label for s in distribution(session, Filters(), "amount_bracket")}
    assert provinces == {"广东省": 1, "未知": 1}
    assert genders == {"女": 1, "未知": 1}
    assert brackets == {"未选择"}


def test_filters_by_sector_platform_dates_and_status(engine):
    add_platforms(engine, ("甲", "零售电商", True), ("乙", "金融科技", True))
    add_complaints(
        engine,
        [
            {"platform": "甲", "submitted_at": "2024-01-31 23:59:59"},
            {"platform": "甲", "submitted_at": "2024-02-01 00:00:00"},
            {"platform": "乙", "submitted_at": "2024-01-15"},
            {"platform": "乙", "submitted_at": "2024-01-16", "status": "待审核"},
        ],
    )
    with session_scope(engine) as session:

        def count(**kw):
            return sum(s.count for s in distribution(session, Filters(**kw), "platform"))

        assert count() == 3  # the pending one is not counted
        assert count(sectors=("金融科技",)) == 1
        assert count(platforms=("甲",)) == 2
        assert count(date_from=date(2024, 1, 1), date_to=date(2024, 1, 31)) == 2
        assert count(date_from=date(2024, 2, 1)) == 1
        assert count(sectors=()) == 0
        months = [s.label for s in distribution(session, Filters(), "month")]
    assert sorted(months) == ["2024-01", "2024-02"]


def test_share_scope_intersection_cannot_widen():
    scope = Filters(sectors=("金融科技",), date_from=date(2024, 1, 1), date_to=date(2024, 6, 30))
    asked = Filters(sectors=("金融科技", "零售电商"), date_from=date(2023, 1, 1))
    combined = asked.intersect(scope)
    assert combined.sectors == ("金融科技",)
    assert (combined.date_from, combined.date_to) == (date(2024, 1, 1), date(2024, 6, 30))
