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


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="写出赛道年度报告（报告生成）：HTML、DOCX 或 Markdown")
    add_filter_options(p, "--sector", "--year", one=True)
    p.add_argument("--top", type=int, default=10, metavar="N", help="投诉榜上的平台数（默认 10）")
    p.add_argument(
        "--intro", type=Path, metavar="FILE", help="报告摘要的开头文字（UTF-8 文本文件）"
    )
    p.add_argument("--format", choices=FORMATS, help="默认按输出文件的扩展名")
    p.add_argument("--output", required=True, type=Path, metavar="FILE", help="输出文件")
    p.set_defaults(handler=cmd_report)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise TousuError(f"无法从文件名判断格式：{args.output}（请用 --format {'/'.join(FORMATS)}）")


def cmd_report(args: argparse.Namespace) -> int:
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
