"""The manager's check: on a day in the middle of a month and of a year, on 1 January and on
a month's last day, every change the dashboard shows equals the like-for-like difference
computed apart from it — counts by the real `tousu stats --from … --to …`, rates, scores and
grades from the rows the test wrote — with the days compared written out here, not taken
from models.rules.periods."""

from __future__ import annotations

import calendar
import csv
import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from cli.main import main as tousu
from models import clock
from models.rules.periods import Period
from models.store.db import get_engine
from tests.dashboard_helpers import app, errors, open_page
from tests.factories import add_complaints, add_platforms, complaint_history

PLATFORMS = (
    ("淘宝", "综合电商", True),
    ("京东", "综合电商", True),
    ("拼多多", "社交电商", True),
    ("云集", "社交电商", True),
    ("萌推", "社交电商", False),
)
ONBOARDED = {name: onboarded for name, _sector, onboarded in PLATFORMS}
HISTORY = complaint_history(
    [name for name, *_ in PLATFORMS], date(2024, 7, 1), date(2026, 12, 6), seed=26
)
DAYS = {
    "mid-month-mid-year": date(2026, 6, 15),
    "new-year": date(2026, 1, 1),
    "month-end": date(2026, 4, 30),
    "month-end-past-february": date(2026, 3, 31),
    "issue-26": date(2026, 12, 6),
}


def _day(row: dict) -> date:
    return datetime.fromisoformat(row["submitted_at"]).date()


