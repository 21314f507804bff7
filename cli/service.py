"""The commands that run the service and manage who may use it: serve, user, share."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cli.output import render
from models.errors import TousuError
from models.store import faults, schema
from models.store.db import get_engine, session_scope


def require_schema() -> None:
    current = schema.current_revision(get_engine())
    if current is None:
        raise TousuError("数据库尚未初始化：请先运行 `tousu init`")
    schema.check_known(current)
    if current != schema.head_revision():
        raise TousuError("数据库结构版本较旧：请运行 `tousu init` 升级（数据会保留）")


def _one_time_admin(engine) -> None:
    """On a demo with no accounts, make `admin` with a random password to change at first login."""
    from models.access import users
    from models.access.roles import CLI

    with session_scope(engine, write=True) as session:
        if users.count_users(session):
            return
        password = users.generate_password()
        users.add_user(session, CLI, "admin", "admin", password, must_change_password=True)
    print(f"已创建管理员 admin，一次性密码：{password}（首次登录后须修改）", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:

    from sqlalchemy import func, select

    from models.demo import generate_demo
    from models.store.tables import Complaint

    engine = get_engine()
    env = dict(os.environ)
    try:
        schema.prepare(engine)
    except faults.CANDIDATES as exc:
        fault = faults.describe(exc)
        if fault is None or args.demo:  # the demo needs its data now
            raise
        # The pages say so and come back by themselves once the database answers.
        print(f"警告：{fault.message}；看板照常启动，数据库恢复后自动可用", file=sys.stderr)
    if args.demo:
        with session_scope(engine) as session:
            empty = not session.scalar(select(func.count()).select_from(Complaint))
        if empty:
            print("首次运行：正在生成演示数据……", file=sys.stderr, flush=True)
            print(generate_demo(engine), file=sys.stderr)
        env["TOUSU_PUBLIC_DASHBOARDS"] = "1"
        _one_time_admin(engine)
    if args.public:
        env["TOUSU_PUBLIC_DASHBOARDS"] = "1"
    _run_streamlit(args, env)
    return 0  # not reached


ROOT = Path(__file__).resolve().parent.parent


def _absolute_url(url: str) -> str:
    """An SQLite URL with a relative path, made absolute (the server runs from ROOT)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or parsed.query.get("uri"):
        return url
    if database == ":memory:" or Path(database).is_absolute():
        return url
    return parsed.set(database=str(Path(database).resolve())).render_as_string(hide_password=False)


def _run_streamlit(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Replace this process by the Streamlit server, run from the project's folder: that is
    where Streamlit reads .streamlit/config.toml (no telemetry, no error details)."""
    from models.ops import serving
    from models.settings import Settings, get_settings

    settings = get_settings()
    env["TOUSU_DATABASE_URL"] = _absolute_url(settings.database_url)
    env["TOUSU_STATE_DIR"] = str(settings.state_dir.resolve())
    # uvicorn would take X-Forwarded-For from any local process; Tousu applies
    # TOUSU_TRUSTED_PROXIES itself (web/proxies.py), so the server trusts nobody.
    env["FORWARDED_ALLOW_IPS"] = ""
    served = f"http://{args.address}:{args.port}"
    runs_with = Settings.from_env(env)  # what the server will read, flags applied
    because = next(
        (flag for flag, given in (("--demo", args.demo), ("--public", args.public)) if given),
        "TOUSU_PUBLIC_DASHBOARDS=1",
    )
    serving.record(
        serving.Serving(
            address=served,
            public=runs_with.public_dashboards,
            public_because=because if runs_with.public_dashboards else None,
            base_url=runs_with.base_url,
            pid=os.getpid(),  # exec keeps it: the Streamlit server's own
        )
    )
    # Streamlit's own English welcome is off (.streamlit/config.toml): this line says it.
    print(
        f"Tousu 看板：{served}（启动后在浏览器中打开；按 Ctrl+C 停止）", file=sys.stderr, flush=True
    )
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "dashboard" / "app.py"),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
    ]
    os.chdir(ROOT)
    os.execvpe(sys.executable, command, env)


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
