"""The address's query parameters: every one a page reads, declared once with its parser.

No page reads ``st.query_params`` itself. :func:`get` turns what the address holds into
a typed value, and anything unusable (a huge or negative number, NaN, a 100 KB string,
control characters, an impossible date, a repeated parameter's extra values) into the
default: a link typed by hand or tampered with opens the page as if the parameter were
absent, never an error.

Some parameters are held by a widget bound to the URL (``bind="query-params"``):
Streamlit seeds the widget from the address, keeping only its options and its limits
(``max_chars``, ``max_selections``), which the widget takes from here. They are listed
here too, so that :data:`PARAMS` names every parameter (tests/test_params.py feeds each
one hostile values on every page it reaches); free text they hold passes :func:`clean`.

The sidebar's repeatable filters are not bound: a bound widget loses its value on a page
that does not draw it, so the sidebar keeps them itself (dashboard/sidebar.py) and reads
them here with :func:`get_all`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

import streamlit as st

from models.rules.dimensions import FILTERED
from models.rules.periods import EARLIEST_DAY, LATEST_DAY, parse_code
from models.rules.text import spaced

T = TypeVar("T")

#: Who reads a parameter: every page (app.py), the pages with the sidebar, or one page
#: (its URL path).
EVERY_PAGE = "every page"
SIDEBAR = "sidebar"
#: The longest free text a parameter keeps (a problem type, a share token).
MAX_TEXT = 200
#: The most values a repeated free-text parameter keeps.
MAX_VALUES = 30


@dataclass(frozen=True)
class Param(Generic[T]):
    """One query parameter: its name, who reads it, and how (``parse`` gives None for a
    value it cannot use; it never raises)."""

    name: str
    default: T
    parse: Callable[[str], T | None]
    read_by: str
    bound: bool = False  # held by a widget with bind="query-params"
    repeated: bool = False  # a list of values, read by get_all()
    #: Other parameters it is read with (from/to only count with period=custom).
    context: dict[str, str] = field(default_factory=dict, hash=False)


def bound(name: str, read_by: str, **kwargs: Any) -> Param[Any]:
    """A parameter held by a widget: Streamlit parses it against the widget's options."""
    return Param(name, None, text(MAX_TEXT), read_by, bound=True, **kwargs)


def listed(name: str) -> Param[tuple[str, ...]]:
    """A repeatable sidebar filter (?province=广东省&province=浙江省), read by :func:`get_all`."""
    return Param(name, (), text(MAX_TEXT), SIDEBAR, repeated=True)


def whole(low: int, high: int, *, clamp: bool) -> Callable[[str], int | None]:
    """Decimal digits only; outside ``low``..``high`` clamped, or unusable."""

    def parse(raw: str) -> int | None:
        raw = raw.strip()
        if not raw.isascii() or not raw.isdigit():
            return None
        # Compared as text first: int() of thousands of digits is refused (and slow).
        value = high + 1 if len(raw) > len(str(high)) else int(raw)
        if low <= value <= high:
            return value
        return min(max(value, low), high) if clamp else None

    return parse


def day(raw: str) -> date | None:
    """An ISO date (2024-07-01) from the days Tousu holds complaints for."""
    raw = raw.strip()
    if len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if EARLIEST_DAY <= value <= LATEST_DAY else None


def text(limit: int) -> Callable[[str], str | None]:
    """Free text: control characters as spaces, trimmed, at most ``limit`` characters."""

    def parse(raw: str) -> str | None:
        return spaced(raw[:limit]).strip() or None

    return parse


def period_code(raw: str) -> str | None:
    """all, custom, or a period's code (2024, 2024H1, 2024Q3, 2024-07)."""
    raw = raw.strip()
    if raw in ("all", "custom"):
        return raw
    if len(raw) > 10 or not raw.isascii():
        return None
    return raw if parse_code(raw) is not None else None


