"""The dashboard's only way to the data: cached, scoped calls into the domain layer.

Results are cached for everyone (``st.cache_data``) by query, arguments and the data
version, so many viewers cost one computation per filter per refresh interval, and a
write (which bumps the version) shows at the next refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from dashboard.access import current_viewer
from models.reads import cases, leaderboard, overview, ratings, stats
from models.reads import platforms as platform_reads
from models.rules.filters import Filters
from models.settings import get_settings
from models.store import freshness
from models.store.db import get_engine, session_scope

REFRESH_SECONDS = get_settings().refresh_seconds
#: When a list, every query a page asks for is appended to it (the benchmark replays them).
recorder: list[tuple[str, Filters, tuple, dict]] | None = None

# Every query a page may run; each takes (session, filters, ...).
QUERIES: dict[str, Callable[..., Any]] = {
    "distribution": lambda s, f, by: stats.distribution(s, f, by),
    "counts": lambda s, f, by: stats.counts(s, f, by),
    "crosstab": lambda s, f, by, split: stats.crosstab(s, f, by, split),
    "total": lambda s, f: stats.total(s, f),
    "headline": lambda s, f: overview.headline(s, f),
    "span": lambda s, f: overview.data_span(s, f),
    "range_ratings": lambda s, f: ratings.range_ratings(s, f),
    "period_ratings": lambda s, f, period: ratings.period_ratings(s, f, period),
    "year_ratings": lambda s, f, platform, year: ratings.year_ratings(s, f, platform, year),
    "timeline": lambda s, f: ratings.monthly_timeline(s, f),
    "leaderboard": lambda s, f, previous, limit=None: leaderboard.leaderboard(
        s, f, previous, limit
    ),
    "search_cases": lambda s, f, **kw: cases.search_cases(s, f, **kw),
    "case_detail": lambda s, f, case_id, *, reveal: cases.case_detail(s, f, case_id, reveal=reveal),
    # Platforms the filters allow (a share link's scope narrows the list too).
    "platforms": lambda s, f: sorted(
        (p.name, p.sector, p.onboarded)
        for p in platform_reads.platforms(s).values()
        if (f.sectors is None or p.sector in f.sectors)
        and (f.platforms is None or p.name in f.platforms)
    ),
}


def database_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return get_engine(url)


@st.cache_data(ttl=min(5, REFRESH_SECONDS), show_spinner=False)
def _version(url: str) -> tuple[int, datetime | None]:
    with session_scope(engine(url)) as session:
        return freshness.current(session)


def data_version() -> tuple[int, datetime | None]:
    """(version, last change); re-read at most every few seconds for all viewers together."""
    return _version(database_url())


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False, max_entries=5000)
def _cached(url: str, name: str, version: int, filters: Filters, args: tuple, kwargs: tuple) -> Any:
    with session_scope(engine(url)) as session:
        return QUERIES[name](session, filters, *args, **dict(kwargs))


#: Queries that return free text and personal data: whether they are revealed is decided
#: here, from the viewer, never by a page — and it is part of the cache key, so a masked
#: viewer is never served a result computed for staff.
REVEALING = frozenset({"search_cases", "case_detail"})


def _scoped(filters: Filters) -> Filters:
    return filters.intersect(current_viewer().scope)


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


def query(name: str, filters: Filters, *args: Any, **kwargs: Any) -> Any:
    """Run query ``name`` on ``filters`` narrowed to the viewer's scope (cached)."""
    if name in REVEALING:
        kwargs["reveal"] = current_viewer().reveal_personal
    scoped = _scoped(filters)
    args = tuple(_scoped(a) if isinstance(a, Filters) else a for a in args)
    if recorder is not None:
        recorder.append((name, scoped, args, kwargs))
    url = database_url()
    return _cached(url, name, _version(url)[0], scoped, args, tuple(sorted(kwargs.items())))


def clear() -> None:
    """Forget every cached figure (after a write in this process)."""
    _cached.clear()
    _version.clear()


def with_statuses(filters: Filters, statuses: tuple[str, ...] | None) -> Filters:
    return replace(filters, statuses=statuses)
