"""Every figure's download as a person opens it: Chinese headers, numbers as numbers with
Excel number formats, names that say the period and the filters, and the whole case list
(capped, masked as on screen).

The pages run in AppTest against a real demo database; each download the page offers is
recorded (``widgets.DOWNLOAD_LOG``) and built exactly as a click would build it.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.demo import generate_demo
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from tests.dashboard_helpers import APP, errors
from tests.factories import add_complaints
from web import data, exports, widgets

PERCENT_TEXT = re.compile(r"^-?\d+(\.\d+)?%$")
# (page, URL parameters): every page that offers downloads, every rating tab
VIEWS = [
    ("overview", {"period": "2024"}),
    ("regions", {"period": "2024"}),
    ("regions", {"period": "2024", "province": "广东省", "sector": "金融科技"}),
    ("demographics", {"period": "2024H1"}),
    ("ratings", {"period": "2024", "rp": "淘宝"}),
    ("ratings", {"period": "2024", "rp_tab": "消费评级榜"}),
    ("ratings", {"period": "2024", "rp_tab": "平台对比", "cmp": ["淘宝", "京东"]}),
    ("leaderboard", {"period": "2024Q3"}),
    ("cases", {"period": "2024", "typical": "false"}),
]

# Personal data typed into complaints: it must never reach a reader's download.
TYPED = [
    {
        "platform": "分期乐",
        "submitted_at": f"2024-03-{d:02d} 10:00",
        "province": "广东省",
        "gender": "女",
        "complainant": f"黄丽华{d}",
        "phone": f"138001380{d:02d}",
        "title": f"黄丽华{d}投诉分期乐核对导出，回电138001380{d:02d}",
        "content": f"我是黄丽华{d}，手机138001380{d:02d}。",
        "transferred_at": f"2024-03-{d:02d} 12:00",
    }
    for d in range(1, 29)
]


@pytest.fixture
def demo(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    engine = get_engine(sqlite_url)
    generate_demo(engine, complaints=3000, seed=5)
    add_complaints(engine, TYPED)
    return engine


def offered(page: str, **query) -> tuple[AppTest, list[tuple[exports.Names, pd.DataFrame]]]:
    """Run ``page`` as an anonymous reader; the downloads it offers, built as when clicked."""
    import streamlit as st

    st.cache_data.clear()
    data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.session_state[widgets.DOWNLOAD_LOG] = []
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.session_state[widgets.DOWNLOAD_LOG] = []  # only this page's downloads
        at.run()
    assert errors(at) == []
    log = at.session_state[widgets.DOWNLOAD_LOG]
    return at, [(names, frame() if callable(frame) else frame) for names, frame in log]


def check_frame(names: exports.Names, frame: pd.DataFrame) -> None:
    """Chinese headers; no number written as text; shares as fractions."""
    for name in map(str, frame.columns):
        assert not re.search("[A-Za-z]", name), (names.file, name)
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            text = [v for v in column if isinstance(v, str)]
            assert not any(PERCENT_TEXT.match(v) for v in text), (names.file, name)
            assert not any(isinstance(v, float | int) for v in column), (names.file, name)
        if name in exports.PERCENT_COLUMNS:
            assert column.dtype.kind == "f" and column.dropna().between(0, 1).all(), name


def check_xlsx(names: exports.Names, frame: pd.DataFrame) -> None:
    """Numeric cells are numbers with the column's number format."""
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, names.sheet))).active
    assert sheet.title == names.sheet
    headers = [c.value for c in sheet[1]]
    assert headers == [str(c) for c in frame.columns]
    expected = {
        "占比": "0.00%",
        "平台反馈率": "0.00%",
        "综合指数": "0.000",
        "回复时效性": "0.000",
        "用户满意度": "0.000",
        "投诉量": "#,##0",
        "编号": "0",  # an id or a rank reads 2024, not 2,024
        "排名": "0",
    }
    for c, header in enumerate(headers, start=1):
        cells = [row[c - 1] for row in sheet.iter_rows(min_row=2) if row[c - 1].value is not None]
        if header in expected:
            assert cells, (names.file, header)
            assert {cell.data_type for cell in cells} == {"n"}, (names.file, header)
            assert {cell.number_format for cell in cells} == {expected[header]}, header
        if expected.get(header) == "0.00%":  # 0.9167, not 0.9167000000000001
            assert all(cell.value == round(cell.value, 4) for cell in cells), header
        if header == "投诉时间":
            assert all(cell.is_date for cell in cells)


