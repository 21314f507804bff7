"""The annual sector report (报告生成) as content: every figure from the dashboard's own
reads, every text masked and scrubbed. :class:`Report` is the one context report templates
(reports/templates/*.jinja) are rendered over; its fields are documented where declared.

The documents (HTML, DOCX, Markdown) are written from a template's blocks by :mod:`reports`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from models import clock
from models.errors import TousuError, UnknownName
from models.reads import cases, leaderboard, ratings, stats
from models.reads.platforms import platforms_in
from models.reads.stats import Share
from models.rules import report_text as text
from models.rules.dimensions import REGISTRY
from models.rules.filters import Filters
from models.rules.periods import IN_PROGRESS
from models.rules.rating import REPORT_COLUMNS, completed
from models.store import scope as scope_of

#: The dimensions the report's 二、整体数据 shows, in registry order, with their part.
DISTRIBUTIONS = tuple((d, d.reported) for d in REGISTRY if d.reported is not None)


#: How a template may compare a share with the whole platform's: a difference of at least
#: this many percentage points is "meaningful" (the shipped templates' rule, not a number).
MEANINGFUL = Decimal(5)


def _share_of(shares: list[Share], label: str) -> Decimal | None:
    return next((s.percent for s in shares if s.label == label), None)


@dataclass(frozen=True)
class Distribution:
    """A distribution of the sector's complaints in the year (largest first)."""

    dimension: str
    heading: str
    chart_title: str
    shares: list[Share]
    sentence: str  # the 2023 house sentence (models/rules/report_text.py)
    #: The same distribution over the whole platform (every sector the reader sees) that year.
    whole: list[Share] = field(default_factory=list)

    def share(self, label: str) -> Decimal | None:
        return _share_of(self.shares, label)

    def whole_share(self, label: str) -> Decimal | None:
        return _share_of(self.whole, label)

    def difference(self, label: str) -> Decimal | None:
        """This sector's share minus the whole platform's, in percentage points."""
        mine, whole = self.share(label), self.whole_share(label)
        return None if mine is None or whole is None else mine - whole


@dataclass(frozen=True)
class TypicalCase:
    """A typical case (典型案例), masked and scrubbed as published."""

    id: int
    submitted_at: datetime
    platform: str
    headline: str
    paragraph: str  # the 2023 house paragraph
    province: str = ""
    #: The complainant as reports name them: surname + 女士/先生 (胡先生), province apart.
    person: str = ""
    content: str = ""
    demand: str = ""
    #: The platform's latest reply (scrubbed), None without one.
    platform_reply: str | None = None
    #: 处理情况: the sentence staff wrote for the report (scrubbed), None for the template's
    #: default (the reply, or the no-reply sentence).
    handling: str | None = None

    @property
    def day(self) -> str:
        return f"{self.submitted_at.month}月{self.submitted_at.day}日"


@dataclass(frozen=True)
class PlatformSection:
    """A 投诉榜 platform: its ratings of the year, its distributions, its typical cases."""

    platform: str
    grade: str
    count_sentence: str  # the 2023 house sentence
    table: list[dict[str, str]]
    problems_sentence: str  # the 2023 house sentence
    cases: list[TypicalCase]  # oldest first
    complaints: int = 0
    #: Why the platform is 不予评级 (未入驻, 未取得售后联系方式), "" when it is rated.
    unrated_reason: str = ""
    problem_types: list[Share] = field(default_factory=list)
    regions: list[Share] = field(default_factory=list)
    genders: list[Share] = field(default_factory=list)
    amounts: list[Share] = field(default_factory=list)
    #: The year's ratings of ended periods: how many, and how many of each grade (most first).
    rating_count: int = 0
    grade_counts: list[tuple[str, int]] = field(default_factory=list)
    #: Periods still in progress (统计中), named, not counted.
    pending: list[str] = field(default_factory=list)
    #: The year's own grade (全年) once the year has ended, else None.
    overall: str | None = None


