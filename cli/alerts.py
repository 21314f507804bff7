"""`tousu alerts`: 消费预警 for the latest complete week (or a given week or month)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from cli.data import require_schema
from cli.filter_options import add_filter_options, filters_from
from cli.output import FORMATS, render
from models.alerts.detect import SERIES_FIELDS, When
from models.reads.alerts import alerts
from models.store.db import session_scope

COLUMNS = ("kind", *SERIES_FIELDS, "period", "window", "actual", "expected", "ratio", "score")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "alerts",
        help="消费预警：投诉异常上升的平台、赛道、问题类型和地区，评级下降、反馈变差的平台",
        description="默认看最近一个完整的周（周一至周日）。按收到的全部投诉计数（含待审核）；"
        "评级、平台反馈率和回复时效性的下降只按月（--month）给出。",
    )
    when = p.add_mutually_exclusive_group()
    add_week_option(when)
    when.add_argument("--month", type=when_arg("month"), metavar="YYYY-MM", help="月份，如 2026-11")
    add_filter_options(p, "--sector", "--platform", "--province")
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_alerts)


def add_week_option(parser) -> None:
    """``--week 2026-W48``: an ISO week (alerts, digest)."""
    parser.add_argument(
        "--week", type=when_arg("week"), metavar="YYYY-Www", help="ISO 周，如 2026-W48"
    )


def when_arg(kind: str):
    """An argparse type: a week (2026-W48) or a month (2026-11) as a When."""

    def parse(text: str) -> When:
        try:
            found = When.parse(text)
        except Exception as exc:  # TousuError: argparse words it as a bad argument
            raise argparse.ArgumentTypeError(str(exc)) from None
        if found.kind != kind:
            example = "2026-W48" if kind == "week" else "2026-11"
            raise argparse.ArgumentTypeError(f"应为如 {example}：{text!r}")
        return found

    return parse


def cmd_alerts(args: argparse.Namespace) -> int:
    require_schema()
    when = args.week or args.month or When.latest("week")
    filters = replace(filters_from(args), statuses=None)  # every status: see the help
    with session_scope() as session:
        found = alerts(session, filters, when)
    if not found:
        print(f"{when.code} 没有预警", file=sys.stderr)
    rows = [alert.row() for alert in found]
    columns = COLUMNS if args.format == "json" else (*COLUMNS, "sentence")
    if args.format != "json":
        rows = [{k: "" if v is None else v for k, v in row.items()} for row in rows]
    sys.stdout.write(render(rows, columns, args.format))
    return 0
