"""Every publication of the year as content: the sector report for any period, the 消费评级榜
of a sector, the 投诉榜 and a company report — each from the dashboard's own reads, within
the reader's scope (the session's), masked and scrubbed as published.

The documents are written from these by :mod:`reports.publish`; the sector report itself
comes from :func:`models.reads.report.sector_report`, narrowed to the period's days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session

from models import clock
from models.errors import TousuError, UnknownName
from models.reads import cases, leaderboard, ratings, stats
from models.reads.leaderboard import Rank
from models.reads.platforms import platforms_in
from models.reads.report import DISTRIBUTIONS, Report, sector_report
from models.reads.stats import Share
from models.rules import report_text as text
from models.rules.filters import Filters
from models.rules.labels import GRADES
from models.rules.numbers import percent
from models.rules.periods import Period, compare_period, progress_note
from models.rules.rating import REPORT_COLUMNS, SMALL_SAMPLE, Rating
from models.settings import get_settings
from models.store import scope as scope_of

#: The kinds of publication, as ``tousu report --kind`` names them.
KINDS = ("sector", "ratings", "leaderboard", "company")
KIND_NAMES = {
    "sector": "投诉数据与典型案例报告",
    "ratings": "消费评级榜",
    "leaderboard": "投诉榜",
    "company": "企业投诉与评级报告",
}
#: The 消费评级榜's columns (the reports' names).
BOARD_COLUMNS = (
    "排名",
    "平台",
    "投诉量",
    "平台反馈率",
    "回复时效性",
    "用户满意度",
    "综合指数",
    "评级",
)
#: Marks a rating on fewer complaints than TOUSU_RATING_MIN_COMPLAINTS, as pages do.
SAMPLE_COLUMN = "样本"
#: The 投诉榜's columns.
RANK_COLUMNS = ("排名", "平台", "投诉量", "上期排名", "上期投诉量", "变化")


def period_days(period: Period) -> Filters:
    return Filters(date_from=period.first_day, date_to=period.last_day)


def _note(period: Period, today: date) -> str:
    """统计中（截至12月6日） while the period is in progress, else empty."""
    return progress_note(today) if period.in_progress(today) else ""


def _sector_scope(session: Session, filters: Filters, sector: str) -> Filters:
    """``filters`` narrowed to ``sector``; UnknownName for a sector outside the scope."""
    known = sorted({p.sector for p in platforms_in(session, filters)})
    if sector not in known:
        raise UnknownName(f"未知赛道：{sector}。已有赛道：{'、'.join(known) or '（无）'}")
    return Filters(sectors=(sector,)).intersect(filters)


# --- the sector report for any period ------------------------------------------------------


def period_report(
    session: Session,
    filters: Filters,
    sector: str,
    period: Period,
    *,
    top: int | None = None,
    least: int = 1,
    all_sections: bool = False,
    intro: str | None = None,
    org: str = "Tousu",
    data_org: str = "Tousu",
    today: date | None = None,
) -> Report:
    """The sector report for ``period`` (a month, quarter, half or year): the annual report's
    reads on the period's days only, so its ratings are the periods within it. The options
    are :func:`sector_report`'s."""
    report = sector_report(
        session,
        period_days(period).intersect(filters),
        sector,
        period.year,
        top=top,
        least=least,
        all_sections=all_sections,
        intro=intro,
        org=org,
        data_org=data_org,
        today=today or clock.today(),
    )
    if period.kind == "year":
        return report
    return replace(
        report,
        title=f"{period.title}中国{sector}消费投诉数据与典型案例报告",
        period=period.title,
    )


