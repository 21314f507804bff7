"""`tousu report`: the annual sector report written from the data (HTML, DOCX, Markdown)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.data import require_schema
from cli.filter_options import add_filter_options
from models.errors import TousuError
from models.reads.report import sector_report
from models.rules.filters import Filters
from models.settings import get_settings
from models.store.db import session_scope
from reports import FORMATS, write
from reports.templating import DEFAULT, available, locate, source


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="写出赛道年度报告（报告生成）：HTML、DOCX 或 Markdown")
    add_filter_options(p, "--sector", "--year", one=True, required=False)  # not to print
    p.add_argument(
        "--top", type=int, metavar="N", help="投诉榜最多列出的平台数（默认：达到门槛的全部）"
    )
    p.add_argument(
        "--least",
        type=int,
        default=1,
        metavar="N",
        help="入选投诉榜的最少投诉量（默认 1：当年有投诉的平台全部入榜）",
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
    p.add_argument("--output", type=Path, metavar="FILE", help="输出文件")
    p.set_defaults(handler=cmd_report)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise TousuError(f"无法从文件名判断格式：{args.output}（请用 --format {'/'.join(FORMATS)}）")


def cmd_report(args: argparse.Namespace) -> int:
    if args.print_template:
        sys.stdout.write(source(args.template))
        return 0
    if args.output is None:
        raise TousuError("需要 --output FILE（或用 --print-template 查看模板）")
    if args.sector is None or args.year is None:
        raise TousuError("需要 --sector 和 --year")
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
        report = sector_report(
            session,
            Filters(),
            args.sector,
            args.year,
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
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise TousuError(f"无法写入 {args.output}：{exc.strerror or exc}") from None
    cases = len(report.cases)
    print(
        f"已写入 {args.output}（{fmt.upper()}，{len(data):,} 字节）：{report.title}，"
        f"投诉榜 {len(report.leaderboard)} 个平台，{len(report.sections)} 个平台有专节，"
        f"典型案例 {cases} 个"
    )
    return 0