@dataclass(frozen=True)
class Report:
    """The context every report template is rendered over (as ``r``): all figures, no
    wording but the 2023 house sentences kept for the ``2023`` template."""

    title: str
    sector: str
    year: int
    #: The period's words in sentences: 2024年, or 2024年第三季度 for a period's report.
    period: str
    org: str
    data_org: str
    intro: str | None
    leaderboard: list[str]
    distributions: list[Distribution]
    cases: list[TypicalCase]  # every platform's, oldest first (the reports' table)
    platforms: list[PlatformSection]  # every 投诉榜 platform's, in its order
    columns: tuple[str, ...] = REPORT_COLUMNS
    #: "统计范围：…" when the reader may see only part of the year (a date-limited link).
    coverage: str = ""
    #: Complaints of the sector in the year, and each 投诉榜 platform's (its order).
    total: int = 0
    leaderboard_counts: list[int] = field(default_factory=list)
    #: The sector's platforms with complaints in earlier years, not on this 投诉榜 (most
    #: complaints first).
    earlier_platforms: list[str] = field(default_factory=list)
    #: Whether every 投诉榜 platform gets a section (else only those with typical cases).
    all_sections: bool = False
    meaningful: Decimal = MEANINGFUL

    @property
    def footer(self) -> str:
        return f"图表编制：{self.data_org}"

    @property
    def sections(self) -> list[PlatformSection]:
        """The platforms the report gives a section: those with typical cases, or all —
        all too when none has one, so 评级数据与典型案例 is never an empty chapter."""
        with_cases = [s for s in self.platforms if s.cases]
        return self.platforms if self.all_sections or not with_cases else with_cases

    def distribution(self, dimension: str) -> Distribution | None:
        return next((d for d in self.distributions if d.dimension == dimension), None)

    def graded(self, grade: str) -> list[str]:
        """投诉榜 platforms with this grade for the year, in the 投诉榜's order."""
        return [s.platform for s in self.platforms if s.grade == grade]


def _typical_cases(
    session: Session, filters: Filters, platform: str, org: str
) -> list[TypicalCase]:
    """The platform's complaints staff marked as typical, oldest first, masked and scrubbed."""
    rows, _ = cases.search_cases(
        session, Filters(platforms=(platform,)).intersect(filters), typical_only=True, limit=20
    )
    out = []
    for row in sorted(rows, key=lambda r: (r.submitted_at, r.id)):
        detail = cases.case_detail(session, filters, row.id)
        if detail is None:
            continue
        province = row.province or ""
        person = row.complainant.removeprefix(province)
        out.append(
            TypicalCase(
                id=row.id,
                submitted_at=row.submitted_at,
                platform=platform,
                headline=row.headline or row.title or "",
                paragraph=text.case_paragraph(
                    org, row.submitted_at, row.complainant, detail.content or "", detail.demand
                ),
                province=province,
                person=person,
                content=detail.content or "",
                demand=detail.demand or "",
                platform_reply=detail.reply,
                handling=detail.handling,
            )
        )
    return out


def _platform_section(
    session: Session,
    filters: Filters,
    platform: str,
    reason: str,
    year: int,
    org: str,
    data_org: str,
    today: date,
) -> PlatformSection:
    year_ratings = ratings.year_ratings(session, filters, platform, year)
    grade = year_ratings[0].grade if year_ratings else "不予评级"
    own = Filters(platforms=(platform,)).intersect(filters)
    done = [r.grade for r in completed(year_ratings, today)]
    pending = [r.period.label for r in year_ratings if r.period and not r.complete(today)]
    problem_types = stats.distribution(session, own, "problem_type")
    amounts = stats.distribution(session, own, "amount_bracket")
    genders = stats.distribution(session, own, "gender")
    return PlatformSection(
        platform=platform,
        grade=grade,
        count_sentence=text.year_ratings_sentence(data_org, year, platform, year_ratings, today),
        table=[r.report_row(today) for r in year_ratings],
        problems_sentence=text.platform_problems_sentence(year, platform, problem_types, amounts),
        cases=_typical_cases(session, filters, platform, org),
        complaints=sum(s.count for s in genders),
        unrated_reason=reason if grade == "不予评级" else "",
        problem_types=problem_types,
        regions=stats.distribution(session, own, "province"),
        genders=genders,
        amounts=amounts,
        rating_count=len(done),
        grade_counts=Counter(done).most_common(),
        pending=pending,
        overall=done[0] if done and "全年" not in pending else None,
    )


