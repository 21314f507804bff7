"""The weekly digest for management: what a week brought, in one message.

Headline figures against the week before and the same week a year before, the week's
alerts, the rating changes of the latest complete month, the reply queue's overdue counts
and three new typical cases — masked as for the public. Built from the same reads as the
pages, within the session's scope; written as HTML and text by :mod:`reports.digest`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlmodel import Session

from models.access.roles import Actor
from models.alerts.detect import Alert, When, detect
from models.reads import cases, queues
from models.reads.cases import CaseRow
from models.reads.overview import Headline, headline
from models.rules.filters import Filters

TYPICAL_CASES = 3


@dataclass(frozen=True)
class Figure:
    """One headline figure of the week and the two weeks it is compared with."""

    label: str
    week: str
    week_before: str
    year_before: str


@dataclass(frozen=True)
class Digest:
    week: When
    title: str
    figures: list[Figure]
    alerts: list[Alert]  # the week's rises
    month: When  # the latest month complete at the week's end
    rating_changes: list[Alert]  # that month's falls in grade, reply rate, timeliness
    queue: dict[str, int]  # complaints awaiting a reply, by waiting band
    cases: list[CaseRow]  # new typical cases of the week (or the newest), masked

    @property
    def overdue(self) -> int:
        """Complaints past the 72-hour step (every band but the first)."""
        return sum(list(self.queue.values())[1:])


def week_title(week: When) -> str:
    year, number, _ = week.first.isocalendar()
    return (
        f"{year}年第{number}周（{week.first.month}月{week.first.day}日至"
        f"{week.last.month}月{week.last.day}日）"
    )


def _figures(now: Headline, before: Headline, year: Headline) -> list[Figure]:
    def rate(h: Headline) -> str:
        return "—" if h.reply_rate is None else f"{h.reply_rate}%"

    def score(h: Headline) -> str:
        return "无评分" if h.satisfaction is None else f"{h.satisfaction}"

    return [
        Figure("投诉量", *(f"{h.complaints:,}" for h in (now, before, year))),
        Figure("涉及平台", *(f"{h.platforms:,}" for h in (now, before, year))),
        Figure("平台反馈率", *(rate(h) for h in (now, before, year))),
        Figure("用户满意度", *(score(h) for h in (now, before, year))),
    ]


def _days(week: When) -> Filters:
    return Filters().with_dates(week.first, week.last)


def build(session: Session, actor: Actor, week: When, filters: Filters | None = None) -> Digest:
    """The digest of ``week`` within ``filters`` (counted complaints by default) and the
    session's scope; ``actor`` reads the reply queue."""
    filters = filters or Filters()
    same_week_last_year = When.week(week.first - timedelta(weeks=52))
    figures = _figures(
        *(
            headline(session, filters.intersect(_days(w)))
            for w in (week, week.step(-1), same_week_last_year)
        )
    )
    month = When.latest("month", week.last + timedelta(days=1))  # complete when it ends
    everything = replace(filters, statuses=None)  # rises counted as received, as 预警 does
    rises = [a for a in detect(session, everything, week) if a.kind == "rise"]
    ratings = [a for a in detect(session, everything, month) if a.kind != "rise"]
    return Digest(
        week=week,
        title=f"消费投诉周报 · {week_title(week)}",
        figures=figures,
        alerts=rises,
        month=month,
        rating_changes=ratings,
        queue=queues.reply_bands(session, actor),
        cases=_new_cases(session, filters.intersect(_days(week))),
    )


def _new_cases(session: Session, week: Filters) -> list[CaseRow]:
    """The week's typical cases, newest first, topped up with its newest complaints."""
    typical, _ = cases.search_cases(
        session, week, typical_only=True, limit=TYPICAL_CASES, reveal=False
    )
    if len(typical) >= TYPICAL_CASES:
        return typical
    newest, _ = cases.search_cases(session, week, limit=TYPICAL_CASES * 2, reveal=False)
    seen = {c.id for c in typical}
    return [*typical, *(c for c in newest if c.id not in seen)][:TYPICAL_CASES]
