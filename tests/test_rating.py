"""The rating model, against the reports' definition and their published tables."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from models.reads.ratings import monthly_timeline, period_ratings, year_ratings
from models.rules.filters import Filters
from models.rules.labels import PENDING, REJECTED
from models.rules.periods import Period, report_order
from models.rules.rating import RatingInputs, grade_for, reply_tier
from models.store.db import session_scope
from tests.factories import add_complaints, add_platforms

REPORT_ORDER = [
    "全年",
    "第四季度",
    "12月",
    "11月",
    "10月",
    "第三季度",
    "9月",
    "8月",
    "7月",
    "上半年",
    "第二季度",
    "6月",
    "5月",
    "4月",
    "第一季度",
    "3月",
    "2月",
    "1月",
]


def test_report_order_is_the_reports_18_periods():
    assert [p.label for p in report_order(2023)] == REPORT_ORDER


@pytest.mark.parametrize(
    ("hours", "tier_score"),
    [(0, 1), (71.99, 1), (72, Fraction(3, 5)), (119.99, Fraction(3, 5)), (120, 0), (500, 0)],
)
def test_timeliness_steps_at_72_and_120_hours(hours, tier_score):
    inputs = RatingInputs(
        complaints=1, replied=1, fast=reply_tier(hours) == 0, slow=reply_tier(hours) == 1
    )
    assert inputs.timeliness == tier_score


@pytest.mark.parametrize(
    ("composite", "onboarded", "grade"),
    [
        ("0.000", True, "不建议下单"),
        ("0.399", True, "不建议下单"),
        ("0.400", True, "谨慎下单"),
        ("0.749", True, "谨慎下单"),
        ("0.750", True, "建议下单"),
        ("1.000", True, "建议下单"),
        ("0.900", False, "不予评级"),
        ("0.000", False, "不予评级"),
    ],
)
def test_grade_bands(composite, onboarded, grade):
    assert grade_for(Decimal(composite), onboarded) == grade


def test_composite_weights_and_satisfaction_over_scored_only():
    # 4 complaints, 2 replied (one < 72 h, one 72–120 h), one scored 8.
    inputs = RatingInputs(complaints=4, replied=2, fast=1, slow=1, scored=1, score_sum=8)
    assert inputs.reply_rate == Fraction(1, 2)
    assert inputs.timeliness == Fraction(4, 5)
    assert inputs.satisfaction == 8
    # 0.5*0.5 + 0.8*0.3 + 0.8*0.2 = 0.25 + 0.24 + 0.16
    assert inputs.composite == Fraction(65, 100)


def _complaint(platform, when, *, reply_hours=None, score=None, status=None):
    submitted = datetime.fromisoformat(when)
    row = {"platform": platform, "submitted_at": submitted.isoformat(sep=" ")}
    if reply_hours is not None:
        row["replied_at"] = (submitted + timedelta(hours=reply_hours)).isoformat(sep=" ")
    if score is not None:
        row["satisfaction"] = score
    if status:
        row["status"] = status
    return row


def test_yunji_2023_table_from_the_social_ecommerce_report(engine):
    """云集: complaints only in June and October 2023, replied within 72 h, none scored."""
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            _complaint("云集", "2023-06-15 09:00", reply_hours=30),
            _complaint("云集", "2023-10-28 11:00", reply_hours=10),
        ],
    )
    with session_scope(engine) as session:
        rows = [r.report_row() for r in year_ratings(session, Filters(), "云集", 2023)]
    assert [(r["时间段"]) for r in rows] == [
        "全年",
        "第四季度",
        "10月",
        "上半年",
        "第二季度",
        "6月",
    ]
    for row in rows:
        assert row == {
            "年份": "2023年",
            "时间段": row["时间段"],
            "平台反馈率": "100.00%",
            "回复时效性": "1.000",
            "用户满意度": "0.000",
            "综合指数": "0.800",
            "评级": "建议下单",
        }


def test_mengtui_2023_not_onboarded_gets_11_unrated_periods(engine):
    add_platforms(engine, ("萌推", "社交电商", False))
    add_complaints(
        engine, [_complaint("萌推", f"2023-{m:02d}-10 12:00") for m in (1, 2, 4, 5, 10, 12)]
    )
    with session_scope(engine) as session:
        ratings = year_ratings(session, Filters(), "萌推", 2023)
    assert [r.period.label for r in ratings] == [
        "全年",
        "第四季度",
        "12月",
        "10月",
        "上半年",
        "第二季度",
        "5月",
        "4月",
        "第一季度",
        "2月",
        "1月",
    ]
    assert {r.grade for r in ratings} == {"不予评级"}
    assert {r.report_row()["综合指数"] for r in ratings} == {"0.000"}


def test_xiaohongshu_2023_eighteen_not_recommended(engine):
    add_platforms(engine, ("小红书", "社交电商", True))
    add_complaints(engine, [_complaint("小红书", f"2023-{m:02d}-03 08:00") for m in range(1, 13)])
    with session_scope(engine) as session:
        ratings = year_ratings(session, Filters(), "小红书", 2023)
    assert len(ratings) == 18
    assert {r.grade for r in ratings} == {"不建议下单"}
    assert ratings[0].report_row()["平台反馈率"] == "0.00%"


def test_pending_and_rejected_complaints_do_not_count(engine):
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            _complaint("云集", "2023-03-01 09:00", reply_hours=5),
            _complaint("云集", "2023-03-02 09:00", status=PENDING),
            _complaint("云集", "2023-04-02 09:00", status=REJECTED),
        ],
    )
    with session_scope(engine) as session:
        ratings = year_ratings(session, Filters(), "云集", 2023)
    assert [r.period.label for r in ratings] == ["全年", "上半年", "第一季度", "3月"]
    assert ratings[0].inputs.complaints == 1


def test_rounding_of_composite_decides_the_grade(engine):
    # reply rate 1/2, timeliness 0.6·(1/1)… chosen so the exact composite is 0.3996 → 0.400.
    inputs = RatingInputs(complaints=5, replied=2, fast=0, slow=2, scored=2, score_sum=0)
    # 0.4*0.5 + 0.6*0.3 + 0 = 0.38 → 不建议下单
    assert grade_for(Decimal("0.380"), True) == "不建议下单"
    from models.rules.numbers import round_half_up

    assert round_half_up(Fraction(3996, 10000), 3) == Decimal("0.400")
    assert round_half_up(Fraction(3995, 10000), 3) == Decimal("0.400")
    assert round_half_up(Fraction(3994, 10000), 3) == Decimal("0.399")
    assert round_half_up(inputs.composite, 3) == Decimal("0.380")


def _naive_rating(rows, platform, months):
    """Plain Python recomputation of the definition, straight from complaint rows."""
    mine = [
        r
        for r in rows
        if r["platform"] == platform
        and r["month"] in months
        and r["status"] not in (PENDING, REJECTED)
    ]
    if not mine:
        return None
    replied = [r for r in mine if r["hours"] is not None]
    scored = [r for r in mine if r["score"] is not None]
    rr = Fraction(len(replied), len(mine))
    steps = [
        Fraction(1) if r["hours"] < 72 else Fraction(3, 5) if r["hours"] < 120 else Fraction(0)
        for r in replied
    ]
    tl = sum(steps, Fraction(0)) / len(replied) if replied else Fraction(0)
    sat = Fraction(sum(r["score"] for r in scored), len(scored)) if scored else Fraction(0)
    return rr / 2 + tl * Fraction(3, 10) + sat / 50


def test_sql_rollup_equals_naive_recomputation_on_random_data(engine):
    rng = random.Random(7)
    platforms = [
        ("甲平台", "零售电商", True),
        ("乙平台", "零售电商", True),
        ("丙平台", "金融科技", False),
    ]
    add_platforms(engine, *platforms)
    rows, imports = [], []
    for _ in range(300):
        platform = rng.choice(platforms)[0]
        submitted = datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(366 * 24 * 60))
        status = rng.choice([None, None, None, PENDING, REJECTED])
        hours = None if status or rng.random() < 0.3 else rng.choice([1, 71.9, 72, 100, 120, 300])
        score = rng.randint(0, 10) if hours is not None and rng.random() < 0.5 else None
        rows.append(
            {
                "platform": platform,
                "month": submitted.month,
                "status": status,
                "hours": hours,
                "score": score,
            }
        )
        imports.append(
            _complaint(
                platform,
                submitted.isoformat(sep=" "),
                reply_hours=hours,
                score=score,
                status=status,
            )
        )
    add_complaints(engine, imports)
    with session_scope(engine) as session:
        for name, _sector, _onboarded in platforms:
            for rating in year_ratings(session, Filters(), name, 2024):
                expected = _naive_rating(rows, name, rating.period.months)
                assert rating.inputs.composite == expected, (name, rating.period.label)
        board = period_ratings(session, Filters(), Period(2024, "quarter", 2))
        timeline = monthly_timeline(session, Filters.for_year(2024))
    for rating in board:
        assert rating.inputs.composite == _naive_rating(rows, rating.platform, (4, 5, 6))
    for name, months in timeline.items():
        for rating in months:
            assert rating.inputs.composite == _naive_rating(rows, name, rating.period.months)
    assert board[-1].grade == "不予评级" or all(r.grade != "不予评级" for r in board)