# --- read by app.py and the sidebar (dashboard/sidebar.py) -------------------------------
SHARE = Param("share", "", text(MAX_TEXT), EVERY_PAGE)
PERIOD = Param("period", "", period_code, SIDEBAR)
DATE_FROM = Param("from", None, day, SIDEBAR, context={"period": "custom"})
DATE_TO = Param("to", None, day, SIDEBAR, context={"period": "custom"})
SECTOR = listed("sector")
PLATFORM = listed("platform")
PROVINCE = listed("province")
#: The dimensions the sidebar filters by, each under its name (?complainant_type=商家).
CHOICES = tuple(listed(d.name) for d in FILTERED)
# --- 典型案例 (dashboard/views/cases.py) ---------------------------------------------------
PAGE = Param("page", 1, whole(1, 1_000_000, clamp=True), "cases")
CASE = Param("case", None, whole(1, 2**31 - 1, clamp=False), "cases")  # an INTEGER id
QUERY = bound("q", "cases")  # its widget keeps MAX_CHARS; the search, MAX_WORDS words
PROBLEM_TYPE = bound("ptype", "cases")  # typed types too: passes clean()
STATUS = bound("status", "cases")
TYPICAL = bound("typical", "cases")
# --- 平台评级 (dashboard/views/ratings.py) and 投诉榜 (leaderboard.py) ---------------------
RATINGS_TAB = bound("rp_tab", "ratings")
RATED_PLATFORM = bound("rp", "ratings")
COMPARED = bound("cmp", "ratings", context={"rp_tab": "平台对比"})
LEADERBOARD_TAB = bound("lb_tab", "leaderboard")
# --- 用户画像 (dashboard/views/demographics.py): the open dimension's tab -------------------
DEMOGRAPHICS_TAB = bound("dg_tab", "demographics")

PARAMS: dict[str, Param[Any]] = {
    p.name: p
    for p in (
        SHARE,
        PERIOD,
        DATE_FROM,
        DATE_TO,
        SECTOR,
        PLATFORM,
        PROVINCE,
        *CHOICES,
        PAGE,
        CASE,
        QUERY,
        PROBLEM_TYPE,
        STATUS,
        TYPICAL,
        RATINGS_TAB,
        RATED_PLATFORM,
        COMPARED,
        LEADERBOARD_TAB,
        DEMOGRAPHICS_TAB,
    )
}


def get(param: Param[T]) -> T:
    """The parameter's value in this run's address, or its default when it is absent or
    unusable (of a repeated parameter, the last value counts, as in Streamlit)."""
    assert not param.bound, f"{param.name} is held by its widget: read the widget"
    assert not param.repeated, f"{param.name} is repeatable: read it with get_all()"
    values = st.query_params.get_all(param.name)
    if not values:
        return param.default
    parsed = param.parse(values[-1])
    return param.default if parsed is None else parsed


def get_all(param: Param[Any]) -> list[str]:
    """A repeatable parameter's values in this run's address, as :func:`clean` keeps them."""
    assert param.repeated, f"{param.name} is not repeatable: read it with get()"
    return clean(param, st.query_params.get_all(param.name))


def clean(param: Param[Any], values: list[str]) -> list[str]:
    """A bound widget's or a repeatable parameter's free-text values as ``param`` keeps them: at most
    :data:`MAX_VALUES`, each parsed, the unusable ones left out."""
    kept = (param.parse(v) for v in values[:MAX_VALUES])
    return list(dict.fromkeys(v for v in kept if v is not None))


def put(param: Param[Any], value: str | list[str] | None) -> None:
    """Write ``value`` into the address (None, "" or []: remove the parameter); unchanged
    values are not written again (each write is a message to the browser)."""
    params = st.query_params
    if value in (None, "", []):
        if param.name in params:
            del params[param.name]
    elif params.get_all(param.name) != (value if isinstance(value, list) else [value]):
        params[param.name] = value


def snapshot() -> dict[str, Any]:
    """The whole address, unread, to carry it across a page switch."""
    return st.query_params.to_dict()


def restore(query: dict[str, Any]) -> None:
    """Put back what :func:`snapshot` took."""
    st.query_params.from_dict(query)
