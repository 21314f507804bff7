"""The sidebar filters, mirrored in the URL so that every view is a shareable link.

app.py draws them (:func:`render`) before it runs a dashboard page, or only writes them
to the URL (:func:`keep`) on a dashboard page without them; the page takes the selection
from :func:`current` and hands its filters to the data door. URL parameters (declared and
parsed in :mod:`web.params`): ``sector``, ``platform``, ``province`` and each dimension the
sidebar filters by, under its name (repeatable), ``period`` (all, 2024, 2024H1, 2024Q3,
2024-07 or custom) with ``from``/``to`` for a custom range.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import streamlit as st

from models import clock
from models.rules.dimensions import FILTERED
from models.rules.filters import Filters, name_list
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
from web.viewer import current_viewer

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
    #: On a page that picks its own platform: the platforms chosen on the other pages.
    other_pages_platforms: tuple[str, ...] = ()

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


def periods_offered(span: tuple[int, int] | None, kind: str, scope: Filters) -> list[Period]:
    """The periods of ``kind`` the sidebar offers: with data (``span``), and wholly inside
    the viewer's dates — a share link for March–May offers its months, not 2024年 (whose
    title would claim a year the link does not show). Newest first."""
    return list(_offered(span, kind, scope))


@functools.lru_cache(maxsize=1024)  # the same few spans and scopes on every run
def _offered(span: tuple[int, int] | None, kind: str, scope: Filters) -> tuple[Period, ...]:
    if span is None:
        return ()
    return tuple(
        p
        for p in periods_between(*span, kind)
        if (scope.date_from is None or p.first_day >= scope.date_from)
        and (scope.date_to is None or p.last_day <= scope.date_to)
    )


def _granularities(span: tuple[int, int] | None, scope: Filters) -> list[str]:
    """全部 and 自定义, and each kind of period the viewer has one of."""
    return [g for g in GRANULARITIES if g in ("all", "custom") or periods_offered(span, g, scope)]


#: The filters as URL parameters: the one copy that outlives every page. Streamlit drops a
#: widget's state in a run that does not draw it (报告 has no sidebar, 平台评级 no 投诉平台),
#: so the widgets are seeded from here whenever they come back, and every dashboard page
#: writes it to the URL, sidebar drawn or not: switching pages never loses a filter.
STATE = "f_params"
#: The repeatable filters, each also the key of its widget.
LISTS = (params.SECTOR, params.PLATFORM, params.PROVINCE, *params.CHOICES)
TIME = (params.PERIOD, params.DATE_FROM, params.DATE_TO)
#: True while the period is the sidebar's own choice: none in the URL, none picked since.
DEFAULT = "f_default"


def _params() -> dict[str, str | list[str] | None]:
    """The filters kept for this browser session; taken from the URL on its first run."""
    if STATE not in st.session_state:
        kept: dict[str, str | list[str] | None] = {p.name: params.get_all(p) for p in LISTS}
        for p in TIME:
            value = params.get(p)
            kept[p.name] = value.isoformat() if isinstance(value, date) else value or None
        st.session_state[STATE] = kept
        st.session_state[DEFAULT] = not kept[params.PERIOD.name]
    return st.session_state[STATE]


def _write_url(kept: dict) -> None:
    for p in (*LISTS, *TIME):
        params.put(p, kept.get(p.name))


def keep() -> None:
    """On a dashboard page without the sidebar: the URL still holds every filter."""
    _write_url(_params())


def _seed(kept: dict, span: tuple[int, int] | None, allowed: dict, scope: Filters) -> None:
    """Give each filter widget that is not on screen its kept value (bad values ignored)."""
    for name, options in allowed.items():
        if name not in st.session_state:
            st.session_state[name] = [v for v in kept.get(name) or [] if v in options]
    if "f_gran" in st.session_state:
        return
    code = kept.get(params.PERIOD.name) or ""
    period = parse_code(code) if code else None
    if code == "all":
        st.session_state["f_gran"] = "all"
    elif code == "custom":
        st.session_state["f_gran"] = "custom"
        for key, p in (("f_from", params.DATE_FROM), ("f_to", params.DATE_TO)):
            if (day := params.day(kept.get(p.name) or "")) is not None:
                st.session_state[key] = day
    elif period is not None:
        st.session_state["f_gran"] = period.kind
        st.session_state["f_period"] = period.code
    elif years := periods_offered(span, "year", scope):  # no period given: the latest year
        st.session_state["f_gran"] = "year"
        st.session_state["f_period"] = years[0].code
    else:  # nothing, or a share link shorter than a year: all it shows
        st.session_state["f_gran"] = "all"


def _time_widgets(
    span: tuple[int, int] | None, scope: Filters
) -> tuple[str, Period | None, date | None, date | None]:
    """时间: all, a named period (year, half, quarter, month) or a custom date range, each
    within the viewer's dates."""
    kinds = _granularities(span, scope)
    if st.session_state.get("f_gran") not in kinds:
        st.session_state["f_gran"] = "all"
    # A row of radio buttons, not a segmented control: the same choices, but a segmented
    # control looks every option's label up in Streamlit's emoji table on every run (50 µs
    # a Chinese label on an idle machine; 6% of the server's time at capacity).
    granularity = (
        st.radio(
            "时间",
            kinds,
            format_func=GRANULARITIES.get,
            key="f_gran",
            on_change=_picked,
            horizontal=True,
        )
        or "all"
    )
    period: Period | None = None
    date_from = date_to = None
    if granularity == "custom":
        # The days a link may name (web/params.py), within the viewer's own dates.
        lowest = max(scope.date_from or EARLIEST_DAY, EARLIEST_DAY)
        highest = min(scope.date_to or LATEST_DAY, LATEST_DAY)
        st.session_state.setdefault("f_from", max(first_day(span[0]), lowest) if span else lowest)
        st.session_state.setdefault("f_to", min(clock.today(), highest))
        for key in ("f_from", "f_to"):  # a date widget refuses a value outside its bounds
            chosen = st.session_state[key]
            if isinstance(chosen, date):
                st.session_state[key] = min(max(chosen, lowest), highest)
        days = {"min_value": lowest, "max_value": highest, "format": "YYYY-MM-DD"}
        date_from = st.date_input("开始日期", key="f_from", **days)
        date_to = st.date_input("结束日期", key="f_to", **days)
        if date_from and date_to and date_from > date_to:
            st.warning("开始日期晚于结束日期")
    elif granularity != "all":
        codes = [p.code for p in periods_offered(span, granularity, scope)]
        if st.session_state.get("f_period") not in codes:
            st.session_state["f_period"] = codes[0] if codes else None
        code = st.selectbox(
            "期间",
            codes,
            key="f_period",
            on_change=_picked,
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
    scope = current_viewer().scope
    kept = _params()
    allowed = {
        params.SECTOR.name: set(sectors),
        params.PLATFORM.name: {p.name for p in known},
        params.PROVINCE.name: set(PROVINCES),
        **{d.name: set(d.order) for d in FILTERED},
    }
    _seed(kept, span, allowed, scope)
    if "f_province_next" in st.session_state:  # chosen on the map in the run before
        st.session_state["province"] = st.session_state.pop("f_province_next")
    if "f_period_next" in st.session_state:  # chosen by the page in the run before
        chosen_period = st.session_state.pop("f_period_next")
        st.session_state["f_gran"] = chosen_period.kind
        st.session_state["f_period"] = chosen_period.code

    with st.sidebar:
        st.markdown("### 筛选")
        # Inside a share link the empty choice means the link's scope, and says so.
        whole = name_list("赛道", sectors) if scope.restricts_platforms else None
        chosen_sectors = st.multiselect(
            "赛道", sectors, key="sector", placeholder=whole or "全部赛道"
        )
        if platforms:
            chosen_platforms = _platforms(known, chosen_sectors, scope)
        else:
            st.caption("投诉平台在本页中选择。")
            chosen_platforms = []
        granularity, period, date_from, date_to = _time_widgets(span, scope)
        chosen_provinces = st.multiselect(
            "投诉地区", list(PROVINCES), key="province", placeholder="全部地区"
        )
        chosen = {
            d.name: st.multiselect(d.label, list(d.order), key=d.name, placeholder="全部")
            for d in FILTERED
        }

    custom = granularity == "custom"
    kept = {
        params.SECTOR.name: chosen_sectors,
        # Not drawn here: the choice made on the other pages stays theirs.
        params.PLATFORM.name: chosen_platforms if platforms else kept.get("platform"),
        params.PROVINCE.name: chosen_provinces,
        **chosen,
        params.PERIOD.name: "custom" if custom else period.code if period else "all",
        params.DATE_FROM.name: date_from.isoformat() if custom and date_from else None,
        params.DATE_TO.name: date_to.isoformat() if custom and date_to else None,
    }
    st.session_state[STATE] = kept
    _write_url(kept)

    filters = Filters(
        sectors=tuple(chosen_sectors) or None,
        platforms=tuple(chosen_platforms) or None,
        provinces=tuple(chosen_provinces) or None,
        date_from=date_from,
        date_to=date_to,
    )
    for name, labels in chosen.items():
        filters = filters.choose(name, tuple(labels) or None)
    elsewhere = () if platforms else tuple(kept[params.PLATFORM.name] or ())
    selection = Selection(filters, period, granularity, elsewhere)
    st.session_state["selection"] = selection
    return selection


def _platforms(known, sectors: list[str], scope: Filters) -> list[str]:
    options = [p.name for p in known if not sectors or p.sector in sectors]
    if "platform" in st.session_state:  # a sector just left out takes its platforms along
        st.session_state["platform"] = [p for p in st.session_state["platform"] if p in options]
    whole = name_list("平台", options) if scope.restricts_platforms else None
    return st.multiselect("投诉平台", options, key="platform", placeholder=whole or "全部平台")


def current() -> Selection:
    """The selection app.py drew for this run.

    Pages are scripts that Streamlit runs with ``exec`` and no arguments, and only the
    entry point's widgets live across page switches (a page's own widgets are new on
    every page); so app.py draws the sidebar and the page picks its result up here.
    """
    return st.session_state.get("selection") or Selection(Filters(), None, "all")


def _picked() -> None:
    st.session_state[DEFAULT] = False


def show_all_time() -> None:
    """Make the sidebar's 时间 全部 (a button's callback: runs before the next run)."""
    st.session_state["f_gran"] = "all"
    _picked()


def period_is_default() -> bool:
    """Whether the period is the sidebar's own (the latest year), not one the reader chose
    or a link named: a page may then open on a period that suits it better."""
    return bool(st.session_state.get(DEFAULT))


def open_on(period: Period) -> None:
    """Make ``period`` the sidebar's and run the page again (the sidebar is drawn already:
    applied before it is drawn in the next run), if the sidebar offers it to this viewer.
    The period stays the sidebar's own."""
    offered = periods_offered(data.data_span(Filters()), period.kind, current_viewer().scope)
    if period in offered and period != current().period:
        st.session_state["f_period_next"] = period
        st.rerun()


def choose_provinces(provinces: list[str]) -> None:
    """Make ``provinces`` the sidebar's 投诉地区 (a click on the map) and run the page again.

    The sidebar's widget is already drawn in this run, so the choice waits in session
    state and is applied before the widget is drawn in the next run.
    """
    st.session_state["f_province_next"] = provinces
    st.rerun()
