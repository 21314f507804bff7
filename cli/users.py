"""`tousu user`: the accounts that may sign in (add, list, disable, enable, passwd, unlock)."""

from __future__ import annotations

import argparse
import sys

from cli.data import require_schema
from cli.output import render
from models.access.roles import ROLES
from models.errors import TousuError
from models.store.db import session_scope


def add_parser(sub) -> None:
    p = sub.add_parser(
        "user",
        help="管理账号（add 添加、list 列表、disable 停用、enable 启用、passwd 改密码、unlock 解除登录限制）",
    )
    user_sub = p.add_subparsers(dest="action", required=True, metavar="操作")
    q = user_sub.add_parser("add", help="创建账号；随后输入密码")
    q.add_argument("name", help="用户名")
    q.add_argument("--role", required=True, choices=ROLES, help="角色")
    # Not a filter: the platforms the account answers for (cli/names.py checks them alike).
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


def _read_password(args: argparse.Namespace, username: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise TousuError("标准输入中没有密码")
        return password
    import getpass

    first = getpass.getpass(f"{username} 的新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise TousuError("两次输入的密码不一致")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from models.access import users
    from models.access.roles import CLI, ROLE_NAMES

    require_schema()
    # Asked before the transaction opens: never hold the write lock while someone types.
    password = _read_password(args, args.name) if args.action in ("add", "passwd") else ""
    with session_scope(write=True) as session:
        if args.action == "add":
            name = users.add_user(
                session, CLI, args.name, args.role, password, platforms=args.platform
            )
            owns = f"，负责：{'、'.join(sorted(set(args.platform)))}" if args.platform else ""
            print(f"已创建用户 {name}（{ROLE_NAMES[args.role]}{owns}）")
        elif args.action == "list":
            rows = [
                {
                    "用户名": u.username,
                    "角色": ROLE_NAMES.get(u.role, u.role),
                    "负责平台": "、".join(u.platforms),
                    "状态": "已停用" if u.disabled else "正常",
                    "登录限制至": (
                        f"{u.throttled_until:%Y-%m-%d %H:%M:%S}" if u.throttled_until else ""
                    ),
                    "创建时间": f"{u.created_at:%Y-%m-%d %H:%M}",
                    "相似账号": f"像 {u.looks_like}" if u.looks_like else "",
                }
                for u in users.list_users(session, CLI)
            ]
            if not rows:
                print(
                    "还没有用户：用 `tousu user add NAME --role admin` 创建第一个管理员",
                    file=sys.stderr,
                )
            sys.stdout.write(
                render(
                    rows, ("用户名", "角色", "状态", "登录限制至", "创建时间", "相似账号"), "table"
                )
            )
        elif args.action in ("disable", "enable"):
            users.set_disabled(session, CLI, args.name, args.action == "disable", seen_version=None)
            print(f"用户 {args.name} 已{'停用' if args.action == 'disable' else '启用'}")
        elif args.action == "passwd":
            users.set_password(session, CLI, args.name, password, seen_version=None)
            print(f"已为 {args.name} 设置新密码")
        elif args.action == "unlock":
            users.unlock(session, CLI, args.name)
            print(f"已解除 {args.name} 的登录限制")
    return 0
