"""`tousu digest`: the weekly digest for management, written to a file or mailed."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.alerts import add_week_option
from cli.data import require_schema
from cli.filter_options import add_filter_options, filters_from
from models.access.roles import CLI
from models.alerts import digest
from models.alerts.detect import When
from models.errors import TousuError
from models.settings import get_settings
from models.store.db import session_scope
from reports import digest as writer


def add_parser(sub) -> None:
    p = sub.add_parser(
        "digest",
        help="消费投诉周报：本周概况、消费预警、评级变化、回复队列和新案例（HTML，可发邮件）",
        description="默认为最近一个完整的周。--send 通过 TOUSU_SMTP_URL 发给 TOUSU_DIGEST_TO；"
        "投诉人信息一律脱敏。定时发送请用 cron 或 systemd 定时器（见 deploy/）。",
    )
    add_week_option(p)
    add_filter_options(p, "--sector")
    p.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="写入文件：.html（默认）、.pdf 或 .txt（纯文本）",
    )
    p.add_argument("--send", action="store_true", help="通过邮件发送")
    p.set_defaults(handler=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    if not args.output and not args.send:
        raise TousuError("请指定 --output FILE 或 --send（或两者）")
    settings = get_settings()
    if args.send and not (settings.smtp_url and settings.digest_to):
        raise TousuError("发送周报需要设置 TOUSU_SMTP_URL 和 TOUSU_DIGEST_TO")
    require_schema()
    week = args.week or When.latest("week")
    with session_scope() as session:
        found = digest.build(session, CLI, week, filters_from(args))
    org = settings.report_org
    if args.output:
        kind = args.output.suffix.lower()
        if kind == ".pdf":
            args.output.write_bytes(writer.pdf(found, org))
        else:
            content = writer.text(found, org) if kind == ".txt" else writer.html(found, org)
            args.output.write_text(content, encoding="utf-8")
        print(f"已写入 {args.output}：{found.title}")
    if args.send:
        mail = writer.message(found, org, settings.digest_from, settings.digest_to)
        writer.send(mail, settings.smtp_url or "")
        print(f"已发送给 {len(settings.digest_to)} 位收件人：{found.title}")
    return 0