# --- 消费评级榜 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingList:
    title: str
    sector: str
    period: Period
    note: str  # 统计中（截至…） while the period is in progress
    ratings: list[Rating]  # best composite first, 不予评级 last
    org: str
    #: Ratings on fewer complaints than this are marked 样本较少 (TOUSU_RATING_MIN_COMPLAINTS).
    minimum: int = 1

    @property
    def columns(self) -> tuple[str, ...]:
        """The reports' columns, and 样本 when a rating rests on few complaints."""
        few = any(r.small_sample(self.minimum) for r in self.ratings)
        return (*BOARD_COLUMNS, SAMPLE_COLUMN) if few else BOARD_COLUMNS

    @property
    def grade_counts(self) -> list[tuple[str, int]]:
        """(grade, platforms) in the grades' order, grades nobody got left out."""
        got = [r.grade for r in self.ratings]
        return [(g, got.count(g)) for g in GRADES if g in got]

    @property
    def rows(self) -> list[dict[str, str]]:
        """The table as published: rated platforms numbered, 不予评级 without a rank."""
        out = []
        for n, r in enumerate(self.ratings, 1):
            row = r.report_row()
            out.append(
                {
                    "排名": str(n) if r.rated else "—",
                    "平台": r.platform,
                    "投诉量": str(r.inputs.complaints),
                    **{k: row[k] for k in REPORT_COLUMNS[2:]},
                    SAMPLE_COLUMN: SMALL_SAMPLE if r.small_sample(self.minimum) else "",
                }
            )
        return out


def rating_list(
    session: Session,
    filters: Filters,
    sector: str,
    period: Period,
    *,
    org: str = "Tousu",
    today: date | None = None,
) -> RatingList:
    """The 消费评级榜 of ``sector`` for ``period``: the dashboard's :func:`models.reads.ratings.period_ratings`."""
    today = today or clock.today()
    scoped = _sector_scope(session, filters, sector)
    board = ratings.period_ratings(session, scoped, period)
    return RatingList(
        title=f"{period.title}{sector}消费评级榜",
        sector=sector,
        period=period,
        note=_note(period, today),
        ratings=board,
        org=org,
        minimum=get_settings().rating_min_complaints,
    )


# --- 投诉榜 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankList:
    title: str
    sector: str
    period: Period
    note: str
    comparison: str  # 与上一期（2024年第二季度）相比; empty when not compared
    ranks: list[Rank]
    total: int
    org: str
    columns: tuple[str, ...] = RANK_COLUMNS

    @property
    def rows(self) -> list[dict[str, str]]:
        return [
            {
                "排名": str(r.rank),
                "平台": r.platform,
                "投诉量": str(r.complaints),
                "上期排名": "" if r.previous_rank is None else str(r.previous_rank),
                "上期投诉量": "" if r.previous_complaints is None else str(r.previous_complaints),
                "变化": r.movement,
            }
            for r in self.ranks
        ]


def _within(session: Session, filters: Filters) -> bool:
    """Whether the reader may see all of ``filters``' days (else a comparison would compare
    with the zeros the scope leaves there)."""
    seen = scope_of.narrow(session, filters)
    return (seen.date_from, seen.date_to) == (filters.date_from, filters.date_to)


def rank_list(
    session: Session,
    filters: Filters,
    sector: str,
    period: Period,
    *,
    top: int | None = None,
    org: str = "Tousu",
    today: date | None = None,
) -> RankList:
    """The 投诉榜 of ``sector`` for ``period``, with the movement against the period before
    (the same days of it while ``period`` is in progress: the dashboard's rule)."""
    today = today or clock.today()
    scoped = _sector_scope(session, filters, sector)
    compared = compare_period(period, today)
    current = scoped.intersect(
        Filters(date_from=compared.current.first, date_to=compared.current.last)
    )
    previous = scoped.intersect(
        Filters(date_from=compared.previous.first, date_to=compared.previous.last)
    )
    if not _within(session, previous):
        previous = None
    ranks = leaderboard.leaderboard(session, current, previous, top)
    return RankList(
        title=f"{period.title}{sector}投诉榜",
        sector=sector,
        period=period,
        note=compared.note,
        comparison=compared.sentence if previous is not None else "",
        ranks=ranks,
        total=stats.total(session, current),
        org=org,
    )