def periods_around(today: date) -> list[Period]:
    """The periods in progress on ``today`` and the month before it (ended)."""
    month = Period(today.year, "month", today.month)
    found = [
        Period(today.year, "year", 1),
        Period(today.year, "quarter", (today.month + 2) // 3),
        month,
        month.previous(),
    ]
    return found + ([Period(today.year, "half", 1)] if today.month <= 6 else [])


def compared_days(period: Period, today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The days counted and the days compared with, as a person would reckon them."""
    before = period.previous()
    if period.last_day < today:  # ended: whole against whole
        return (period.first_day, period.last_day), (before.first_day, before.last_day)
    back = {"year": 12, "half": 12, "quarter": 3, "month": 1}[period.kind]
    year, month = today.year, today.month - back
    if month < 1:
        year, month = year - 1, month + 12
    same_day = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return (period.first_day, today), (before.first_day, same_day)


def sentence(period: Period, first: date, last: date) -> str:
    """与去年同期（1月1日–12月6日）相比, 与上月同期（11月1日–6日）相比, …"""
    which = {"year": "去年", "half": "去年", "quarter": "上季度", "month": "上月"}[period.kind]
    start = f"{first.month}月{first.day}日"
    if period.kind in ("quarter", "month") and first.year != period.year:
        start = f"{first.year}年{start}"
    if first == last:
        days = start
    elif first.month == last.month:
        days = f"{start}–{last.day}日"
    else:
        days = f"{start}–{last.month}月{last.day}日"
    return f"与{which}同期（{days}）相比"


# --- the second way: the CLI for counts, the rows themselves for the rest -----------------


def cli_counts(capsys, first: date, last: date) -> dict[str, int]:
    capsys.readouterr()
    argv = ["stats", "--by", "platform", "--from", str(first), "--to", str(last)]
    assert tousu([*argv, "--format", "csv"]) == 0
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    return {row["label"]: int(row["count"]) for row in rows}


def _round(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def by_hand(rows: list[dict], first: date, last: date) -> dict:
    """平台反馈率, 用户满意度 and the platforms per grade, from the rows as written."""
    counted = [
        r
        for r in rows
        if first <= _day(r) <= last and r.get("status") not in ("待审核", "不予受理")
    ]
    replied = [r for r in counted if "replied_at" in r]
    scores = [r["satisfaction"] for r in counted if "satisfaction" in r]
    grades = dict.fromkeys(("建议下单", "谨慎下单", "不建议下单", "不予评级"), 0)
    for name in {r["platform"] for r in counted}:
        own = [r for r in counted if r["platform"] == name]
        answered = [r for r in own if "replied_at" in r]
        hours = [
            (datetime.fromisoformat(r["replied_at"]) - datetime.fromisoformat(r["submitted_at"]))
            / (datetime(2000, 1, 1, 1) - datetime(2000, 1, 1))
            for r in answered
        ]
        timely = (
            sum(
                Fraction(1) if h < 72 else Fraction(3, 5) if h < 120 else Fraction(0) for h in hours
            )
            / len(hours)
            if hours
            else Fraction(0)
        )
        marks = [r["satisfaction"] for r in own if "satisfaction" in r]
        mean = Fraction(sum(marks), len(marks)) if marks else Fraction(0)
        composite = _round(
            Fraction(len(answered), len(own)) / 2 + timely * Fraction(3, 10) + mean / 50, 3
        )
        grade = (
            "不予评级"
            if not ONBOARDED[name]
            else "不建议下单"
            if composite < Decimal("0.4")
            else "谨慎下单"
            if composite < Decimal("0.75")
            else "建议下单"
        )
        grades[grade] += 1
    return {
        "reply_rate": _round(Fraction(100 * len(replied), len(counted)), 2) if counted else None,
        "satisfaction": _round(Fraction(sum(scores), len(scores)), 2) if scores else None,
        "grades": grades,
    }


def _signed(value) -> str:
    return f"{value:+,}" if isinstance(value, int) else f"{value:+.2f}"


# --- the check ------------------------------------------------------------------------------


@pytest.fixture(params=list(DAYS), ids=list(DAYS))
def pinned(request, db_url, monkeypatch) -> tuple[date, list[dict]]:
    """A database holding the history up to a day, and that day as the app's today."""
    today = DAYS[request.param]
    monkeypatch.setenv("TOUSU_DATABASE_URL", db_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    monkeypatch.setattr(clock, "today", lambda: today)
    rows = [r for r in HISTORY if _day(r) <= today]
    engine = get_engine(db_url)
    add_platforms(engine, *PLATFORMS)
    add_complaints(engine, rows)
    return today, rows


def test_every_change_shown_equals_the_like_for_like_difference(pinned, capsys):
    today, rows = pinned
    for period in periods_around(today):
        (first, last), (before_first, before_last) = compared_days(period, today)
        now, before = cli_counts(capsys, first, last), cli_counts(capsys, before_first, before_last)
        mine, theirs = by_hand(rows, first, last), by_hand(rows, before_first, before_last)
        where = (today, period.code)

        at = app(period=period.code)
        assert errors(at) == [], where
        deltas = {m.label: m.delta for m in at.metric}
        expected = {
            "投诉量": _signed(sum(now.values()) - sum(before.values())),
            "涉及平台": _signed(len(now) - len(before)),
            "平台反馈率": _signed(mine["reply_rate"] - theirs["reply_rate"]) + " 个百分点",
            "用户满意度（0–10）": _signed(mine["satisfaction"] - theirs["satisfaction"])
            if mine["satisfaction"] is not None and theirs["satisfaction"] is not None
            else "",
            **{
                grade: _signed(mine["grades"][grade] - theirs["grades"][grade])
                for grade in mine["grades"]
            },
        }
        assert deltas == expected, where
        said = " ".join(c.value for c in at.caption)
        if period.last_day < today:
            assert f"变化与上一期（{period.previous().title}）相比" in said, (where, said)
        else:  # the sentence names the days compared with
            assert f"变化{sentence(period, before_first, before_last)}。" in said, (where, said)
            assert f"统计中（截至{today.month}月{today.day}日）" in said, said

        at = open_page(at, "leaderboard")
        assert errors(at) == [], where
        board, top10 = at.dataframe[0].value, at.dataframe[-1].value
        assert dict(zip(board["平台"], board["投诉量"].astype(int), strict=True)) == now, where
        assert {
            name: int(n) for name, n in zip(board["平台"], board["上期投诉量"], strict=True)
        } == {name: before.get(name, 0) for name in now}, where

        # 投诉榜's monthly TOP10: the latest month of the period against the same days before
        month = Period(last.year, "month", last.month)
        (m_first, m_last), (m_before_first, m_before_last) = compared_days(month, today)
        month_now = cli_counts(capsys, m_first, m_last)
        month_before = cli_counts(capsys, m_before_first, m_before_last)
        assert dict(zip(top10["平台"], top10["投诉量"].astype(int), strict=True)) == month_now
        assert {
            name: int(n) for name, n in zip(top10["平台"], top10["上期投诉量"], strict=True)
        } == {name: month_before.get(name, 0) for name in month_now}, where
