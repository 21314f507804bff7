"""The sidebar filters, mirrored in the URL so that every view is a shareable link.

app.py draws them (:func:`render`) before it runs a dashboard page, or only writes them
to the URL (:func:`keep`) on a dashboard page without them; the page takes the selection
from :func:`current` and hands its filters to the data door. URL parameters: ``sector``,
``platform``, ``province`` (repeatable), ``period`` (all, 2024, 2024H1, 2024Q3, 2024-07 or
custom) with ``from``/``to`` for a custom range.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from models.rules.filters import Filters, name_list
from models.rules.labels import PROVINCES
from models.rules.months import first_day, year_of
from models.rules.periods import Period, parse_code
from web import data
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

    @property
    def title(self) -> str:
        if self.period is not None:
            return self.period.title
        f = self.filters
        if f.date_from or f.date_to:
            return f"{f.date_from or '最早'} 至 {f.date_to or '最新'}"
        return "全部时间"

    def previous(self) -> Filters | None:
        """The same filters over the period before; None for 全部时间, and when the viewer
        may not see that period (a share link's dates)."""
        f = self.filters
        if self.period is not None:
            prev = self.period.previous()
            return data.comparable(f.with_dates(prev.first_day, prev.last_day))
        if f.date_from and f.date_to:
            length = f.date_to - f.date_from + timedelta(days=1)
            try:
                before = f.with_dates(f.date_from - length, f.date_to - length)
            except OverflowError:  # a range reaching back to year 1: nothing before it
                return None
            return data.comparable(before)
        return None


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
    if span is None:
        return []
    return [
        p
        for p in periods_between(*span, kind)
        if (scope.date_from is None or p.first_day >= scope.date_from)
        and (scope.date_to is None or p.last_day <= scope.date_to)
    ]


def _granularities(span: tuple[int, int] | None, scope: Filters) -> list[str]:
    """全部 and 自定义, and each kind of period the viewer has one of."""
    return [g for g in GRANULARITIES if g in ("all", "custom") or periods_offered(span, g, scope)]


#: The filters as URL parameters: the one copy that outlives every page. Streamlit drops a
#: widget's state in a run that does not draw it (报告 has no sidebar, 平台评级 no 投诉平台),
#: so the widgets are seeded from here whenever they come back, and every dashboard page
#: writes it to the URL, sidebar drawn or not: switching pages never loses a filter.
STATE = "f_params"
LISTS = ("sector", "platform", "province")  # each also the key of its widget
PARAMS = (*LISTS, "period", "from", "to")
#: True while the period is the sidebar's own choice: none in the URL, none picked since.
DEFAULT = "f_default"


def _set_param(name: str, value: str | list[str] | None) -> None:
    params = st.query_params
    if value in (None, "", []):
        if name in params:
            del params[name]
    elif params.get_all(name) != (value if isinstance(value, list) else [value]):
        params[name] = value


def _params() -> dict[str, str | list[str] | None]:
    """The filters kept for this browser session; taken from the URL on its first run."""
    if STATE not in st.session_state:
        query = st.query_params
        st.session_state[STATE] = {
            name: query.get_all(name) if name in LISTS else query.get(name) for name in PARAMS
        }
        st.session_state[DEFAULT] = not query.get("period")
    return st.session_state[STATE]


def _write_url(params: dict) -> None:
    for name in PARAMS:
        _set_param(name, params.get(name))


def keep() -> None:
    """On a dashboard page without the sidebar: the URL still holds every filter."""
    _write_url(_params())


def _seed(
    params: dict, span: tuple[int, int] | None, sectors: list[str], known, scope: Filters
) -> None:
    """Give each filter widget that is not on screen its kept value (bad values ignored)."""
    allowed = {"sector": set(sectors), "platform": {p.name for p in known}, "province": PROVINCES}
    for name in LISTS:
        if name not in st.session_state:
            st.session_state[name] = [v for v in params.get(name) or [] if v in allowed[name]]
    if "f_gran" in st.session_state:
        return
    code = params.get("period") or ""
    period = parse_code(code) if code else None
    if code == "all":
        st.session_state["f_gran"] = "all"
    elif code == "custom":
        st.session_state["f_gran"] = "custom"
        for key in ("from", "to"):
            with suppress(ValueError):
                st.session_state[f"f_{key}"] = date.fromisoformat(params.get(key) or "")
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
    granularity = (
        st.segmented_control(
            "时间",
            kinds,
            format_func=GRANULARITIES.get,
            key="f_gran",
            required=True,
            on_change=_picked,
        )
        or "all"
    )
    period: Period | None = None
    date_from = date_to = None
    if granularity == "custom":
        lowest, highest = scope.date_from, scope.date_to
        st.session_state.setdefault("f_from", first_day(span[0]) if span else date(2023, 1, 1))
        st.session_state.setdefault("f_to", date.today())
        for key in ("f_from", "f_to"):  # a date widget refuses a value outside its bounds
            chosen = st.session_state[key]
            if isinstance(chosen, date):
                chosen = max(chosen, lowest) if lowest else chosen
                st.session_state[key] = min(chosen, highest) if highest else chosen
        bounds = {"min_value": lowest, "max_value": highest}
        date_from = st.date_input("开始日期", key="f_from", format="YYYY-MM-DD", **bounds)
        date_to = st.date_input("结束日期", key="f_to", format="YYYY-MM-DD", **bounds)
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
    params = _params()
    _seed(params, span, sectors, known, scope)
    if "f_province_next" in st.session_state:  # chosen on the map in the run before
        st.session_state["province"] = st.session_state.pop("f_province_next")
    if "f_period_next" in st.session_state:  # chosen by the page in the run before
        chosen = st.session_state.pop("f_period_next")
        st.session_state["f_gran"], st.session_state["f_period"] = chosen.kind, chosen.code

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

    custom = granularity == "custom"
    params = {
        "sector": chosen_sectors,
        # Not drawn here: the choice made on the other pages stays theirs.
        "platform": chosen_platforms if platforms else params.get("platform"),
        "province": chosen_provinces,
        "period": "custom" if custom else period.code if period else "all",
        "from": date_from.isoformat() if custom and date_from else None,
        "to": date_to.isoformat() if custom and date_to else None,
    }
    st.session_state[STATE] = params
    _write_url(params)

    filters = Filters(
        sectors=tuple(chosen_sectors) or None,
        platforms=tuple(chosen_platforms) or None,
        provinces=tuple(chosen_provinces) or None,
        date_from=date_from,
        date_to=date_to,
    )
    selection = Selection(filters, period, granularity)
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
