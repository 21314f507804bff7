"""A period in progress is drawn and counted as one (issue 26, item 2): on 6 December, with
December's complaints not yet scored, December is 统计中 in every chart and table, its
satisfaction is 无评分 on screen (0.000 in the reports, as the house writes it), and it is
not among the year's ratings until it ends."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from models import clock
from models.reads.report import sector_report
from models.rules.filters import Filters
from models.store.db import get_engine, session_scope
from tests.dashboard_helpers import app, chart_frames, errors, open_page
from tests.factories import add_complaints, add_platforms

TODAY = date(2026, 12, 6)


def _rows() -> list[dict]:
    """淘宝: a complaint every third day from January 2025 to yesterday, replied within a
    day and scored 8 — except this December's, not scored yet."""
    rows, day = [], date(2025, 1, 1)
    while day < TODAY:
        submitted = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        row = {
            "platform": "淘宝",
            "submitted_at": f"{submitted:%Y-%m-%d %H:%M}",
            "replied_at": f"{submitted + timedelta(hours=20):%Y-%m-%d %H:%M}",
        }
        if (day.year, day.month) != (2026, 12):
            row["satisfaction"] = 8
        rows.append(row)
        day += timedelta(days=3)
    return rows


ROWS = _rows()


@pytest.fixture
def december(db_url, monkeypatch):
    monkeypatch.setenv("TOUSU_DATABASE_URL", db_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    engine = get_engine(db_url)
    add_platforms(engine, ("淘宝", "综合电商", True))
    add_complaints(engine, ROWS)
    return engine


def _dash_legends(at) -> list[list]:
    """The stroke-dash legends' entries of every chart on the page (layers included)."""
    found = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for part in [spec, *spec.get("layer", []), *spec.get("spec", {}).get("layer", [])]:
            dash = part.get("encoding", {}).get("strokeDash")
            if dash:
                found.append(dash["legend"]["values"])
    return found


def _partial_periods(at) -> set[str]:
    out = set()
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if "partial" in frame and "period" in frame:
                out |= set(frame.loc[frame["partial"].astype(bool), "period"])
    return out


def test_the_ratings_page_counts_only_ended_periods_and_says_no_score(december):
    at = open_page(app(rp="淘宝", period="2026"), "ratings")
    assert errors(at) == []
    said = " ".join(m.value for m in at.markdown if "评级说明" not in m.value)
    # 18 periods have complaints; 全年, 第四季度 and 12月 have not ended
    assert "2026年“淘宝”共获得15次消费评级，15次获“建议下单”" in said, said
    assert "全年、第四季度、12月统计中（截至12月6日），不计入" in said
    assert "统计中（截至12月6日）" in said  # the year's headline says it is not over

    table = at.dataframe[0].value.set_index("时间段")
    assert table.loc["12月（统计中）", "用户满意度"] == "无评分"
    assert table.loc["11月", "用户满意度"] == "8.000"
    assert table.loc["第四季度（统计中）", "用户满意度"] == "8.000"  # Oct–Nov were scored

    # the monthly index and the quarters: the open period hollow, dashed, 统计中
    assert _partial_periods(at) == {"2026-12", "2026Q4"}
    assert ["统计中"] in _dash_legends(at)
    components = [
        f for chart in at.get("vega_lite_chart") for f in chart_frames(chart) if "component" in f
    ]
    assert len(components) == 4  # one small chart per component
    frame = pd.concat(components)
    december_values = frame[frame["period"] == "2026-12"]
    assert "用户满意度" not in set(december_values["component"])  # not drawn at 0
    assert {"平台反馈率", "回复时效性", "综合指数"} <= set(december_values["component"])

    note = at.expander[0].markdown[0].value
    assert "无评分" in note and "统计中" in note


def test_the_rating_board_of_the_month_in_progress(december):
    at = open_page(app(rp_tab="消费评级榜", period="2026-12"), "ratings")
    assert errors(at) == []
    assert any("统计中（截至12月6日）" in h.value for h in at.subheader)
    row = at.dataframe[0].value.set_index("平台").loc["淘宝"]
    assert row["用户满意度"] == "无评分" and row["评分量"] == 0


def test_the_overview_of_the_month_in_progress(december):
    at = app(period="2026-12")
    assert errors(at) == []
    cards = {m.label: m.value for m in at.metric}
    assert cards["用户满意度（0–10）"] == "无评分"
    captions = " ".join(c.value for c in at.caption)
    assert "2026年12月统计中（截至12月6日）" in captions
    assert "变化与上月同期（11月1日–6日）相比" in captions

    year = app(period="2026")
    (volume,) = [
        f for chart in year.get("vega_lite_chart") for f in chart_frames(chart) if "month" in f
    ]
    december_points = volume[volume["month"] == 12].drop_duplicates(["year"]).set_index("year")
    # both years' December count 1–6 December, and both are drawn as partial
    assert december_points["partial"].astype(bool).all()
    assert december_points.loc["2025", "count"] == sum(
        1 for r in ROWS if "2025-12-01" <= r["submitted_at"][:10] <= "2025-12-06"
    )
    assert ["统计中"] in _dash_legends(year)


def test_a_year_ended_has_nothing_in_progress(december, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 2))
    at = open_page(app(rp="淘宝", period="2026"), "ratings")
    said = " ".join(m.value for m in at.markdown if "评级说明" not in m.value)
    assert "2026年“淘宝”共获得18次消费评级，18次获“建议下单”" in said
    assert "统计中" not in said and _partial_periods(at) == set()
    assert _dash_legends(at) == []


def test_the_report_keeps_zero_and_counts_only_ended_periods(december):
    with session_scope(december) as session:
        now = sector_report(session, Filters(), "综合电商", 2026, today=TODAY)
        later = sector_report(session, Filters(), "综合电商", 2026, today=date(2027, 1, 1))
    (section,) = now.platforms
    assert "共获得15次消费评级" in section.count_sentence
    assert "全年、第四季度、12月统计中（截至12月6日），不计入" in section.count_sentence
    assert "整体消费评级" not in section.count_sentence  # the year is not over
    rows = {row["时间段"]: row for row in section.table}
    assert rows["12月（统计中）"]["用户满意度"] == "0.000"  # the house's convention
    assert now.coverage == "统计范围：2026年1月1日至12月6日（统计中）"

    (ended,) = later.platforms
    assert "共获得18次消费评级" in ended.count_sentence
    assert "统计中" not in ended.count_sentence and later.coverage == ""
    assert ended.count_sentence.endswith("2026年整体消费评级为“建议下单”评级。")
