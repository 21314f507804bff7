"""Any address opens its page: every query parameter declared in web/params.py, given
hostile values on every page that reads it, through AppTest — the page draws its title,
and no exception. Also: no page reads st.query_params but through web/params.py, and
each parser takes any text without raising."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from dashboard.pages import PUBLIC_DASHBOARDS
from models.demo import generate_demo
from models.rules.search import LIMIT_NOTE, MAX_WORDS
from models.store.db import dispose_engines, get_engine
from tests.conftest import _reset_postgres
from tests.dashboard_helpers import APP
from web import data, outage, params

ROOT = Path(__file__).resolve().parent.parent
# The board is public: the dashboards a visitor reaches (预警 is for accounts that may).
TITLES = {spec.path: spec.title for spec in PUBLIC_DASHBOARDS}
WITH_SIDEBAR = {spec.title for spec in PUBLIC_DASHBOARDS if spec.sidebar}
HOSTILE: dict[str, str | list[str]] = {
    "huge": str(10**30),
    "negative": "-1",
    "zero": "0",
    "nan": "NaN",
    "inf": "-inf",
    "empty": "",
    "100k digits": "9" * 100_000,
    "100 KB of words": " ".join(f"词{i}" for i in range(14_000)),
    "unicode": "\u202e\x00😀\u200f عربي ２０２４\t\n",
    "markup": "<script>alert(1)</script>![x](http://evil.test/x.png)",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "repeated": ["2024", "-1", "x"],
    "500 values": [f"v{i}" for i in range(500)],
}


def pages_reading(param: params.Param) -> list[str]:
    """The URL paths of the dashboard pages ``param`` reaches."""
    if param.read_by == params.EVERY_PAGE:
        return list(TITLES)
    if param.read_by == params.SIDEBAR:
        return [path for path, title in TITLES.items() if title in WITH_SIDEBAR]
    assert param.read_by in TITLES, param.read_by
    return [param.read_by]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def board(request, tmp_path_factory, sqlite_template):
    """One small demo database per backend, public dashboards, for the whole sweep."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("params") / "tousu.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    generate_demo(get_engine(url), complaints=300, seed=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOUSU_DATABASE_URL", url)
        mp.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
        st.cache_data.clear()
        data.clear()
        outage._prepared.clear()
        yield url
    dispose_engines()


_components: list = []  # Streamlit's component registry, found once (not on each run)


def open_with(page: str, query: dict) -> AppTest:
    """``/page?query`` opened straight away, as from a link."""
    at = AppTest.from_file(APP, default_timeout=60)
    if _components:  # each AppTest scans every installed package's metadata otherwise
        at._bidi_component_manager = _components[0]
    for key, value in query.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    at.run()
    _components[:] = [at._bidi_component_manager]
    return at


@pytest.mark.parametrize("name", list(params.PARAMS))
def test_every_parameter_takes_hostile_values_on_every_page_it_reaches(board, name):
    param = params.PARAMS[name]
    failures = []
    for page in pages_reading(param):
        for label, value in HOSTILE.items():
            at = open_with(page, {**param.context, name: value})
            titles = [t.value for t in at.title]
            expected = "链接无效或已过期" if name == "share" and value else TITLES[page]
            shown = [e.message for e in at.exception] + [
                e.value for e in at.error if "Traceback" in e.value
            ]
            if shown or titles[:1] != [expected]:
                failures.append((page, label, titles[:1], [s[:200] for s in shown]))
    assert failures == []


def test_the_search_box_says_its_limit_and_what_it_left_out(board):
    at = open_with("cases", {"q": " ".join(f"词{i}" for i in range(MAX_WORDS + 5))})
    assert LIMIT_NOTE in at.text_input(key="q").proto.placeholder
    assert any(LIMIT_NOTE in c.value and "没有用于搜索" in c.value for c in at.caption)
    captions = open_with("cases", {"q": "退款 退款 客服"}).caption
    assert not [c for c in captions if "没有用于搜索" in c.value]


def bound_params(at: AppTest) -> set[str]:
    """The query parameters Streamlit bound widgets to in this run (a private field of
    Streamlit 1.67, the version pyproject pins)."""
    return set(at.session_state._state._state.query_params._bindings_by_param)


def test_every_parameter_a_page_reads_is_declared(board):
    """Widgets bound to the URL on every page (with each parameter's context, so that
    widgets drawn only then are seen) are the declared bound parameters; and no page,
    widget or helper touches st.query_params but web/params.py."""
    contexts = [{}, *(p.context for p in params.PARAMS.values() if p.context)]
    seen = set()
    for page in TITLES:
        for context in contexts:
            seen |= bound_params(open_with(page, context))
    assert seen == {name for name, p in params.PARAMS.items() if p.bound}
    sources = [p for d in ("dashboard", "admin", "web") for p in (ROOT / d).rglob("*.py")]
    raw = [str(p.relative_to(ROOT)) for p in sources if "st.query_params" in p.read_text("utf-8")]
    assert raw == ["web/params.py"]


@given(hs.text(max_size=300))
def test_parsers_take_any_text(raw):
    for param in params.PARAMS.values():
        value = param.parse(raw)
        if value is None:
            continue
        if isinstance(value, str):
            assert len(value) <= params.MAX_TEXT and "\x00" not in value
        elif isinstance(value, int):
            assert value >= 1
        elif isinstance(value, date):
            assert value.year >= 2000