def check_csv(frame: pd.DataFrame) -> None:
    """Shares as percent numbers under 占比（%）, to two decimals; counts as whole numbers."""
    rows = list(csv.DictReader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    for name in frame.columns:
        if name in exports.PERCENT_COLUMNS:
            values = [r[f"{name}（%）"] for r in rows if r[f"{name}（%）"]]
            assert values and all(re.fullmatch(r"\d{1,3}(\.\d{1,2})?", v) for v in values)
        elif name in ("投诉量", "排名"):
            assert all(re.fullmatch(r"\d+", r[name]) for r in rows if r[name]), name
        elif name in exports.INDEX_COLUMNS:
            assert all(re.fullmatch(r"\d{1,2}(\.\d{1,3})?", r[name]) for r in rows if r[name]), name


@pytest.mark.parametrize(("page", "query"), VIEWS)
def test_every_download_has_chinese_headers_numbers_and_the_period(demo, page, query):
    _at, downloads = offered(page, **query)
    assert downloads, page
    for names, frame in downloads:
        assert not frame.empty, names
        check_frame(names, frame)
        check_xlsx(names, frame)
        check_csv(frame)
        # parts joined by one "_": 广东省_问题类型, never 广东省_·_问题类型
        assert not re.search(r"_[·・•]|[·・•]_|__", names.file), names
        period = {"2024": "2024年", "2024H1": "2024年上半年", "2024Q3": "2024年第三季度"}
        assert period[query["period"]] in names.file, names
        assert names.sheet.startswith(period[query["period"]]) or (
            period[query["period"]] in names.sheet
        ), names
        for chosen in ("广东省", "金融科技"):
            if chosen in query.values():
                assert chosen in names.file, names


def test_a_distribution_downloads_as_the_reports_write_it(demo):
    _at, downloads = offered("overview", period="2024")
    (names, frame) = next((n, f) for n, f in downloads if "问题类型" in n.file)
    assert names.file == "投诉问题类型分布_2024年"
    assert list(frame.columns) == ["问题类型", "投诉量", "占比"]
    text = exports.csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[0] == '"问题类型","投诉量","占比（%）"'
    top = frame.iloc[0]
    assert re.fullmatch(rf'"{top["问题类型"]}",\d+,\d+\.\d+', text[1]) or text[1].endswith(
        f",{round(top['占比'] * 100, 2):g}"
    )
    cell = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, names.sheet))).active["C2"]
    assert cell.data_type == "n" and cell.number_format == "0.00%"
    assert abs(cell.value - top["占比"]) < 1e-9 and round(cell.value, 4) == cell.value
    (volume,) = [f for n, f in downloads if "月度" in n.file]
    assert list(volume.columns) == ["年份", "月份", "投诉量"]
    assert set(volume["年份"]) == {2023, 2024}
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(volume))).active
    assert (sheet["A2"].value, sheet["A2"].number_format) == (2023, "0")  # not 2,023


def _matching(engine, **where) -> int:
    from models.reads.cases import search_cases
    from models.rules.filters import Filters

    with session_scope(engine) as session:
        return search_cases(session, Filters.for_year(2024), limit=1, **where)[1]


def test_the_case_list_downloads_every_matching_case_masked(demo):
    at, downloads = offered("cases", period="2024", typical="false")
    ((names, frame),) = downloads
    total = _matching(demo)
    assert 50 < total == len(frame)  # every matching case, not the page of 50
    assert names.file == "投诉列表_2024年"
    assert any(f"下载包含全部 {total:,} 件" in c.value for c in at.caption)
    assert frame["编号"].is_unique
    with session_scope(demo) as session:
        raw = {
            name: phone
            for name, phone in session.execute(
                select(Complaint.complainant, Complaint.phone).where(
                    Complaint.id.in_([int(i) for i in frame["编号"]])
                )
            )
        }
    everything = exports.csv_bytes(frame).decode("utf-8-sig") + "\n".join(
        str(v)
        for row in load_workbook(io.BytesIO(exports.xlsx_bytes(frame))).active.iter_rows(
            values_only=True
        )
        for v in row
    )
    leaked = [
        secret
        for name, phone in raw.items()
        for secret in (name, phone)
        if secret and len(secret) > 3 and secret in everything  # 黄丽华1, 13800138001
    ]
    assert leaked == []
    typed = frame[frame["标题"].str.contains("核对导出")]
    assert len(typed) == len(TYPED) and set(typed["投诉人"]) == {"广东省黄女士"}
    assert all("[电话已隐去]" in t and "黄女士" in t for t in typed["标题"])


def test_the_case_download_is_capped_and_says_so(demo, monkeypatch):
    monkeypatch.setenv("TOUSU_EXPORT_MAX_ROWS", "40")
    at, downloads = offered("cases", period="2024", typical="false", q="核对导出")
    ((_names, frame),) = downloads
    assert _matching(demo, text="核对导出") == len(TYPED) == 28 and len(frame) == 28
    at, downloads = offered("cases", period="2024", typical="false")
    ((_names, frame),) = downloads
    assert len(frame) == 40
    assert frame["投诉时间"].is_monotonic_decreasing  # the newest 40
    assert any("下载最多包含 40 件" in c.value for c in at.caption), [c.value for c in at.caption]


def test_names_carry_period_and_filters_and_stay_safe():
    from datetime import date

    from models.rules.filters import Filters
    from models.rules.periods import parse_code

    quarter = parse_code("2024Q3")
    filters = Filters(
        sectors=("金融科技",),
        provinces=("广东省", "广西壮族自治区", "海南省", "福建省"),
        date_from=quarter.first_day,
        date_to=quarter.last_day,
    )
    scope = filters.parts(quarter)
    assert scope == ["2024年第三季度", "金融科技", "广东省等4个地区"]
    # dates other than the period's own (a share link's) are said as dates
    assert filters.with_dates(date(2024, 8, 1), None).parts(quarter)[0] == "2024-08-01 至 最新"
    names = exports.labelled("投诉问题类型分布", scope)
    assert names.file == "投诉问题类型分布_2024年第三季度_金融科技_广东省等4个地区"
    assert names.sheet.startswith("2024年第三季度 金融科技") and len(names.sheet) <= 31
    # a title that already says the period does not repeat it
    assert exports.labelled("2024年 总榜投诉榜", ["2024年"]).file == "2024年_总榜投诉榜"
    custom = exports.labelled("投诉列表", ["2024-01-01 至 2024-06-30", "a/b:c"])
    assert custom.file == "投诉列表_2024-01-01_至_2024-06-30_a_b_c"
    assert not set(custom.sheet) & set(":\\/?*[]")
