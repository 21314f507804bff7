"""`tousu ratings`: a platform's consumer ratings for one year, as the annual report lists them."""

from __future__ import annotations

import argparse
import sys

from cli.data import require_schema
from cli.filter_options import add_filter_options
from cli.output import FORMATS, render
from models import clock
from models.reads.ratings import year_ratings
from models.rules.filters import Filters
from models.rules.rating import REPORT_COLUMNS
from models.store.db import session_scope


def add_parser(sub) -> None:
    p = sub.add_parser("ratings", help="平台某年的消费评级，格式同年度报告")
    add_filter_options(p, "--platform", "--year", one=True)
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_ratings)


def cmd_ratings(args: argparse.Namespace) -> int:
    require_schema()
    with session_scope() as session:
        ratings = year_ratings(session, Filters(), args.platform, args.year)
    if not ratings:
        print(f"“{args.platform}”在{args.year}年没有计入评级的投诉", file=sys.stderr)
    rows = [
        {
            **r.report_row(clock.today()),
            "平台反馈率": r.reply_rate,
            "回复时效性": r.timeliness,
            "用户满意度": r.satisfaction,
            "综合指数": r.composite,
        }
        for r in ratings
    ]
    sys.stdout.write(render(rows, REPORT_COLUMNS, args.format, percent=("平台反馈率",)))
    return 0
