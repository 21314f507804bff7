"""The dashboard in AppTest: every page renders, numbers equal the CLI's, empty states."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cli.main import main as tousu
from models.demo import generate_demo
from models.rules.dimensions import AGE_GROUPS, REGISTRY
from models.store.db import get_engine
from tests.dashboard_helpers import (
    PAGES,
    app,
    chart_frames,
    errors,
    open_download_menu,
    open_page,
)
from web import exports


@pytest.fixture
def public(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    return sqlite_url


@pytest.fixture
def demo(public):
    generate_demo(get_engine(public), complaints=4000, seed=11)
    return public


def cli_csv(capsys, *argv) -> list[dict]:
    capsys.readouterr()  # drop whatever the app printed before
    assert tousu(list(argv)) == 0
    out = capsys.readouterr().out
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_demo_data(demo, page):
    at = open_page(app(), page)
    assert errors(at) == []
    assert at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_an_empty_state_on_an_empty_database(public, page):
    at = open_page(app(), page)
    assert errors(at) == []
    assert any("没有" in i.value for i in at.info), [i.value for i in at.info]


def test_overview_figures_equal_the_cli(demo, capsys):
    at = app(period="2024")
    rows = cli_csv(capsys, "stats", "--by", "platform", "--year", "2024", "--format", "csv")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["投诉量"] == f"{sum(int(r['count']) for r in rows):,}"
    assert metrics["涉及平台"] == str(len(rows))
    types = cli_csv(capsys, "stats", "--by", "problem_type", "--year", "2024", "--format", "csv")
    (frame,) = chart_frames(at.get("vega_lite_chart")[1])  # problem types (second chart)
    assert list(frame["label"]) == [r["label"] for r in types][:15]
    assert list(frame["percent"]) == [r["percent"] for r in types][:15]


def test_regions_top10_equals_cli(demo, capsys):
    at = open_page(app(period="2024", sector="金融科技"), "regions")
    top = at.dataframe[0].value
    rows = cli_csv(
        capsys,
        "stats",
        "--by",
        "province",
        "--year",
        "2024",
        "--sector",
        "金融科技",
        "--format",
        "csv",
    )
    rows = [r for r in rows if r["label"] != "未知"][:10]
    assert list(top["地区"]) == [r["label"] for r in rows]
    assert list(top["投诉量"]) == [int(r["count"]) for r in rows]


def test_ratings_table_equals_cli(demo, capsys):
    at = open_page(app(period="2024", rp="云集"), "ratings")
    assert errors(at) == []
    table = at.dataframe[0].value
    rows = cli_csv(capsys, "ratings", "--platform", "云集", "--year", "2024", "--format", "csv")
    # the grid holds numbers (percent points, 100.0, drawn as 100.00%; 0.8 drawn as 0.800),
    # and 无评分 where nothing was scored (the CLI, like the reports, writes 0.000)
    shown = [
        {
            **row,
            "平台反馈率": f"{row['平台反馈率']:.2f}%",
            **{k: f"{row[k]:.3f}" for k in ("回复时效性", "综合指数")},
            "用户满意度": "0.000" if scored == 0 else row["用户满意度"],
        }
        for row, scored in zip(
            table[list(rows[0])].to_dict("records"), table["评分量"], strict=True
        )
    ]
    assert shown == rows
    assert all((table["用户满意度"] == "无评分") == (table["评分量"] == 0))
    assert any("云集" in m.value and "次消费评级" in m.value for m in at.markdown)


def test_demographics_gender_equals_cli(demo, capsys):
    at = open_page(app(period="2023"), "demographics")
    rows = cli_csv(capsys, "stats", "--by", "gender", "--year", "2023", "--format", "csv")
    (frame,) = chart_frames(at.get("vega_lite_chart")[0])
    assert frame[["label", "percent"]].to_dict("records") == [
        {"label": r["label"], "percent": r["percent"]} for r in rows
    ]


def test_url_filters_seed_the_sidebar(demo):
    at = app(period="2024Q2", sector=["金融科技"], province=["广东省"])
    assert at.sidebar.multiselect(key="sector").value == ["金融科技"]
    assert at.session_state["f_period"] == "2024Q2"
    assert "2024年第二季度" in at.caption[0].value


def test_bad_url_values_are_ignored(demo):
    at = app(period="2024Q9", sector=["不存在"], province=["火星"])
    assert errors(at) == []
    assert at.sidebar.multiselect(key="sector").value == []


def test_cases_show_masked_names_only(demo):
    at = open_page(app(period="2023", q="小红书"), "cases")
    frame = at.dataframe[0].value
    assert "福建省黄女士" in set(frame["投诉人"])
    assert not any(name in {"黄女士"} for name in frame["投诉人"])


def test_the_sidebar_province_reaches_the_whole_regions_page(demo):
    at = open_page(app(province="广东省", period="all"), "regions")
    assert errors(at) == []
    assert [h.value for h in at.subheader if "·" in h.value] == [
        "广东省 · 问题类型",
        "广东省 · 被投诉平台",
    ]
    assert not [s for s in at.selectbox if "地区" in s.label]  # one province control
    everywhere = open_page(app(period="all"), "regions")
    ranked = everywhere.dataframe[0].value.set_index("地区")
    assert len(ranked) == 10
    # One province is no ranking (a TOP10 of one row at 100 %): its figures, as cards,
    # the same as its row among all provinces.
    assert not at.dataframe
    cards = {m.label: m.value for m in at.metric}
    assert cards["投诉量"] == f"{ranked.loc['广东省', '投诉量']:,} 件"
    assert cards["每千万常住人口投诉量"] == f"{ranked.loc['广东省', '每千万人投诉量']:,.2f} 件"
    assert cards["占全部投诉量"].endswith("%")
    two = open_page(app(province=["广东省", "浙江省"], period="all"), "regions")
    assert list(two.dataframe[0].value["地区"]) == ["广东省", "浙江省"]


def test_the_map_has_a_legend_and_a_png_download_and_follows_the_province(demo):
    at = open_page(app(province="广东省", period="all"), "regions")
    assert errors(at) == []
    legend = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "灰色" in legend["title"]["text"]
    assert not at.get("download_button")  # made only while its menu is open
    at = open_download_menu(at, "rg_all")
    assert errors(at) == []
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:3] == ["下载 CSV", "下载 Excel", "下载图片 PNG"]
    layers = {x["id"]: x for x in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    assert "南海诸岛" in layers["inset_label"]["data"][0]["text"]
    fills = {shape["name"]: shape["fill"] for shape in layers["provinces"]["data"]}
    coloured = {name for name, fill in fills.items() if fill[:3] != [236, 236, 236]}
    assert coloured == {"广东省"}  # the map shows the sidebar's province only


def test_the_current_year_is_the_red_line_and_brackets_keep_their_order(demo):
    at = app(period="2025")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    (volume,) = [
        layer
        for s in specs
        for layer in s.get("layer", [s])[:1]
        if layer.get("encoding", {}).get("x", {}).get("field") == "month"
    ]
    scale = volume["encoding"]["color"]["scale"]
    assert scale["domain"][-1] == "2025" and scale["range"][-1] == "#c8102e"
    assert "#c8102e" not in scale["range"][:-1]

    sorts = []
    charts = [  # every dimension's tab (only the open one is drawn)
        chart
        for tab in (d.label for d in REGISTRY if d.profile)
        for chart in open_page(app(period="all", dg_tab=tab), "demographics").get("vega_lite_chart")
    ]
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        for layer in spec.get("layer", [spec]):
            sort = layer.get("encoding", {}).get("y", {}).get("sort")
            if isinstance(sort, list) and sort not in sorts:
                sorts.append(sort)
    brackets, ages = sorts
    assert brackets[:3] == ["0-100元", "100-500元", "500-1000元"] and brackets[-1] == "未选择"
    assert ages == [a for a in [*AGE_GROUPS, "未知"] if a in ages]


def test_cases_page_says_when_a_period_has_no_typical_cases(demo):
    at = open_page(app(period="2025"), "cases")  # the reports' typical cases are older
    assert errors(at) == []
    assert any("没有工作人员选定的典型案例" in i.value for i in at.info)
    at.button(key="cs_all_time").click().run()  # one click to every period's typical cases
    assert at.radio(key="f_gran").value == "all"
    assert len(at.dataframe[0].value) > 0
    at = open_page(app(period="2025"), "cases")
    at.toggle(key="typical").set_value(False).run()
    assert len(at.dataframe[0].value) > 0


@pytest.mark.parametrize("asked", [2, 7, 10**6])
def test_a_page_past_the_end_shows_the_last_page(demo, asked):
    """A list page past the last (an old link after data changed, a typed number) shows the
    last page and says so, instead of an empty list."""
    first = open_page(app(period="2023", typical="false"), "cases")
    total = int(re.search(r"共 ([\d,]+) 件", _captions(first)).group(1).replace(",", ""))
    last = int(re.search(r"第 1/(\d+) 页", _captions(first)).group(1))
    size = len(first.dataframe[0].value)
    at = open_page(app(period="2023", typical="false", page=str(last + asked)), "cases")
    assert errors(at) == []
    assert f"第 {last}/{last} 页" in _captions(at)
    assert len(at.dataframe[0].value) == total - (last - 1) * size
    assert at.query_params["page"] == str(last)  # the address says the page shown


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


GROUPED = re.compile(r"—|-?\d{1,3}(,\d{3})*(\.\d+)?%?")


def test_every_table_groups_thousands_as_the_cards_do(demo):
    """Counts and decimals in every table of every page read 1,573 and 2,317.41 — as the
    cards above them — whether the grid formats the number or the column (with a gap) is
    text."""
    checked = set()
    for page in PAGES:
        at = open_page(app(period="all"), page)
        for table in at.dataframe:
            config = json.loads(table.proto.columns or "{}")
            for name in table.value.columns:
                column = table.value[name]
                kind = exports.column_kind(str(name), column)
                if kind in ("count", "decimal"):
                    assert "%," in config[name]["type_config"]["format"], (page, name)
                    checked.add(page)
                elif column.dtype == object and str(name).endswith("量"):
                    assert all(GROUPED.fullmatch(str(v)) for v in column), (page, name)
                    checked.add(page)
    assert {"regions", "leaderboard", "ratings"} <= checked


def test_the_problem_type_chart_says_what_it_leaves_out(demo):
    """总览 draws the first 15 problem types: the rest are counted under it, from the read."""
    from dashboard.views.overview import TYPES_DRAWN
    from models.reads.stats import distribution
    from models.rules.filters import Filters
    from models.store.db import session_scope

    with session_scope(get_engine(demo)) as session:
        shares = distribution(session, Filters.for_year(2024), "problem_type")
    assert len(shares) > TYPES_DRAWN  # the demo has more types than the chart draws
    rest = shares[TYPES_DRAWN:]
    at = app(period="2024")
    assert errors(at) == []
    said = [c.value for c in at.caption if "另有" in c.value]
    assert said == [
        f"图中为投诉量前 {TYPES_DRAWN} 的问题类型；另有 {len(rest)} 类合计 "
        f"{sum(s.count for s in rest):,} 件（{sum(s.count for s in rest) * 100 / sum(s.count for s in shares):.2f}%），见下载的表格。"
    ]
