"""The annual sector report (报告生成) as content: every figure from the dashboard's own
reads, every sentence from :mod:`models.rules.report_text`, every text masked and scrubbed.

The documents (HTML, DOCX, Markdown) are written from this by :mod:`reports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
from models.rules.rating import REPORT_COLUMNS
from models.store import scope as scope_of

#: The dimensions the report's 二、整体数据 shows, in registry order, with their part.
DISTRIBUTIONS = tuple((d, d.reported) for d in REGISTRY if d.reported is not None)


@dataclass(frozen=True)
class Distribution:
    dimension: str
    heading: str
    chart_title: str
    shares: list[Share]
    sentence: str


@dataclass(frozen=True)
class TypicalCase:
    id: int
    submitted_at: datetime
    platform: str
    headline: str
    paragraph: str
    reply: str

    @property
    def day(self) -> str:
        return f"{self.submitted_at.month}月{self.submitted_at.day}日"


@dataclass(frozen=True)
class PlatformSection:
    platform: str
    grade: str
    heading: str
    count_sentence: str
    table: list[dict[str, str]]
    problems_sentence: str
    cases: list[TypicalCase]


@dataclass(frozen=True)
class Report:
    title: str
    sector: str
    year: int
    org: str
    data_org: str
    intro: str | None
    leaderboard: list[str]
    leaderboard_sentence: str
    highlights_sentence: str
    distributions: list[Distribution]
    cases_intro: str
    cases_table_title: str
    cases: list[TypicalCase]  # every platform's, oldest first (the reports' table)
    platforms: list[PlatformSection]
    columns: tuple[str, ...] = REPORT_COLUMNS
    method_note: tuple[str, ...] = text.METHOD_NOTE
    #: "统计范围：…" when the reader may see only part of the year (a date-limited link).
    coverage: str = ""

    @property
    def footer(self) -> str:
        return f"图表编制：{self.data_org}"


def _typical_cases(
    session: Session, filters: Filters, platform: str, org: str
) -> list[TypicalCase]:
    """The platform's complaints staff marked as typical, newest first, masked and scrubbed."""
    rows, _ = cases.search_cases(
        session, Filters(platforms=(platform,)).intersect(filters), typical_only=True, limit=20
    )
    out = []
    for row in rows:
        detail = cases.case_detail(session, filters, row.id)
        if detail is None:
            continue
        out.append(
            TypicalCase(
                id=row.id,
                submitted_at=row.submitted_at,
                platform=platform,
                headline=row.headline or row.title or "",
                paragraph=text.case_paragraph(
                    org, row.submitted_at, row.complainant, detail.content or "", detail.demand
                ),
                reply=text.reply_paragraph(platform, detail.reply),
            )
        )
    return out


def _platform_section(
    session: Session,
    filters: Filters,
    number: int,
    platform: str,
    year: int,
    org: str,
    data_org: str,
    today: date,
) -> PlatformSection:
    year_ratings = ratings.year_ratings(session, filters, platform, year)
    grade = year_ratings[0].grade if year_ratings else "不予评级"
    own = Filters(platforms=(platform,)).intersect(filters)
    return PlatformSection(
        platform=platform,
        grade=grade,
        heading=f"（{text.cn_number(number)}）{year}年“{platform}”获“{grade}”",
        count_sentence=text.year_ratings_sentence(data_org, year, platform, year_ratings, today),
        table=[r.report_row(today) for r in year_ratings],
        problems_sentence=text.platform_problems_sentence(
            year,
            platform,
            stats.distribution(session, own, "problem_type"),
            stats.distribution(session, own, "amount_bracket"),
        ),
        cases=_typical_cases(session, filters, platform, org),
    )


def sector_report(
    session: Session,
    filters: Filters,
    sector: str,
    year: int,
    *,
    top: int = 10,
    intro: str | None = None,
    org: str = "Tousu",
    data_org: str = "Tousu",
    today: date | None = None,
) -> Report:
    """The report for ``sector`` and ``year`` within ``filters`` (a viewer's scope), as of
    ``today`` (the clock's by default): periods not yet ended are marked 统计中.

    Raises UnknownName for a sector outside the scope, TousuError when it has no complaints
    that year.
    """
    today = today or clock.today()
    known = sorted({p.sector for p in platforms_in(session, filters)})  # within the scope
    if sector not in known:
        raise UnknownName(f"未知赛道：{sector}。已有赛道：{'、'.join(known) or '（无）'}")
    scope = Filters(sectors=(sector,)).intersect(filters)
    year_scope = scope.intersect(Filters(date_from=date(year, 1, 1), date_to=date(year, 12, 31)))
    ranks = leaderboard.leaderboard(session, year_scope, None, top)
    if not ranks:
        raise TousuError(f"{year}年{sector}没有可用于报告的投诉数据")
    names = [r.platform for r in ranks]
    sections = [
        _platform_section(session, year_scope, i, name, year, org, data_org, today)
        for i, name in enumerate(names, 1)
    ]
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
            )
        )
    typical = sorted((c for s in sections for c in s.cases), key=lambda c: c.submitted_at)
    seen = scope_of.narrow(session, year_scope)
    involved = list(dict.fromkeys(c.platform for c in typical))
    return Report(
        title=f"{year}年度中国{sector}消费投诉数据与典型案例报告",
        sector=sector,
        year=year,
        org=org,
        data_org=data_org,
        intro=(intro or "").strip() or None,
        leaderboard=names,
        leaderboard_sentence=text.leaderboard_sentence(org, year, sector, names),
        highlights_sentence=text.highlights_sentence(
            year, sector, {s.platform: s.grade for s in sections}
        ),
        distributions=distributions,
        cases_intro=text.cases_intro(org, involved, len(typical)) if typical else "",
        cases_table_title=f"{year}年中国{sector}{text.cn_number(len(typical))}大典型投诉案例",
        cases=typical,
        platforms=sections,
        coverage=_coverage(seen, year, today),
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
