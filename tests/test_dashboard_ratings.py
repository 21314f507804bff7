"""平台评级 in AppTest: unrated platforms off the index axis, samples beside every rating,
a meaningful platform to open on, the tab in the URL."""

from __future__ import annotations

import math

import pytest

from dashboard.views.ratings import summary_sentence
from models import clock
from models.demo import generate_demo
from models.reads import ratings
from models.reads.overview import data_span
from models.reads.platforms import platforms_in
from models.reads.ratings import range_ratings
from models.reads.report import sector_report
from models.rules.filters import Filters
from models.rules.months import year_of
from models.settings import get_settings
from models.store.db import get_engine, session_scope
from tests.dashboard_helpers import app, chart_frames, errors, open_page
from web.markup import literal


@pytest.fixture
def demo(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    generate_demo(get_engine(sqlite_url), complaints=4000, seed=11)
    return sqlite_url


def _ratings(url):
    with session_scope(get_engine(url)) as session:
        return range_ratings(session)


def _composites(at) -> list[float]:
    """Every composite value any chart on the page carries."""
    values = []
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if "composite" in frame:
                values += list(frame["composite"])
    return values


def test_the_page_opens_on_the_largest_rated_platform(demo):
    rated = [r for r in _ratings(demo) if r.rated]
    largest = max(rated, key=lambda r: r.inputs.complaints)
    at = open_page(app(), "ratings")
    assert errors(at) == []
    assert at.selectbox(key="rp").value == largest.platform
    compare = open_page(app(rp_tab="平台对比"), "ratings")
    chosen = compare.multiselect(key="cmp").value
    assert chosen[0] == largest.platform and len(chosen) == 3
    assert {r.sector for r in rated if r.platform in chosen} == {largest.sector}


def test_an_unrated_platform_is_never_drawn_on_the_index_axis(demo):
    unrated = next(r.platform for r in _ratings(demo) if not r.rated)
    at = open_page(app(rp=unrated, period="all"), "ratings")
    assert errors(at) == []
    assert any("不予评级" in i.value for i in at.info)
    assert _composites(at) == []  # no timeline point at all, not one at 0
    assert any(m.label == "综合指数" and m.value == "不予评级" for m in at.metric)

    board = open_page(app(rp_tab="消费评级榜", period="all"), "ratings").dataframe[0].value
    row = board[board["平台"] == unrated].iloc[0]
    assert row["评级"] == "不予评级" and math.isnan(row["综合指数"])
    assert board["投诉量"].dtype.kind == "i" and board["回复时效性"].dtype.kind == "f"

    both = open_page(app(rp_tab="平台对比", cmp=[unrated, "淘宝"], period="all"), "ratings")
    (frame,) = [f for c in both.get("vega_lite_chart") for f in chart_frames(c) if "platform" in f]
    assert set(frame["platform"]) == {"淘宝"}
    assert any(unrated in c.value and "未在指数轴上绘制" in c.value for c in both.caption)


def test_every_rating_shows_its_sample_and_few_complaints_are_flagged(demo, monkeypatch):
    at = open_page(app(rp="淘宝", period="2024"), "ratings")
    assert [m.label for m in at.metric] == ["平台反馈率", "回复时效性", "用户满意度", "综合指数"]
    assert any(c.value.startswith("依据投诉") and "已评分" in c.value for c in at.caption)
    assert not any("样本较少" in m.value for m in at.markdown if m.value.startswith("####"))
    table = at.dataframe[0].value
    assert {"投诉量", "回复量", "评分量", "样本"} <= set(table.columns)
    assert "评级说明" in at.expander[0].label

    monkeypatch.setenv("TOUSU_RATING_MIN_COMPLAINTS", "100000")
    few = open_page(app(rp="淘宝", period="2024"), "ratings")
    assert any("样本较少" in m.value for m in few.markdown if m.value.startswith("####"))
    assert set(few.dataframe[0].value["样本"]) == {"样本较少"}
    assert "100000" in few.expander[0].markdown[0].value


def test_the_tab_is_kept_in_the_url(demo):
    at = open_page(app(rp_tab="消费评级榜"), "ratings")
    assert errors(at) == []
    assert at.query_params["rp_tab"] in ("消费评级榜", ["消费评级榜"])
    assert "评级" in at.dataframe[0].value.columns and "平台" in at.dataframe[0].value.columns
    assert [s for s in at.selectbox if s.key == "rp"] == []  # only the open tab runs


def test_one_platform_control_and_the_sidebar_choice_kept_for_other_pages(demo):
    at = app(platform="淘宝")
    assert at.multiselect(key="platform").value == ["淘宝"]
    open_page(at, "ratings")
    assert errors(at) == []
    assert "platform" not in [w.key for w in at.sidebar.multiselect]  # the page picks itself
    assert at.selectbox(key="rp").value  # …with its own control
    at.switch_page("views/overview.py")
    at.run()
    assert at.multiselect(key="platform").value == ["淘宝"]


def test_the_page_says_the_reports_ratings_sentence(demo):
    """Every report section's 共获得N次消费评级 is what 平台评级 says for that platform and
    year (the current year has periods in progress: named, not counted)."""
    today = clock.today()
    data_org = get_settings().report_data_org
    with session_scope(get_engine(demo)) as session:
        first, last = data_span(session)
        sectors = sorted({p.sector for p in platforms_in(session, Filters())})
        sections = [
            (year, section)
            for year in range(year_of(first), year_of(last) + 1)
            for sector in sectors
            for section in sector_report(
                session, Filters(), sector, year, data_org=data_org, today=today
            ).platforms
        ]
        for year, section in sections:
            year_ratings = ratings.year_ratings(session, Filters(), section.platform, year)
            said = summary_sentence(section.platform, year, year_ratings, today)
            assert said == section.count_sentence
    assert any("不计入" in s.count_sentence for _y, s in sections)
    assert any("整体消费评级" in s.count_sentence for _y, s in sections)
    for year, section in (sections[0], sections[-1]):  # the page itself, both ends
        at = open_page(app(rp=section.platform, period=str(year)), "ratings")
        assert errors(at) == []
        assert f"**{literal(section.count_sentence)}**" in [m.value for m in at.markdown]


@pytest.mark.parametrize(
    ("query", "year", "heading"),
    [
        ({"period": "2024Q3"}, 2024, "2024年第三季度评级"),
        ({"period": "2024-07"}, 2024, "2024年7月评级"),
        ({"period": "2024H1"}, 2024, "2024年上半年评级"),
        ({"period": "2024"}, 2024, "2024年评级"),
        ({"period": "custom", "from": "2024-03-15", "to": "2024-06-20"}, 2024, "2024年评级"),
    ],
)
def test_one_platform_opens_on_the_sidebars_platform_year_and_period(demo, query, year, heading):
    """单个平台 opens on what the other pages chose: the sidebar's platform, the year of
    its period or date range, and that period's rating when the year rates it."""
    rated = [r.platform for r in _ratings(demo) if r.rated]
    second = rated[1]  # not the page's own first choice
    at = open_page(app(platform=second, **query), "ratings")
    assert errors(at) == []
    assert at.selectbox(key="rp").value == second
    assert at.selectbox(key=f"rp_year_{second}").value == year
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings and headings[0].startswith(f"#### {heading}："), headings
