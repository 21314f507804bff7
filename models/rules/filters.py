"""What a query looks at: sectors, platforms, provinces, a date range, statuses, and the
labels of any dimension the sidebar filters by (投诉人类型).

Every aggregate takes a :class:`Filters`. ``None`` means "no restriction"; a tuple
restricts to its members (an empty tuple matches nothing). :meth:`Filters.intersect`
narrows one selection by another — how a share link's scope is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, false, select

from models.rules import dimensions
from models.rules.labels import COUNTING_STATUSES
from models.rules.periods import Period
from models.store.tables import Complaint, Platform


def _meet(a: tuple | None, b: tuple | None) -> tuple | None:
    if a is None:
        return b
    if b is None:
        return a
    return tuple(x for x in a if x in b)


Choices = tuple[tuple[str, tuple[str, ...]], ...]


def _meet_choices(a: Choices, b: Choices) -> Choices:
    mine, theirs = dict(a), dict(b)
    names = sorted(mine.keys() | theirs.keys())
    return tuple((name, _meet(mine.get(name), theirs.get(name)) or ()) for name in names)


def _later(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def name_list(kind: str, names: tuple[str, ...] | list[str] | None) -> str | None:
    """A list of names as a title says it: all up to three, else the first and a count."""
    if not names:
        return None
    return "、".join(names) if len(names) <= 3 else f"{names[0]}等{len(names)}个{kind}"


def _span(date_from: date | None, date_to: date | None) -> str:
    if date_to == date.max:  # 9999-12-31: no end
        date_to = None
    if date_from is None and date_to is None:
        return "全部时间"
    return f"{date_from or '最早'} 至 {date_to or '最新'}"


@dataclass(frozen=True)
class Filters:
    """A selection of complaints; dates are inclusive."""

    sectors: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    platform_ids: tuple[int, ...] | None = None
    provinces: tuple[str, ...] | None = None
    date_from: date | None = None
    date_to: date | None = None
    statuses: tuple[str, ...] | None = COUNTING_STATUSES
    #: (dimension, labels) pairs, sorted by dimension: a dimension of the complaint
    #: restricted to these labels (models/rules/dimensions.py); absent: no restriction.
    choices: Choices = ()

    @classmethod
    def for_year(cls, year: int, **kwargs) -> Filters:
        return cls(date_from=date(year, 1, 1), date_to=date(year, 12, 31), **kwargs)

    def with_dates(self, date_from: date | None, date_to: date | None) -> Filters:
        return replace(self, date_from=date_from, date_to=date_to)

    def choice(self, dimension: str) -> tuple[str, ...] | None:
        """The labels ``dimension`` is restricted to (None: not restricted)."""
        return dict(self.choices).get(dimension)

    def choose(self, dimension: str, labels: tuple[str, ...] | None) -> Filters:
        """These filters with ``dimension`` restricted to ``labels`` (None: not restricted)."""
        if dimensions.get(dimension).on_platform:
            raise ValueError(f"{dimension} is chosen by sectors and platforms")
        rest = [(name, chosen) for name, chosen in self.choices if name != dimension]
        if labels is not None:
            rest.append((dimension, tuple(labels)))
        return replace(self, choices=tuple(sorted(rest)))

    def intersect(self, other: Filters) -> Filters:
        """Complaints selected by both."""
        return Filters(
            sectors=_meet(self.sectors, other.sectors),
            platforms=_meet(self.platforms, other.platforms),
            platform_ids=_meet(self.platform_ids, other.platform_ids),
            provinces=_meet(self.provinces, other.provinces),
            date_from=_later(self.date_from, other.date_from),
            date_to=_earlier(self.date_to, other.date_to),
            statuses=_meet(self.statuses, other.statuses),
            choices=_meet_choices(self.choices, other.choices),
        )

    def parts(self, period: Period | None = None) -> list[str]:
        """Every active filter in Chinese, as titles, file names and share links say them:
        the time first (``period``'s name when the dates are exactly its own, 2024年), then
        the sectors, platforms, provinces and other labels it is narrowed to (金融科技,
        广东省等4个地区, 商家)."""
        own = period is not None and (period.first_day, period.last_day) == (
            self.date_from,
            self.date_to,
        )
        parts = [
            period.title if own and period is not None else _span(self.date_from, self.date_to),
            name_list("赛道", self.sectors),
            name_list("平台", self.platforms),
            name_list("地区", self.provinces),
            *(name_list(dimensions.get(name).label, labels) for name, labels in self.choices),
        ]
        return [p for p in parts if p]

    def describe(self, period: Period | None = None) -> str:
        """:meth:`parts` as one line: 2024年 · 金融科技 · 广东省."""
        return " · ".join(self.parts(period))

    @property
    def restricts_platforms(self) -> bool:
        return not (self.sectors is None and self.platforms is None and self.platform_ids is None)

    def platform_conditions(self, platform_id) -> list[ColumnElement[bool]]:
        """WHERE clauses on a platform id column (sector and name choices by subquery)."""
        where: list[ColumnElement[bool]] = []
        for column, values in ((Platform.sector, self.sectors), (Platform.name, self.platforms)):
            if values is not None:
                ids = select(Platform.id).where(column.in_(values))
                where.append(platform_id.in_(ids) if values else false())
        if self.platform_ids is not None:
            ids = self.platform_ids
            where.append(platform_id.in_(ids) if ids else false())
        return where

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on the complaint table (platform choices by subquery, no join)."""
        where: list[ColumnElement[bool]] = []

        def restrict(column, values: tuple | None) -> None:
            if values is not None:
                where.append(column.in_(values) if values else false())

        restrict(Complaint.status, self.statuses)
        where += self.platform_conditions(Complaint.platform_id)
        restrict(Complaint.province, self.provinces)
        for name, labels in self.choices:
            restrict(dimensions.get(name).labelled(), labels)
        if self.date_from is not None:
            where.append(Complaint.submitted_at >= datetime.combine(self.date_from, time.min))
        if self.date_to is not None and self.date_to < date.max:  # 9999-12-31: no end
            end = datetime.combine(self.date_to + timedelta(days=1), time.min)
            where.append(Complaint.submitted_at < end)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            where.append(false())
        return where
