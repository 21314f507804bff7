"""Dates no import accepts any more (0001-01-01, 9999-12-31) may already be in an older
database: every page still opens, whatever period the URL asks for."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import update

from models.rules.filters import Filters
from models.rules.months import label as month_label
from models.rules.periods import year_before
from models.store import summary
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from tests.dashboard_helpers import PAGES, app, errors, open_page
from tests.factories import add_complaints, add_platforms


@pytest.fixture
def stray_dates(monkeypatch, sqlite_url):
    """Three complaints, two of them moved to year 1 and year 9999 behind the import's back."""
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    engine = get_engine(sqlite_url)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {"external_id": key, "platform": "云集", "submitted_at": "2024-03-01 10:00"}
            for key in ("normal", "year1", "year9999")
        ],
    )
    with session_scope(engine) as session:
        for key, moment in (("year1", datetime(1, 1, 1)), ("year9999", datetime(9999, 12, 31))):
            session.execute(
                update(Complaint)
                .where(Complaint.external_id == key)
                .values(
                    submitted_at=moment,
                    transferred_at=moment,
                    submitted_month=moment.year * 100 + moment.month,
                )
            )
        summary.changed(session, None)  # the summaries hold them too, as a real database would
    return engine


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"period": "all"},
        {"period": "custom"},
        {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"},
        {"period": "2024"},
    ],
    ids=["default", "all", "custom", "custom_extremes", "year"],
)
def test_every_page_opens_with_stray_dates_in_the_database(stray_dates, query):
    for page in PAGES:
        at = open_page(app(**query), page)
        assert errors(at) == [], (page, query)
        assert not at.error, (page, query, [e.value for e in at.error])


def test_the_arithmetic_behind_the_pages_saturates_instead_of_overflowing():
    from models.rules.periods import supported_span

    assert month_label(101) == "0001-01" and month_label(202407) == "2024-07"
    assert year_before(date(1, 6, 1)) == date.min
    assert supported_span((101, 999912), date(2026, 5, 1)) == (200001, 202712)
    assert supported_span((101, 101), date(2026, 5, 1)) is None
    assert Filters(date_from=date.min, date_to=date.max).conditions()  # no OverflowError
