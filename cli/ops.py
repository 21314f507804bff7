"""Operations commands: `tousu backup`, `tousu restore`, `tousu migrate`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from cli import restore_plan
from models.errors import TousuError
from models.ops import backup, transfer
from models.ops.transfer import Loaded
from models.settings import get_settings
from models.store.db import get_engine, normalize_url

#: A progress line at most this often per table (and always at its end).
PROGRESS_SECONDS = 2.0


def add_parser(sub) -> None:
    p = sub.add_parser(
        "backup", help="数据库的一致副本，运行中也可做（.db：SQLite 文件；其他名字：Tousu 转储）"
    )
    p.add_argument("file", type=Path, help="备份文件，如 tousu-2025-06-30.tousu.gz 或 tousu.db")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore", help="把备份恢复到（空的）数据库：先列出文件的内容和将删除的数据，确认后才写入"
    )
    p.add_argument("file", type=Path, help="tousu backup 写出的文件")
    p.add_argument("--replace", action="store_true", help="替换数据库现有的全部数据")
    p.add_argument("--yes", action="store_true", help="不询问，直接恢复（供脚本使用）")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser(
        "migrate", help="把全部数据复制到另一个（空的）数据库，如 SQLite → PostgreSQL"
    )
    p.add_argument("--to", required=True, metavar="URL", help="目标数据库的地址")
    p.set_defaults(handler=cmd_migrate)


def shown(url: str) -> str:
    """A database URL as it may be printed: the password hidden."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


class _Progress:
    """Rows copied per table on stderr: one line every few seconds and one at the end."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.last: dict[str, float] = {}

    def __call__(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last.get(table, 0.0) < PROGRESS_SECONDS:
            return
        self.last[table] = now
        print(f"{self.verb} {table}：{done:,}/{total:,} 行", file=sys.stderr, flush=True)


def _report(loaded: Loaded) -> None:
    total = sum(loaded.counts.values())
    print(f"共 {total:,} 行，结构版本 {loaded.revision}：")
    for name, count in loaded.counts.items():
        print(f"  {name:<20} {count:>12,}")
    if loaded.rebuilt_summaries:
        print(
            f"汇总表与重新计数有 {len(loaded.rebuilt_summaries)} 处不一致，已按投诉数据重新计算",
            file=sys.stderr,
        )
    else:
        print("汇总表与重新计数一致")


def cmd_backup(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    print(f"备份 {shown(url)} → {args.file}", file=sys.stderr)
    taken = backup.take(get_engine(), args.file, _Progress("备份"))
    kind = "SQLite 数据库文件" if taken.kind == "sqlite" else "Tousu 转储"
    rows = sum(taken.counts.values())
    print(f"已写入 {taken.path}（{kind}，结构版本 {taken.revision}，共 {rows:,} 行）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Show what the file holds and what will be deleted, ask, and only then write."""
    url = get_settings().database_url
    print(f"从 {args.file} 恢复到 {shown(url)}", file=sys.stderr)
    engine = get_engine()
    with backup.opened(args.file) as source:
        planned = backup.plan(engine, source, replace=args.replace)
        bold = sys.stdout.isatty()
        print(restore_plan.render(planned, str(args.file), shown(url), bold=bold), end="")
        sys.stdout.flush()
        planned.check()
        if not args.yes:
            if not sys.stdin.isatty():
                print(
                    "错误：没有确认，没有写入任何内容。确认上面的内容无误后，"
                    "请在终端里运行并回答 y，或加 --yes（供脚本使用）",
                    file=sys.stderr,
                )
                return 2
            if not _confirmed("确认恢复？[y/N] "):
                print("已取消，没有写入任何内容", file=sys.stderr)
                return 1
        loaded = backup.load(engine, source, planned, progress=_Progress("恢复"))
    print(f"已恢复 {args.file}；所有登录会话都已结束，每个人需要重新登录")
    _report(loaded)
    return 0


def _confirmed(question: str) -> bool:
    """Ask on the terminal (the question on stderr, so stdout can go to a log)."""
    print(question, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in {"y", "yes", "是"}


def cmd_migrate(args: argparse.Namespace) -> int:
    here = get_settings().database_url
    if normalize_url(args.to) == normalize_url(here):
        raise TousuError("目标就是当前数据库（TOUSU_DATABASE_URL）：请给另一个数据库的地址")
    print(f"从 {shown(here)} 复制到 {shown(args.to)}", file=sys.stderr)
    with transfer.snapshot(get_engine()) as connection:
        loaded = transfer.load(
            get_engine(args.to), transfer.database_source(connection), progress=_Progress("复制")
        )
    print(f"已复制到 {shown(args.to)}（登录会话不复制：在新数据库上每个人需要重新登录）")
    _report(loaded)
    print(f"下一步：把 TOUSU_DATABASE_URL 设为新数据库的地址（{shown(args.to)}），然后重启 Tousu")
    return 0
