"""`tousu report`: the sector report, 消费评级榜, 投诉榜 or a company report for any period,
written from the data (HTML, DOCX, Markdown, PDF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.data import require_schema
from cli.filter_options import add_filter_options
from cli.publish import period_arg
from models.errors import TousuError
from models.reads.publications import KINDS, company_report, period_report, rank_list, rating_list
from models.reads.report import sector_report
from models.rules.filters import Filters
from models.rules.periods import Period
from models.settings import get_settings
from models.store.db import session_scope
from reports import FORMATS, write


def add_parser(sub) -> None:
    p = sub.add_parser(
        "report",
        help="写出报告（报告生成）：赛道报告、消费评级榜、投诉榜或企业报告；HTML、DOCX、Markdown 或 PDF",
    )
    p.add_argument(
        "--kind",
        choices=KINDS,
        default="sector",
        help="sector 赛道报告（默认）、ratings 消费评级榜、leaderboard 投诉榜、company 企业报告",
    )
    add_filter_options(p, "--sector", "--platform", "--year")
    p.add_argument(
        "--period", type=period_arg, metavar="期间", help="2024、2024H1、2024Q3 或 2024-07"
    )
    p.add_argument("--top", type=int, default=10, metavar="N", help="投诉榜上的平台数（默认 10）")
    p.add_argument(
        "--intro", type=Path, metavar="FILE", help="报告摘要的开头文字（UTF-8 文本文件）"
    )
    p.add_argument("--format", choices=FORMATS, help="默认按输出文件的扩展名")
    p.add_argument(
        "--output", required=True, type=Path, metavar="FILE", help="输出文件（- 为标准输出）"
    )
    p.set_defaults(handler=cmd_report)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise TousuError(f"无法从文件名判断格式：{args.output}（请用 --format {'/'.join(FORMATS)}）")


def _one(args: argparse.Namespace, name: str, flag: str) -> str:
    values = getattr(args, name) or []
    if len(values) != 1:
        raise TousuError(f"--kind {args.kind} 需要且只需要一个 {flag}")
    return values[0]


def _period(args: argparse.Namespace) -> Period:
    if (args.year is None) == (args.period is None):
        raise TousuError("请给出 --year 或 --period（二者选一）")
    return args.period or Period(args.year, "year", 1)


def cmd_report(args: argparse.Namespace) -> int:
    if args.kind != "sector":
        return _publication(args)
    args.sector = _one(args, "sector", "--sector")
    period = _period(args)
    if period.kind != "year":
        args.year = None
    else:
        args.year = period.year
    require_schema()
    fmt = _format(args)
    if not 1 <= args.top <= 50:
        raise TousuError("--top 应在 1 到 50 之间")
    intro = None
    if args.intro:
        try:
            intro = args.intro.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TousuError(f"无法读取 {args.intro}：{exc}") from None
    settings = get_settings()
    with session_scope() as session:
        if args.year is None:  # a month, quarter or half: the period's own report
            report = period_report(
                session,
                Filters(),
                args.sector,
                period,
                top=args.top,
                intro=intro,
                org=settings.report_org,
                data_org=settings.report_data_org,
            )
        else:
            report = sector_report(
                session,
                Filters(),
                args.sector,
                args.year,
                top=args.top,
                intro=intro,
                org=settings.report_org,
                data_org=settings.report_data_org,
            )

    def progress(_done: float, step: str) -> None:
        print(step, file=sys.stderr)

    data = write(report, fmt, progress)
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise TousuError(f"无法写入 {args.output}：{exc.strerror or exc}") from None
    cases = len(report.cases)
    print(
        f"已写入 {args.output}（{fmt.upper()}，{len(data):,} 字节）：{report.title}，"
        f"{len(report.platforms)} 个平台，典型案例 {cases} 个"
    )
    return 0


def _publication(args: argparse.Namespace) -> int:
    """--kind ratings|leaderboard|company: one page, in the format asked."""
    from reports.publish import write_all

    period = _period(args)
    fmt = _format(args)
    require_schema()
    org = get_settings().report_org
    with session_scope() as session:
        if args.kind == "company":
            doc = company_report(
                session, Filters(), _one(args, "platform", "--platform"), period, org=org
            )
        elif args.kind == "ratings":
            doc = rating_list(session, Filters(), _one(args, "sector", "--sector"), period, org=org)
        else:
            doc = rank_list(session, Filters(), _one(args, "sector", "--sector"), period, org=org)
    data = write_all(doc, (fmt,))[fmt]
    if str(args.output) == "-":  # a text format to standard output
        if fmt not in ("md", "html"):
            raise TousuError("只有 md 和 html 可以写到标准输出（--output -）")
        sys.stdout.write(data.decode("utf-8"))
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise TousuError(f"无法写入 {args.output}：{exc.strerror or exc}") from None
    print(f"已写入 {args.output}（{fmt.upper()}，{len(data):,} 字节）：{doc.title}")
    return 0
