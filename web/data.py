"""The only way pages reach the data: typed reads, scoped to the viewer, cached for all.

Each function below runs one domain read (``models.reads``) on filters narrowed to the
viewer's scope, so a page cannot show more than its viewer may see, whatever its widgets
or URL say. Results are cached for everyone (one LRU per process) by read, arguments and
the data version: many viewers cost one computation per filter per refresh interval, and
a write (which bumps the version) shows at the next refresh. Whether personal data is
revealed is decided here, from the viewer, never by a page — and it is part of the key,
so a masked viewer is never served a result computed for staff.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from models import clock
from models.alerts.detect import Alert, When
from models.reads import alerts as alert_reads
from models.reads import cases, overview, publications, ratings, stats
from models.reads import leaderboard as ranks
from models.reads import platforms as platform_reads
from models.reads.cases import EVERY_CASE, CaseDetail, CaseQuery, CaseRow
from models.reads.leaderboard import Rank
from models.reads.overview import Headline
from models.reads.platforms import PlatformInfo
from models.reads.report import Report
from models.reads.stats import Share
from models.rules.filters import Filters
from models.rules.periods import Period
from models.rules.rating import Rating
from models.settings import get_settings
from models.store import freshness
from models.store.db import get_engine, session_scope
from models.store.scope import Scope, scoped_session
from web.viewer import current_viewer

T = TypeVar("T")
REFRESH_SECONDS = get_settings().refresh_seconds
#: A list under this session-state key receives every read the session runs (benchmark).
CALL_LOG = "data_calls"


def database_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return get_engine(url)


_VERSION_SECONDS = min(5, REFRESH_SECONDS)
_versions: dict[str, tuple[float, tuple[int, datetime | None]]] = {}


def _version(url: str) -> tuple[int, datetime | None]:
    hit = _versions.get(url)
    if hit is not None and time.monotonic() - hit[0] < _VERSION_SECONDS:
        return hit[1]
    with session_scope(engine(url)) as session:
        found = freshness.current(session)
    _versions[url] = (time.monotonic(), found)
    return found


def data_version() -> tuple[int, datetime | None]:
    """(version, last change); re-read at most every few seconds for all viewers together."""
    return _version(database_url())


#: Values no page can change: shared by every hit as they are.
_ATOMS = (type(None), bool, int, float, complex, str, bytes, date, time_of_day, Decimal, Enum)


def _immutable(value: Any) -> bool:
    """Whether ``value`` cannot be changed: plain values, and tuples and frozen dataclasses
    (Share, Rating, PlatformInfo …) made only of such values."""
    if isinstance(value, _ATOMS):
        return True
    if type(value) in (tuple, frozenset):
        return all(_immutable(v) for v in value)
    params = getattr(type(value), "__dataclass_params__", None)
    if params is None or not params.frozen:
        return False
    names = [f.name for f in fields(value)]
    # Nothing beside its fields (an attribute set later would be shared by every hit).
    return set(getattr(value, "__dict__", ())) <= set(names) and all(
        _immutable(getattr(value, name)) for name in names
    )


def _plain(value: Any) -> bool:
    """Whether ``value`` is lists, dicts and tuples of immutable values (most reads)."""
    if type(value) in (list, tuple):
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_immutable(k) and _plain(v) for k, v in value.items())
    return _immutable(value)


def _thaw(value: Any) -> Any:
    """A copy of a :func:`_plain` value: new lists and dicts, the same immutable values."""
    if type(value) is list:
        return [_thaw(v) for v in value]
    if type(value) is dict:
        return {k: _thaw(v) for k, v in value.items()}
    if type(value) is tuple:
        return tuple(_thaw(v) for v in value)
    return value


class _Pickled(bytes):
    """A result kept pickled (frames and whatever else is not :func:`_plain`)."""


class _Results:
    """Read results for every viewer of this process, by one key string (LRU).

    Each hit is a copy, as with ``st.cache_data`` (a page may change what it is given
    without changing anyone else's), but without its per-call cost — Streamlit inspects
    the function's signature on every call, about 0.3 ms, a dozen and more times a page
    run. Most reads return lists and dicts of frozen dataclasses and plain values: those
    are kept as they are and a hit gets new lists and dicts holding the same immutable
    values (unpickling them was the dearest part of a hit); anything else (frames) is kept
    pickled and unpickled on every hit. Keyed by data version, so an entry is never stale:
    it leaves when unused, not on a timer (which made every viewer recompute together).
    One lock per key being computed: viewers asking for the same figure at once wait for
    one read.
    """

    SIZE = 5000

    def __init__(self) -> None:
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._computing: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _kept(value: Any) -> Any:
        if _plain(value):
            return value
        return _Pickled(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _copy(kept: Any) -> Any:
        return pickle.loads(kept) if isinstance(kept, _Pickled) else _thaw(kept)

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        missing = object()
        with self._lock:
            hit = self._values.get(key, missing)
            if hit is missing:
                pending = self._computing.setdefault(key, threading.Lock())
            else:
                self._values.move_to_end(key)
        if hit is not missing:
            return self._copy(hit)
        with pending:
            with self._lock:
                hit = self._values.get(key, missing)
            if hit is missing:
                hit = self._kept(compute())
                with self._lock:
                    self._values[key] = hit
                    while len(self._values) > self.SIZE:
                        self._values.popitem(last=False)
            with self._lock:
                self._computing.pop(key, None)
        return self._copy(hit)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_results = _Results()


def _read(url: str, scope: Scope, read: Callable[..., Any], filters: Filters, args, kwargs):
    # The session carries the scope: whatever filters the read derives, its SQL stays inside.
    with scoped_session(engine(url), scope) as session:
        return read(session, filters, *args, **kwargs)


def _scoped(filters: Filters) -> Filters:
    return filters.intersect(current_viewer().scope)


def run(read: Callable[..., T], filters: Filters, *args: Any, **kwargs: Any) -> T:
    """``read(session, filters, *args, **kwargs)`` within the viewer's scope, cached."""
    scope = current_viewer().read_scope
    scoped = filters.intersect(scope.filters)
    args = tuple(a.intersect(scope.filters) if isinstance(a, Filters) else a for a in args)
    log = st.session_state.get(CALL_LOG)
    if isinstance(log, list):
        log.append((read, scoped, args, kwargs))
    url = database_url()
    # Scope, filters, periods and the other arguments are frozen dataclasses and plain
    # values: their repr names them exactly. The scope (with whether personal data is
    # revealed) is part of the key because a read may derive wider filters than its
    # arguments (the scope then decides what it sees) and masks by it.
    key = repr(
        (
            url,
            _version(url)[0],
            scope,
            read.__module__,
            read.__qualname__,
            scoped,
            args,
            sorted(kwargs.items()),
        )
    )
    return _results.get(key, lambda: _read(url, scope, read, scoped, args, kwargs))


def clear() -> None:
    """Forget every cached figure and the data version (after a write in this process)."""
    _results.clear()
    _versions.clear()


def with_statuses(filters: Filters, statuses: tuple[str, ...] | None) -> Filters:
    return replace(filters, statuses=statuses)


def comparable(filters: Filters | None) -> Filters | None:
    """``filters`` if the viewer may see its whole date range, else None.

    A comparison with a period outside a share link's dates would compare with the zeros
    the scope leaves there ("+856 vs 2024", "新"); a page shows no comparison instead.
    """
    if filters is None:
        return None
    scope = current_viewer().scope
    if scope.date_from is not None and (filters.date_from or date.min) < scope.date_from:
        return None
    if scope.date_to is not None and (filters.date_to or date.max) > scope.date_to:
        return None
    return filters


# --- the reads pages may run -------------------------------------------------------------


def distribution(filters: Filters, by: str) -> list[Share]:
    return run(stats.distribution, filters, by)


def counts(filters: Filters, by: str) -> dict[str, int]:
    return run(stats.counts, filters, by)


def crosstab(filters: Filters, by: str, split: str) -> dict[str, dict[str, int]]:
    return run(stats.crosstab, filters, by, split)


def total(filters: Filters) -> int:
    return run(stats.total, filters)


def headline(filters: Filters) -> Headline:
    return run(overview.headline, filters)


def data_span(filters: Filters) -> tuple[int, int] | None:
    """(first, last) YYYYMM with complaints in ``filters``; None when there are none."""
    return run(overview.data_span, filters)


def platforms(filters: Filters) -> list[PlatformInfo]:
    """The platforms the filters (and the viewer's scope) allow."""
    return run(platform_reads.platforms_in, filters)


def range_ratings(filters: Filters) -> list[Rating]:
    return run(ratings.range_ratings, filters)


def period_ratings(filters: Filters, period: Period) -> list[Rating]:
    return run(ratings.period_ratings, filters, period)


def year_ratings(filters: Filters, platform: str, year: int) -> list[Rating]:
    return run(ratings.year_ratings, filters, platform, year)


def monthly_timeline(filters: Filters) -> dict[str, list[Rating]]:
    return run(ratings.monthly_timeline, filters)


def leaderboard(filters: Filters, previous: Filters | None, limit: int | None = None) -> list[Rank]:
    return run(ranks.leaderboard, filters, previous, limit)


def alerts(filters: Filters, when: When) -> list[Alert]:
    """消费预警 of ``when`` within the viewer's scope, surest first."""
    return run(alert_reads.alerts, filters, when)


def alert_trace(filters: Filters, alert: Alert, periods: int = 26) -> pd.DataFrame:
    """The series ``alert`` is about, period by period, within the viewer's scope."""
    return run(alert_reads.alert_trace, filters, alert, periods)


def search_cases(
    filters: Filters, query: CaseQuery = EVERY_CASE, *, limit: int = 50, offset: int = 0
) -> tuple[list[CaseRow], int]:
    """Cases newest first, masked and scrubbed unless the viewer is staff."""
    reveal = current_viewer().reveal_personal
    return run(
        cases.search_cases, filters, **asdict(query), limit=limit, offset=offset, reveal=reveal
    )


def case_export(filters: Filters, query: CaseQuery, *, limit: int) -> Callable[[], list[CaseRow]]:
    """Every matching case, newest first, up to ``limit``, as a function to run when a
    download is clicked. It runs outside the page's script (Streamlit calls it from another
    thread), so the viewer's scope and masking are decided now, not then; not cached (a
    one-off of up to ``limit`` rows)."""
    scoped = _scoped(filters)
    scope = current_viewer().read_scope
    reveal = scope.reveal_personal
    bound = engine(database_url())

    def fetch() -> list[CaseRow]:
        with scoped_session(bound, scope) as session:
            rows, _total = cases.search_cases(
                session, scoped, **asdict(query), limit=limit, reveal=reveal
            )
        return rows

    return fetch


def case_detail(filters: Filters, case_id: int) -> CaseDetail | None:
    """One case in full, masked and scrubbed unless the viewer is staff."""
    return run(cases.case_detail, filters, case_id, reveal=current_viewer().reveal_personal)


def period_report(
    filters: Filters,
    sector: str,
    period: Period,
    *,
    top: int | None = None,
    all_sections: bool = False,
    intro: str | None = None,
) -> Report:
    """The sector report for any period (月度 … 年度), within the viewer's scope (always
    masked and scrubbed: a report is published)."""
    settings = get_settings()
    return run(
        publications.period_report,
        filters,
        sector,
        period,
        top=top,
        all_sections=all_sections,
        intro=intro,
        org=settings.report_org,
        data_org=settings.report_data_org,
        today=clock.today(),
    )


def rating_list(filters: Filters, sector: str, period: Period) -> publications.RatingList:
    """消费评级榜 of a sector for a period, as published."""
    org = get_settings().report_org
    return run(publications.rating_list, filters, sector, period, org=org, today=clock.today())


def rank_list(filters: Filters, sector: str, period: Period) -> publications.RankList:
    """投诉榜 of a sector for a period, as published."""
    org = get_settings().report_org
    return run(publications.rank_list, filters, sector, period, org=org, today=clock.today())


def company_report(filters: Filters, platform: str, period: Period) -> publications.CompanyReport:
    """One platform's report for a period, as published."""
    org = get_settings().report_org
    return run(publications.company_report, filters, platform, period, org=org, today=clock.today())
