"""`tousu stats`: complaints split by one dimension, as counts and shares."""

from __future__ import annotations

import argparse
import sys

from cli.data import require_schema
from cli.filter_options import add_dimension_option, add_filter_options, filters_from
from cli.output import FORMATS, render
from models.reads.stats import distribution
from models.store.db import session_scope


def add_parser(sub) -> None:
    p = sub.add_parser("stats", help="投诉按一个维度的分布（占比）")
    add_dimension_option(p)
    add_filter_options(p, "--sector", "--platform", "--province", "--year", "--from", "--to")
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    require_schema()
    filters = filters_from(args)
    with session_scope() as session:
        shares = distribution(session, filters, args.by)
    if not shares:
        print("没有符合条件的投诉", file=sys.stderr)
    if args.by == "month":  # a time series reads in time order, not by size
        shares.sort(key=lambda share: share.label)
    rows = [{"label": s.label, "count": s.count, "percent": s.percent} for s in shares]
    sys.stdout.write(render(rows, ("label", "count", "percent"), args.format, percent=("percent",)))
    return 0
