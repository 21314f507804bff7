"""Entry point of the `tousu` console script.

Every command honours TOUSU_DATABASE_URL. A user mistake prints one line to stderr and
exits non-zero; only a bug shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError

from cli import report
from cli.output import FORMATS, render
from cli.service import cmd_serve, cmd_share, cmd_user, require_schema
from models.access.roles import ROLES
from models.errors import TousuError
from models.reads.ratings import year_ratings
from models.reads.stats import distribution
from models.rules.dimensions import DIMENSIONS
from models.rules.filters import Filters
from models.rules.rating import REPORT_COLUMNS
from models.store import schema
from models.store.db import get_engine, session_scope


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {text!r}")
    return int(text)


# --- commands ---------------------------------------------------------------------------


def cmd_init(_args: argparse.Namespace) -> int:
    engine = get_engine()
    before = schema.current_revision(engine)
    schema.upgrade(engine)
    after = schema.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"数据库已是最新结构（{after}）：{where}")
    else:
        print(f"数据库已升级到 {after}（原为 {before or '空库'}）：{where}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Compare the summary tables with a recount, or rebuild them."""
    from models.store import summary

    require_schema()
    if args.action == "rebuild":
        with session_scope(write=True) as session:
            summary.changed(session, None)
        print("汇总表已按投诉数据重新计算")
        return 0
    with session_scope() as session:
        problems = summary.check(session)
    for line in problems[:20]:
        print(line, file=sys.stderr)
    if problems:
        print(
            f"汇总表与重新计数不一致：{len(problems)} 处；运行 tousu summary rebuild",
            file=sys.stderr,
        )
        return 1
    print("汇总表与重新计数一致")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import generate_demo

    engine = get_engine()
    schema.upgrade(engine)

    def progress(done: int, total: int) -> None:
        print(f"\r生成演示数据 {done:,}/{total:,} 条投诉", end="", file=sys.stderr, flush=True)

    summary = generate_demo(
        engine,
        complaints=args.complaints,
        seed=args.seed,
        replace=args.replace,
        years=args.years,
        progress=progress if sys.stderr.isatty() or args.complaints >= 100_000 else None,
    )
    if args.complaints >= 100_000 or sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from models.importing import import_complaints, import_platforms
    from models.importing.limits import MAX_FILE_BYTES, megabytes

    require_schema()
    path = Path(args.file)
    try:
        with path.open("rb") as handle:  # never more than the cap into memory (or /dev/zero)
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TousuError(f"无法读取文件 {path}：{exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise TousuError(f"文件过大：最多 {megabytes(MAX_FILE_BYTES)}")
    importer = import_platforms if args.kind == "platforms" else import_complaints
    with session_scope(write=True) as session:
        report = importer(session, data, path.name, dry_run=args.dry_run)
        if not report.ok:
            session.rollback()
    for warning in report.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    for error in report.errors:
        print(str(error), file=sys.stderr)
    if report.truncated:
        print(f"……另有 {report.error_count - len(report.errors):,} 处错误未列出", file=sys.stderr)
    print(report.summary(), file=sys.stderr if not report.ok else sys.stdout)
    return 0 if report.ok else 1


def cmd_ratings(args: argparse.Namespace) -> int:
    require_schema()
    with session_scope() as session:
        ratings = year_ratings(session, Filters(), args.platform, args.year)
    if not ratings:
        print(f"“{args.platform}”在{args.year}年没有计入评级的投诉", file=sys.stderr)
    sys.stdout.write(render([r.report_row() for r in ratings], REPORT_COLUMNS, args.format))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    require_schema()
    if args.year is not None and (args.date_from or args.date_to):
        raise TousuError("--year 与 --from/--to 不能同时使用")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise TousuError("--from 晚于 --to")
    filters = Filters(
        sectors=tuple(args.sector) or None,
        platforms=tuple(args.platform) or None,
        provinces=tuple(args.province) or None,
    )
    if args.year is not None:
        filters = filters.with_dates(date(args.year, 1, 1), date(args.year, 12, 31))
    else:
        filters = filters.with_dates(args.date_from, args.date_to)
    with session_scope() as session:
        shares = distribution(session, filters, args.by)
    if not shares:
        print("没有符合条件的投诉", file=sys.stderr)
    sys.stdout.write(render([s.row() for s in shares], ("label", "count", "percent"), args.format))
    return 0


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tousu",
        description="Tousu: consumer-complaint database, ratings and statistics. "
        "The database comes from TOUSU_DATABASE_URL (default: SQLite file data/tousu.db).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create or upgrade the database schema (keeps data)")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="fill the database with demo platforms and complaints")
    p.add_argument(
        "--complaints",
        type=int,
        default=20_000,
        metavar="N",
        help="synthetic complaints (default 20000)",
    )
    p.add_argument(
        "--years",
        type=int,
        default=3,
        metavar="Y",
        help="spread them over the Y years up to 2025 (default 3: 2023–2025)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=2024,
        metavar="S",
        help="random seed; the same seed gives the same data (default 2024)",
    )
    p.add_argument(
        "--replace", action="store_true", help="delete existing platforms and complaints first"
    )
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "summary", help="check the summary tables against a recount, or rebuild them"
    )
    p.add_argument("action", choices=("check", "rebuild"))
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("import", help="import platforms or complaints from CSV or XLSX")
    p.add_argument("kind", choices=("platforms", "complaints"))
    p.add_argument("file", help="a .csv (UTF-8, UTF-8 with BOM or GBK) or .xlsx file")
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser(
        "ratings", help="a platform's consumer ratings for a year, as the reports print them"
    )
    p.add_argument("--platform", required=True, metavar="NAME")
    p.add_argument("--year", required=True, type=_year, metavar="YYYY")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_ratings)

    report.add_parser(sub, _year)

    p = sub.add_parser("stats", help="distribution of complaints by one dimension")
    p.add_argument("--by", required=True, choices=DIMENSIONS)
    p.add_argument("--sector", action="append", default=[], metavar="S", help="repeatable")
    p.add_argument("--platform", action="append", default=[], metavar="P", help="repeatable")
    p.add_argument("--province", action="append", default=[], metavar="NAME", help="repeatable")
    p.add_argument("--year", type=_year, metavar="YYYY")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="inclusive")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_stats)
    p = sub.add_parser("user", help="manage accounts (add, list, disable, enable, passwd, unlock)")
    user_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = user_sub.add_parser("add", help="create an account; the password is asked for")
    q.add_argument("name")
    q.add_argument("--role", required=True, choices=ROLES)
    q.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user_sub.add_parser("list", help="accounts, roles and login throttles")
    for action, text in (
        ("disable", "stop an account from logging in"),
        ("enable", "allow a disabled account again"),
        ("unlock", "lift the login throttle on a username"),
    ):
        user_sub.add_parser(action, help=text).add_argument("name")
    q = user_sub.add_parser("passwd", help="set a new password")
    q.add_argument("name")
    q.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(handler=cmd_user)

    p = sub.add_parser("share", help="read-only dashboard links for journalists")
    share_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = share_sub.add_parser("create", help="make a link and print its URL (shown once)")
    q.add_argument(
        "--expires-days",
        type=int,
        default=30,
        metavar="N",
        help="days until it expires (default 30, at most 365)",
    )
    q.add_argument("--sector", action="append", default=[], metavar="S", help="repeatable")
    q.add_argument("--platform", action="append", default=[], metavar="P", help="repeatable")
    q.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    q.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    q.add_argument("--no-downloads", action="store_true", help="hide download buttons")
    q.add_argument("--label", metavar="TEXT", help="shown on the banner and in the list")
    share_sub.add_parser("list", help="links with scope, expiry, state and view count")
    q = share_sub.add_parser("revoke", help="end a link at once")
    q.add_argument("id", type=int)
    p.set_defaults(handler=cmd_share)

    p = sub.add_parser("serve", help="start the dashboard (streamlit)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="fill an empty database with demo data and open the dashboards to visitors",
    )
    p.add_argument(
        "--public",
        action="store_true",
        help="open the dashboards to anonymous visitors (masked, reviewed data only)",
    )
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except TousuError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"错误：数据库不可用：{reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
