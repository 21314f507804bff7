"""`tousu publish`: every sector's publications for a period as a static website."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.data import require_schema
from cli.filter_options import add_filter_options, filters_from
from models.errors import TousuError
from models.rules.periods import Period, parse_code
from models.settings import get_settings
from models.store.db import get_engine


def period_arg(text: str) -> Period:
    """--period: 2024, 2024H1, 2024Q3 or 2024-07 (models/rules/periods.py)."""
    period = parse_code(text)
    if period is None:
        raise argparse.ArgumentTypeError(
            f"不是期间：{text!r}（应为 2024、2024H1、2024Q3 或 2024-07）"
        )
    return period


def add_parser(sub) -> None:
    p = sub.add_parser(
        "publish",
        help="发布静态网站：各赛道某期间的报告、消费评级榜、投诉榜和企业报告",
        description="写入 DIR 旁的新文件夹，完成后一次切换符号链接 DIR；失败时原站点不变。"
        "再次发布只重写有变化的出版物。投诉人信息按对公众发布的方式脱敏。",
    )
    p.add_argument(
        "--period",
        required=True,
        type=period_arg,
        metavar="期间",
        help="年度 2024、半年度 2024H1、季度 2024Q3 或月度 2024-07",
    )
    add_filter_options(p, "--sector")
    p.add_argument("--output", required=True, type=Path, metavar="DIR", help="站点（符号链接）")
    p.add_argument(
        "--top",
        type=int,
        default=10,
        metavar="N",
        help="每个赛道为投诉榜前 N 个平台写企业报告（默认 10，0 为不写）",
    )
    p.add_argument(
        "--formats",
        default="html,pdf,docx",
        metavar="F,F",
        help="报告的格式（默认 html,pdf,docx；评级榜与投诉榜总是网页）",
    )
    p.set_defaults(handler=cmd_publish)


class Bar:
    """A progress bar on stderr: redrawn in place on a terminal; elsewhere (a log, a CI
    job) a line per tenth of the work, not one per publication."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width, self.tty = width, self.stream.isatty()
        self.tenths_written = -1

    def __call__(self, done: int, total: int, label: str) -> None:
        filled = self.width * done // max(total, 1)
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{total} {label}"
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if done == total else ""))
        else:
            tenths = 10 * done // max(total, 1)
            if tenths <= self.tenths_written:
                return
            self.tenths_written = tenths
            self.stream.write(line + "\n")
        self.stream.flush()


def cmd_publish(args: argparse.Namespace) -> int:
    from reports.publish.site import REPORT_FORMATS, build

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in REPORT_FORMATS]
    if unknown or "html" not in formats:
        raise TousuError(f"--formats 应包含 html，可选 {','.join(REPORT_FORMATS)}")
    if not 0 <= args.top <= 50:
        raise TousuError("--top 应在 0 到 50 之间")
    require_schema()
    settings = get_settings()
    result = build(
        get_engine(settings.database_url),
        args.period,
        args.output,
        filters=filters_from(args),
        formats=formats,
        top=args.top,
        org=settings.report_org,
        data_org=settings.report_data_org,
        progress=Bar(),
    )
    print(
        f"已发布 {args.output} → {result.site.name}：{result.items} 种出版物，"
        f"新写入 {result.written} 个文件，{result.kept} 个未变沿用"
    )
    return 0
