"""The database and what is in it: `tousu init`, `tousu demo`, `tousu summary`, `tousu import`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.errors import TousuError
from models.store import schema
from models.store.db import get_engine, session_scope


def require_schema() -> None:
    """Refuse to run a command on a database that is empty or behind the code."""
    current = schema.current_revision(get_engine())
    if current is None:
        raise TousuError("数据库尚未初始化：请先运行 `tousu init`")
    schema.check_known(current)
    if current != schema.head_revision():
        raise TousuError("数据库结构版本较旧：请运行 `tousu init` 升级（数据会保留）")


def add_parser(sub) -> None:
    p = sub.add_parser("init", help="创建或升级数据库结构（保留数据）")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="写入演示平台和投诉")
    for flag, default, metavar, text in (
        (
            "--complaints",
            20_000,
            "N",
            "截至 2025 年的合成投诉条数（默认 20000）；此后到今天的投诉按同样的节奏另加",
        ),
        ("--years", 3, "Y", "分布在截至 2025 年的 Y 年内（默认 3：2023–2025）"),
        (
            "--seed",
            2024,
            "S",
            "随机种子；种子相同，完整年份的数据相同，今年的数据在同一天相同（默认 2024）",
        ),
    ):
        p.add_argument(flag, type=int, default=default, metavar=metavar, help=text)
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
