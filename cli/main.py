"""Entry point of the `tousu` console script: the commands assembled, one run dispatched.

Each command lives in its own module with an ``add_parser(sub)`` and its handler; the filter
options they share come from ``cli/filter_options.py``. Every command honours
TOUSU_DATABASE_URL. A user mistake prints one line to stderr and exits non-zero; only a bug
shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError, ProgrammingError

from cli import (
    alerts,
    data,
    digest,
    doctor,
    names,
    ops,
    publish,
    ratings,
    report,
    serve,
    share,
    stats,
    users,
)
from cli.argparse_zh import Parser, chinese
from models.errors import TousuError, UnknownName
from models.store import faults

#: The command modules, in the order `tousu --help` lists their commands.
COMMANDS = (data, ratings, report, publish, alerts, digest, ops, doctor, stats, users, share, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tousu",
        description="Tousu 投诉数据：数据库、消费评级与统计。"
        "数据库由环境变量 TOUSU_DATABASE_URL 指定（默认 SQLite 文件 data/tousu.db）。",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def _database_error(exc: BaseException) -> int:
    """One line for a database fault; a bug that is not one is raised as it is."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    reason = lines[0] if lines else type(orig).__name__
    fault = faults.describe(exc)
    if fault is not None:
        print(
            f"错误：{fault.message}（{reason}）。这次操作没有完成，已保存的数据不受影响",
            file=sys.stderr,
        )
    elif isinstance(exc, OperationalError | ProgrammingError):
        print(f"错误：数据库不可用：{reason}", file=sys.stderr)
    else:
        raise exc
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    with chinese():
        args = build_parser().parse_args(argv)
    try:
        names.resolve(args)
        return args.handler(args)
    except UnknownName as exc:  # a wrong argument, like those argparse refuses
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except TousuError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except faults.CANDIDATES as exc:
        return _database_error(exc)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