def sector_report(
    session: Session,
    filters: Filters,
    sector: str,
    year: int,
    *,
    top: int | None = None,
    least: int = 1,
    all_sections: bool = False,
    intro: str | None = None,
    org: str = "Tousu",
    data_org: str = "Tousu",
    today: date | None = None,
) -> Report:
    """The report for ``sector`` and ``year`` within ``filters`` (a viewer's scope), as of
    ``today`` (the clock's by default): periods not yet ended are marked 统计中.

    Its 投诉榜 holds every platform with at least ``least`` complaints that year (at most
    ``top`` of them when given); ``all_sections`` gives each a section, not only those with
    typical cases. Raises UnknownName for a sector outside the scope, TousuError when it
    has no complaints that year.
    """
    today = today or clock.today()
    visible = platforms_in(session, filters)
    known = sorted({p.sector for p in visible})  # within the scope
    reasons = {p.name: p.unrated_reason or "" for p in visible}
    if sector not in known:
        raise UnknownName(f"未知赛道：{sector}。已有赛道：{'、'.join(known) or '（无）'}")
    scope = Filters(sectors=(sector,)).intersect(filters)
    dates = Filters(date_from=date(year, 1, 1), date_to=date(year, 12, 31))
    year_scope = scope.intersect(dates)
    ranks = [r for r in leaderboard.leaderboard(session, year_scope, None) if r.complaints >= least]
    ranks = ranks[:top] if top else ranks
    if not ranks:
        raise TousuError(f"{year}年{sector}没有可用于报告的投诉数据")
    names = [r.platform for r in ranks]
    sections = [
        _platform_section(
            session, year_scope, name, reasons.get(name, ""), year, org, data_org, today
        )
        for name in names
    ]
    whole_scope = filters.intersect(dates)
    distributions = []
    for dimension, reported in DISTRIBUTIONS:
        shares = stats.distribution(session, year_scope, dimension.name)
        distributions.append(
            Distribution(
                dimension.name,
                reported.heading,
                f"{year}年{sector}{reported.chart_title}",
                shares,
                dimension.sentence(org, year, sector, shares),
                stats.distribution(session, whole_scope, dimension.name),
            )
        )
    typical = sorted((c for s in sections for c in s.cases), key=lambda c: c.submitted_at)
    seen = scope_of.narrow(session, year_scope)
    earlier = leaderboard.leaderboard(
        session, scope.intersect(Filters(date_to=date(year - 1, 12, 31))), None
    )
    return Report(
        title=f"{year}年度中国{sector}消费投诉数据与典型案例报告",
        sector=sector,
        year=year,
        period=f"{year}年",
        org=org,
        data_org=data_org,
        intro=(intro or "").strip() or None,
        leaderboard=names,
        distributions=distributions,
        cases=typical,
        platforms=sections,
        coverage=_coverage(seen, year, today),
        total=stats.total(session, year_scope),
        leaderboard_counts=[r.complaints for r in ranks],
        earlier_platforms=[r.platform for r in earlier if r.platform not in names],
        all_sections=all_sections,
    )


def _coverage(seen: Filters, year: int, today: date) -> str:
    """The dates a report covers, said when they are not the whole year (a reader's dates,
    or a year still in progress)."""
    first = max(seen.date_from or date(year, 1, 1), date(year, 1, 1))
    last = min(seen.date_to or date(year, 12, 31), date(year, 12, 31))
    if first <= today <= last:
        return (
            f"统计范围：{year}年{first.month}月{first.day}日至{today.month}月{today.day}日"
            f"（{IN_PROGRESS}）"
        )
    if (first, last) == (date(year, 1, 1), date(year, 12, 31)):
        return ""
    return f"统计范围：{year}年{first.month}月{first.day}日至{last.month}月{last.day}日"
