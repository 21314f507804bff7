"""The sidebar filters, mirrored in the URL so that every view is a shareable link.

app.py draws them (:func:`render`) before it runs a dashboard page; the page takes the
selection from :func:`current` and hands its filters to the data door. URL parameters
(declared in :mod:`web.params`): ``sector``, ``platform``, ``province`` and each dimension
the sidebar filters by, under its name (repeatable; the widgets are bound to them),
``period`` (all, 2024, 2024H1, 2024Q3, 2024-07 or custom) with ``from``/``to`` for a
custom range (one parameter for two widgets, so kept by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from models import clock
from models.rules.dimensions import FILTERED
from models.rules.filters import Filters
from models.rules.labels import PROVINCES
from models.rules.months import first_day, year_of
from models.rules.periods import (
    EARLIEST_DAY,
    LATEST_DAY,
    Comparison,
    Period,
    compare_period,
    compare_range,
    parse_code,
)
from web import data, params

GRANULARITIES = {
    "all": "全部",
    "year": "年",
    "half": "上半年",
    "quarter": "季度",
    "month": "月",
    "custom": "自定义",
}


@dataclass(frozen=True)
class Selection:
    """What the sidebar selects: filters plus the named period, if any."""

    filters: Filters
    period: Period | None
    granularity: str

    @property
    def title(self) -> str:
        if self.period is not None:
            return self.period.title
        f = self.filters
        if f.date_from or f.date_to:
            return f"{f.date_from or '最早'} 至 {f.date_to or '最新'}"
        return "全部时间"

    def comparison(self) -> Comparison | None:
        """The days the selection counts and the days it is compared with, as of today
        (:func:`models.rules.periods.compare_period`: a period in progress against the same
        days of the one before); None for 全部时间 and open-ended ranges."""
        f = self.filters
        if self.period is not None:
            return compare_period(self.period, clock.today())
        if f.date_from and f.date_to:
            return compare_range(f.date_from, f.date_to, clock.today())
        return None

    def elapsed(self) -> Filters:
        """The filters over the days compared: a period in progress up to today."""
        c = self.comparison()
        return (
            self.filters if c is None else self.filters.with_dates(c.current.first, c.current.last)
        )

    def previous(self) -> Filters | None:
        """The same filters over the days compared with; None for 全部时间, and when the
        viewer may not see those days (a share link's dates)."""
        c = self.comparison()
        if c is None:
            return None
        return data.comparable(self.filters.with_dates(c.previous.first, c.previous.last))


def periods_between(first: int, last: int, kind: str) -> list[Period]:
    """Periods of ``kind`` touching the months ``first``..``last`` (YYYYMM), newest first."""
    out: list[Period] = []
    for year in range(year_of(last), year_of(first) - 1, -1):
        if kind == "year":
            candidates = [Period(year, "year", 1)]
        elif kind == "half":
            candidates = [Period(year, "half", 1)]
        elif kind == "quarter":
            candidates = [Period(year, "quarter", q) for q in (4, 3, 2, 1)]
        else:
            candidates = [Period(year, "month", m) for m in range(12, 0, -1)]
        out += [p for p in candidates if p.yyyymm[0] <= last and p.yyyymm[-1] >= first]
    return out


def _init_from_url(span: tuple[int, int] | None) -> None:
    """Seed the time widgets from the URL once per browser session (bad values ignored)."""
    if st.session_state.get("f_loaded"):
        return
    code = params.get(params.PERIOD)
    period = parse_code(code) if code else None
    if code == "all":
        st.session_state["f_gran"] = "all"
    elif code == "custom":
        st.session_state["f_gran"] = "custom"
        for key, param in (("f_from", params.DATE_FROM), ("f_to", params.DATE_TO)):
            if (day := params.get(param)) is not None:
                st.session_state[key] = day
    elif period is not None:
        st.session_state["f_gran"] = period.kind
        st.session_state["f_period"] = period.code
    elif span is not None:  # no period in the URL: the latest year with data
        st.session_state["f_gran"] = "year"
        st.session_state["f_period"] = str(year_of(span[1]))
    else:
        st.session_state["f_gran"] = "all"
    st.session_state["f_loaded"] = True


def _time_widgets(
    span: tuple[int, int] | None,
) -> tuple[str, Period | None, date | None, date | None]:
    """时间: all, a named period (year, half, quarter, month) or a custom date range."""
    granularity = (
        st.segmented_control(
            "时间",
            list(GRANULARITIES),
            format_func=GRANULARITIES.get,
            key="f_gran",
            required=True,
        )
        or "all"
    )
    period: Period | None = None
    date_from = date_to = None
    if granularity == "custom":
        first = max(first_day(span[0]), EARLIEST_DAY) if span else date(2023, 1, 1)
        st.session_state.setdefault("f_from", first)
        st.session_state.setdefault("f_to", date.today())
        # The days a link may name (web/params.py), so that any the URL gave is shown.
        days = {"min_value": EARLIEST_DAY, "max_value": LATEST_DAY, "format": "YYYY-MM-DD"}
        date_from = st.date_input("开始日期", key="f_from", **days)
        date_to = st.date_input("结束日期", key="f_to", **days)
        if date_from and date_to and date_from > date_to:
            st.warning("开始日期晚于结束日期")
    elif granularity != "all":
        options = periods_between(*span, granularity) if span else []
        codes = [p.code for p in options]
        if st.session_state.get("f_period") not in codes:
            st.session_state["f_period"] = codes[0] if codes else None
        code = st.selectbox(
            "期间",
            codes,
            key="f_period",
            placeholder="选择期间",
            format_func=lambda c: (parse_code(c) or Period(2000, "year", 1)).title,
        )
        period = parse_code(code) if code else None
        if period is not None:
            date_from, date_to = period.first_day, period.last_day
    return granularity, period, date_from, date_to


def render(platforms: bool = True) -> Selection:
    """Draw the filters in the sidebar, keep them in the URL, return the selection.

    Without ``platforms`` (a page with its own platform picker, so one control, not two)
    投诉平台 is not drawn, and its choice is kept for the pages that use it.
    """
    everything = Filters(statuses=None)
    known = data.platforms(everything)
    span = data.data_span(Filters())
    sectors = sorted({p.sector for p in known})
    _init_from_url(span)
    if "f_province_next" in st.session_state:  # chosen on the map in the run before
        st.session_state["province"] = st.session_state.pop("f_province_next")

    with st.sidebar:
        st.markdown("### 筛选")
        chosen_sectors = st.multiselect(
            "赛道", sectors, key="sector", placeholder="全部赛道", bind="query-params"
        )
        chosen_platforms = _platforms(known, chosen_sectors) if platforms else []
        if not platforms:
            st.caption("投诉平台在本页中选择。")
        if not platforms and "platform" in st.session_state:
            # Kept across this run: a widget not drawn loses its value otherwise.
            st.session_state["platform"] = st.session_state["platform"]
        granularity, period, date_from, date_to = _time_widgets(span)
        chosen_provinces = st.multiselect(
            "投诉地区", list(PROVINCES), key="province", placeholder="全部地区", bind="query-params"
        )
        chosen = {
            d.name: st.multiselect(
                d.label, list(d.order), key=d.name, placeholder="全部", bind="query-params"
            )
            for d in FILTERED
        }

    custom = granularity == "custom"
    params.put(params.PERIOD, "custom" if custom else period.code if period else "all")
    params.put(params.DATE_FROM, date_from.isoformat() if custom and date_from else None)
    params.put(params.DATE_TO, date_to.isoformat() if custom and date_to else None)

    filters = Filters(
        sectors=tuple(chosen_sectors) or None,
        platforms=tuple(chosen_platforms) or None,
        provinces=tuple(chosen_provinces) or None,
        date_from=date_from,
        date_to=date_to,
    )
    for name, labels in chosen.items():
        filters = filters.choose(name, tuple(labels) or None)
    selection = Selection(filters, period, granularity)
    st.session_state["selection"] = selection
    return selection


def _platforms(known, sectors: list[str]) -> list[str]:
    options = [p.name for p in known if not sectors or p.sector in sectors]
    return st.multiselect(
        "投诉平台", options, key="platform", placeholder="全部平台", bind="query-params"
    )


def current() -> Selection:
    """The selection app.py drew for this run.

    Pages are scripts that Streamlit runs with ``exec`` and no arguments, and only the
    entry point's widgets live across page switches (a page's own widgets are new on
    every page); so app.py draws the sidebar and the page picks its result up here.
    """
    return st.session_state.get("selection") or Selection(Filters(), None, "all")


def show_all_time() -> None:
    """Make the sidebar's 时间 全部 (a button's callback: runs before the next run)."""
    st.session_state["f_gran"] = "all"


def choose_provinces(provinces: list[str]) -> None:
    """Make ``provinces`` the sidebar's 投诉地区 (a click on the map) and run the page again.

    The sidebar's widget is already drawn in this run, so the choice waits in session
    state and is applied before the widget is drawn in the next run.
    """
    st.session_state["f_province_next"] = provinces
    st.rerun()
