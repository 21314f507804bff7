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
from models.rules.filters import Filters
from models.rules.periods import Period
from models.settings import get_settings
from models.store.db import session_scope
from reports import FORMATS, write
from reports.templating import DEFAULT, available, locate, render, source


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
    p.add_argument(
        "--top", type=int, metavar="N", help="投诉榜最多列出的平台数（默认：达到门槛的全部）"
    )
    p.add_argument(
        "--least",
        type=int,
        default=1,
        metavar="N",
        help="入选投诉榜的最少投诉量（默认 1：当期有投诉的平台全部入榜）",
    )
    p.add_argument(
        "--all-sections",
        action="store_true",
        help="投诉榜上每个平台都写一节（默认只写有典型案例的平台）",
    )
    p.add_argument(
        "--template",
        metavar="NAME|FILE",
        help=f"报告模板：内置样式名（{'、'.join(available())}，默认 {DEFAULT}）、"
        "TOUSU_REPORT_TEMPLATES 目录中的样式名，或模板文件路径",
    )
    p.add_argument(
        "--print-template",
        action="store_true",
        help="把模板（默认样式，或 --template 指定的）原文输出到标准输出后退出",
    )
    p.add_argument(
        "--intro", type=Path, metavar="FILE", help="报告摘要的开头文字（UTF-8 文本文件）"
    )
    p.add_argument("--format", choices=FORMATS, help="默认按输出文件的扩展名")
    p.add_argument("--output", type=Path, metavar="FILE", help="输出文件（- 为标准输出）")
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


def _emit(args: argparse.Namespace, data: bytes, fmt: str) -> bool:
    """Write ``data`` where --output says; False when that was standard output."""
    if str(args.output) == "-":  # a text format to standard output
        if fmt not in ("md", "html"):
            raise TousuError("只有 md 和 html 可以写到标准输出（--output -）")
        sys.stdout.write(data.decode("utf-8"))
        return False
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise TousuError(f"无法写入 {args.output}：{exc.strerror or exc}") from None
    return True


def cmd_report(args: argparse.Namespace) -> int:
    if args.print_template:
        sys.stdout.write(source(args.template))
        return 0
    if args.output is None:
        raise TousuError("需要 --output FILE（或用 --print-template 查看模板）")
    if args.kind != "sector":
        return _publication(args)
    sector = _one(args, "sector", "--sector")
    period = _period(args)
    require_schema()
    fmt = _format(args)
    if args.top is not None and not 1 <= args.top <= 500:
        raise TousuError("--top 应在 1 到 500 之间")
    if args.least < 1:
        raise TousuError("--least 应至少为 1")
    locate(args.template)  # a wrong name is said before any work
    intro = None
    if args.intro:
        try:
            intro = args.intro.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TousuError(f"无法读取 {args.intro}：{exc}") from None
    settings = get_settings()
    with session_scope() as session:
        report = period_report(
            session,
            Filters(),
            sector,
            period,
            top=args.top,
            least=args.least,
            all_sections=args.all_sections,
            intro=intro,
            org=settings.report_org,
            data_org=settings.report_data_org,
        )

    def progress(_done: float, step: str) -> None:
        print(step, file=sys.stderr)

    data = write(report, fmt, progress, args.template)
    if _emit(args, data, fmt):
        # The title and the platforms' sections as the style wrote them (styles title and
        # choose differently): read from its blocks, not from the report's defaults.
        document = render(report, args.template)
        print(
            f"已写入 {args.output}（{fmt.upper()}，{len(data):,} 字节）：{document.title}，"
            f"投诉榜 {len(report.leaderboard)} 个平台，{_platform_sections(document)} 个平台有专节，"
            f"典型案例 {len(report.cases)} 个"
        )
    return 0


def _platform_sections(document) -> int:
    """The sub-headings of the chapter that gives platforms their sections (三、评级数据与典型案例)."""
    count, inside = 0, False
    for block in document.blocks:
        if block.kind == "h1":
            inside = "评级数据" in block.text
        elif block.kind == "h2" and inside:
            count += 1
    return count


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
    if _emit(args, data, fmt):
        print(f"已写入 {args.output}（{fmt.upper()}，{len(data):,} 字节）：{doc.title}")
    return 0