# --- company report --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyDistribution:
    dimension: str
    heading: str
    shares: list[Share]


@dataclass(frozen=True)
class CompanyCase:
    submitted_at: datetime
    platform: str
    headline: str
    paragraph: str
    #: The platform's latest reply (scrubbed), None without one.
    platform_reply: str | None
    #: Staff's 处理情况 sentence (scrubbed), None: the template says it from the reply.
    handling: str | None

    @property
    def day(self) -> str:
        return f"{self.submitted_at.month}月{self.submitted_at.day}日"


@dataclass(frozen=True)
class CompanyReport:
    title: str
    platform: str
    sector: str
    period: Period
    note: str
    complaints: int
    sector_complaints: int
    rank: int | None  # on the sector's 投诉榜 for the period
    summary: str
    ratings: list[Rating]  # the periods within ``period``, the reports' order
    distributions: list[CompanyDistribution]
    cases: list[CompanyCase]  # typical cases, oldest first
    org: str
    columns: tuple[str, ...] = REPORT_COLUMNS

    @property
    def rating_rows(self) -> list[dict[str, str]]:
        return [r.report_row() for r in self.ratings]

    @property
    def grade(self) -> str:
        return self.ratings[0].grade if self.ratings else "不予评级"


def _company_cases(session: Session, own: Filters, platform: str, org: str) -> list[CompanyCase]:
    """The platform's typical cases in ``own``, oldest first, masked and scrubbed."""
    rows, _ = cases.search_cases(session, own, typical_only=True, limit=20)
    out = []
    for row in sorted(rows, key=lambda r: (r.submitted_at, r.id)):
        detail = cases.case_detail(session, own, row.id)
        if detail is None:
            continue
        out.append(
            CompanyCase(
                submitted_at=row.submitted_at,
                platform=platform,
                headline=row.headline or row.title or "",
                paragraph=text.case_paragraph(
                    org, row.submitted_at, row.complainant, detail.content or "", detail.demand
                ),
                platform_reply=detail.reply,
                handling=detail.handling,
            )
        )
    return out


def company_report(
    session: Session,
    filters: Filters,
    platform: str,
    period: Period,
    *,
    org: str = "Tousu",
    today: date | None = None,
) -> CompanyReport:
    """One platform's complaints, ratings, distributions and typical cases for ``period``."""
    today = today or clock.today()
    known = {p.name: p for p in platforms_in(session, filters)}
    if platform not in known:
        raise UnknownName(f"未知平台：{platform}")
    sector = known[platform].sector
    days = period_days(period).intersect(filters)
    own = Filters(platforms=(platform,)).intersect(days)
    complaints = stats.total(session, own)
    if not complaints:
        raise TousuError(f"{period.title}“{platform}”没有投诉数据")
    in_sector = Filters(sectors=(sector,)).intersect(days)
    sector_complaints = stats.total(session, in_sector)
    ranked = {r.platform: r.rank for r in leaderboard.leaderboard(session, in_sector, None)}
    rank = ranked.get(platform)
    share = percent(complaints, sector_complaints)
    summary = (
        f"{period.title}，“{org}”共受理“{platform}”用户有效投诉{complaints}件，"
        f"占{sector}投诉总量的{share}%"
        + (f"，在{sector}投诉榜中位列第{rank}名。" if rank is not None else "。")
    )
    rated = ratings.year_table(session, own, period.year).get(platform, [])
    distributions = [
        CompanyDistribution(
            dimension.name, reported.heading, stats.distribution(session, own, dimension.name)
        )
        for dimension, reported in DISTRIBUTIONS
    ]
    return CompanyReport(
        title=f"{period.title}“{platform}”投诉数据与消费评级报告",
        platform=platform,
        sector=sector,
        period=period,
        note=_note(period, today),
        complaints=complaints,
        sector_complaints=sector_complaints,
        rank=rank,
        summary=summary,
        ratings=rated,
        distributions=distributions,
        cases=_company_cases(session, own, platform, org),
        org=org,
    )
