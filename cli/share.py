"""`tousu share`: read-only dashboard links for the press (create, list, revoke)."""

from __future__ import annotations

import argparse
import sys

from cli.data import require_schema
from cli.filter_options import add_filter_options
from cli.output import render
from models.store.db import session_scope


def add_parser(sub) -> None:
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
    add_filter_options(q, "--sector", "--platform", "--from", "--to")
    q.add_argument("--no-downloads", action="store_true", help="隐藏下载按钮")
    q.add_argument("--alerts", action="store_true", help="也可查看“预警”页面（默认不可）")
    q.add_argument("--label", metavar="TEXT", help="标签，显示在横幅和列表中")
    share_sub.add_parser("list", help="链接的范围、有效期、状态和访问次数")
    q = share_sub.add_parser("revoke", help="立即撤销链接")
    q.add_argument("id", type=int, help="链接编号（见 share list）")
    p.set_defaults(handler=cmd_share)


def cmd_share(args: argparse.Namespace) -> int:
    from models.access import sharing
    from models.access.roles import CLI

    require_schema()
    with session_scope(write=True) as session:
        if args.action == "create":
            info, token = sharing.create_link(
                session,
                CLI,
                label=args.label or "",
                expires_days=args.expires_days,
                sectors=args.sector or None,
                platforms=args.platform or None,
                date_from=args.date_from,
                date_to=args.date_to,
                downloads=not args.no_downloads,
                alerts=args.alerts,
            )
            url = sharing.url_for(token)
            print(url)
            if sharing.is_loopback(url):
                print(sharing.LOOPBACK_WARNING.format(base=sharing.base_url()), file=sys.stderr)
            print(
                f"编号 {info.id}，{info.describe()}，有效期至 {info.expires_at:%Y-%m-%d %H:%M}"
                "（链接只显示这一次，请妥善保存）",
                file=sys.stderr,
            )
        elif args.action == "list":
            rows = [
                {
                    "编号": i.id,
                    "标签": i.label,
                    "范围": i.describe(),
                    "有效期至": f"{i.expires_at:%Y-%m-%d %H:%M}",
                    "状态": i.state,
                    "访问次数": i.views,
                    "最近访问": f"{i.last_used_at:%Y-%m-%d %H:%M}" if i.last_used_at else "",
                }
                for i in sharing.list_links(session, CLI)
            ]
            if not rows:
                print("还没有分享链接：用 `tousu share create` 创建", file=sys.stderr)
            sys.stdout.write(
                render(
                    rows,
                    ("编号", "标签", "范围", "有效期至", "状态", "访问次数", "最近访问"),
                    "table",
                )
            )
        else:
            sharing.revoke(session, CLI, args.id)
            print(f"分享链接 {args.id} 已撤销，立即失效")
    return 0
