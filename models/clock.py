"""The current time as Tousu stores times: naive, in the configured local time zone."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from models.settings import get_settings


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now() -> datetime:
    """Now in the configured time zone, without tzinfo, to the second."""
    zone = _zone(get_settings().timezone)
    return datetime.now(zone).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Today in the configured time zone: where periods in progress are cut.

    Callers use ``clock.today()`` (the module's attribute), so a test can pin the day.
    """
    return local_now().date()


def to_local(moment: datetime) -> datetime:
    """A time with a UTC offset as Tousu stores times: local, without tzinfo."""
    return moment.astimezone(_zone(get_settings().timezone)).replace(tzinfo=None)
