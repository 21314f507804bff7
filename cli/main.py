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

from cli import alerts, names, ops, report
from cli.argparse_zh import Parser, chinese
from cli.output import FORMATS, render
from cli.service import cmd_serve, cmd_share, cmd_user, require_schema
from models import clock
from models.access.roles import ROLES
from models.errors import TousuError, UnknownName
from models.reads.ratings import year_ratings
from models.reads.stats import distribution
from models.rules.dimensions import DIMENSIONS, REGISTRY
from models.rules.filters import Filters
from models.rules.rating import REPORT_COLUMNS
from models.store import faults, schema
from models.store.db import get_engine, session_scope


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是日期（应为 YYYY-MM-DD）：{text!r}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"不是年份（应为 YYYY）：{text!r}")
    return int(text)


# --- commands ---------------------------------------------------------------------------


def cmd_init(_args: argparse.Namespace) -> int:
    engine = get_engine()
    before = schema.current_revision(engine)
    schema.prepare(engine)
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
    schema.prepare(engine)

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
    from models.access.roles import CLI
    from models.importing.limits import MAX_FILE_BYTES, megabytes
    from models.writes.imports import import_file

    require_schema()
    path = Path(args.file)
    try:
        with path.open("rb") as handle:  # never more than the cap into memory (or /dev/zero)
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TousuError(f"无法读取文件 {path}：{exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise TousuError(f"文件过大：最多 {megabytes(MAX_FILE_BYTES)}")
    with session_scope(write=True) as session:
        # The admin page's import, audited alike: the operator at the terminal is the actor.
        report = import_file(session, CLI, args.kind, data, path.name, dry_run=args.dry_run)
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


def cmd_stats(args: argparse.Namespace) -> int:
    require_schema()
    if args.year is not None and (args.date_from or args.date_to):
        raise TousuError("--year 与 --from/--to 不能同时使用")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise TousuError("--from 晚于 --to")
    filters = Filters(  # the names are known: cli/names.py checked them
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
    if args.by == "month":  # a time series reads in time order, not by size
        shares.sort(key=lambda share: share.label)
    rows = [{"label": s.label, "count": s.count, "percent": s.percent} for s in shares]
    sys.stdout.write(render(rows, ("label", "count", "percent"), args.format, percent=("percent",)))
    return 0


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tousu",
        description="Tousu 投诉数据：数据库、消费评级与统计。"
        "数据库由环境变量 TOUSU_DATABASE_URL 指定（默认 SQLite 文件 data/tousu.db）。",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("init", help="创建或升级数据库结构（保留数据）")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="写入演示平台和投诉")
    p.add_argument(
        "--complaints",
        type=int,
        default=20_000,
        metavar="N",
        help="截至 2025 年的合成投诉条数（默认 20000）；此后到今天的投诉按同样的节奏另加",
    )
    p.add_argument(
        "--years",
        type=int,
        default=3,
        metavar="Y",
        help="分布在截至 2025 年的 Y 年内（默认 3：2023–2025）",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=2024,
        metavar="S",
        help="随机种子；种子相同，完整年份的数据相同，今年的数据在同一天相同（默认 2024）",
    )
    p.add_argument("--replace", action="store_true", help="先删除已有的平台和投诉")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "summary", help="核对汇总表与重新计数是否一致（check），或重新计算（rebuild）"
    )
    p.add_argument("action", choices=("check", "rebuild"), help="check 核对，rebuild 重新计算")
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("import", help="从 CSV 或 XLSX 导入平台（platforms）或投诉（complaints）")
    p.add_argument("kind", choices=("platforms", "complaints"), help="平台或投诉")
    p.add_argument("file", help="CSV 文件（UTF-8、带 BOM 的 UTF-8 或 GBK）或 XLSX 文件")
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入（试运行）")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("ratings", help="平台某年的消费评级，格式同年度报告")
    p.add_argument("--platform", required=True, metavar="平台", help="平台名称")
    p.add_argument("--year", required=True, type=_year, metavar="YYYY", help="年份")
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_ratings)

    report.add_parser(sub, _year)
    alerts.add_parser(sub)
    ops.add_parser(sub)

    p = sub.add_parser("stats", help="投诉按一个维度的分布（占比）")
    by = "、".join(f"{d.name}（{d.label}）" for d in REGISTRY)
    p.add_argument("--by", required=True, choices=DIMENSIONS, metavar="DIM", help=f"统计维度：{by}")
    p.add_argument("--sector", action="append", default=[], metavar="S", help="赛道，可重复")
    p.add_argument("--platform", action="append", default=[], metavar="P", help="平台，可重复")
    p.add_argument(
        "--province",
        action="append",
        default=[],
        metavar="R",
        help="省级地区（广东或广东省），可重复",
    )
    p.add_argument("--year", type=_year, metavar="YYYY", help="年份")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="起始日期")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="截止日期（含当天）")
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_stats)
    p = sub.add_parser(
        "user",
        help="管理账号（add 添加、list 列表、disable 停用、enable 启用、passwd 改密码、unlock 解除登录限制）",
    )
    user_sub = p.add_subparsers(dest="action", required=True, metavar="操作")
    q = user_sub.add_parser("add", help="创建账号；随后输入密码")
    q.add_argument("name", help="用户名")
    q.add_argument("--role", required=True, choices=ROLES, help="角色")
    q.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="平台",
        help="平台账号负责的平台（--role platform 时必填，可重复）",
    )
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    user_sub.add_parser("list", help="账号、角色和登录限制")
    for action, text in (
        ("disable", "停用账号，不能再登录"),
        ("enable", "重新启用已停用的账号"),
        ("unlock", "解除用户名的登录限制"),
    ):
        user_sub.add_parser(action, help=text).add_argument("name", help="用户名")
    q = user_sub.add_parser("passwd", help="设置新密码")
    q.add_argument("name", help="用户名")
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    p.set_defaults(handler=cmd_user)

    p = sub.add_parser("share", help="给媒体的只读看板链接")
    share_sub = p.add_subparsers(dest="action", required=True, metavar="操作")
    q = share_sub.add_parser("create", help="创建链接并打印地址（只显示一次）")
    q.add_argument(
        "--expires-days",
        type=int,
        default=30,
        metavar="N",
        help="有效天数（默认 30，最多 365）",
    )
    q.add_argument("--sector", action="append", default=[], metavar="S", help="赛道，可重复")
    q.add_argument("--platform", action="append", default=[], metavar="P", help="平台，可重复")
    q.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="起始日期")
    q.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="截止日期")
    q.add_argument("--no-downloads", action="store_true", help="隐藏下载按钮")
    q.add_argument("--label", metavar="TEXT", help="标签，显示在横幅和列表中")
    share_sub.add_parser("list", help="链接的范围、有效期、状态和访问次数")
    q = share_sub.add_parser("revoke", help="立即撤销链接")
    q.add_argument("id", type=int, help="链接编号（见 share list）")
    p.set_defaults(handler=cmd_share)

    p = sub.add_parser("serve", help="启动看板（Streamlit）")
    p.add_argument(
        "--demo",
        action="store_true",
        help="空库时写入演示数据，并向访客开放看板",
    )
    p.add_argument(
        "--public",
        action="store_true",
        help="向匿名访客开放看板（仅脱敏、已审核的数据）",
    )
    p.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    p.add_argument("--address", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.set_defaults(handler=cmd_serve)
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
