"""`tousu serve`: the dashboard and admin pages (Streamlit), run from the project's folder."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from models.errors import TousuError
from models.store import faults, schema
from models.store.db import get_engine, session_scope


def add_parser(sub) -> None:
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
    if not _can_listen(args.address, args.port):
        # Refused before anything is noted: share links and `tousu doctor` read the note,
        # and would send people to whatever holds the port.
        raise TousuError(
            f"无法在 {served} 启动：该端口已被占用，或地址不属于本机"
            "（也许另一个 tousu serve 正在运行）。请用 --port 换一个端口"
        )
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
    os.chdir(ROOT)
    os.execvpe(sys.executable, streamlit_command(args.address, args.port), env)


def _can_listen(address: str, port: int) -> bool:
    """Whether a server could listen on ``address``:``port`` now (bound with the same
    SO_REUSEADDR as the server, so a port a stopped server left in TIME_WAIT is free)."""
    try:
        family, kind, proto, _name, where = socket.getaddrinfo(
            address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError:
        return False
    return True


def streamlit_command(address: str, port: int) -> list[str]:
    """The Streamlit server of the dashboard on ``address``:``port``, to run from the
    project's folder (the tests start theirs with it too)."""
    app = str(ROOT / "dashboard" / "app.py")
    flags = ["--server.port", str(port), "--server.address", address]
    return [sys.executable, "-m", "streamlit", "run", app, *flags]
