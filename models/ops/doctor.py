"""`tousu doctor`: what an operator needs to know about a deployment, checked in one go.

Each check gives a :class:`Finding`: ``ok``, ``warn`` (worth a look; may be intended) or
``fail`` (something is wrong: the command exits non-zero). Nothing is changed.
"""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from models.access.sharing import is_loopback
from models.access.users import count_admins, look_alikes
from models.ops import serving, transfer
from models.ops.serving import Serving
from models.settings import Settings
from models.store import faults, schema, summary
from models.store.tables import User


@dataclass(frozen=True)
class Finding:
    status: str  # "ok" | "warn" | "fail"
    topic: str
    detail: str


def examine(settings: Settings, engine: Engine, shown_url: str) -> list[Finding]:
    """Every check, in the order they are printed."""
    findings = [Finding("ok", "数据库", shown_url)]
    reached = _reach(engine)
    findings.append(reached)
    if reached.status == "ok":
        findings += _database(engine)
    findings += _settings(settings, serving.last(settings.state_dir))
    findings += _files(settings, engine)
    return findings


def _reach(engine: Engine) -> Finding:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and not Path(database).exists():
        return Finding("fail", "连接", f"数据库文件不存在：{database}（`tousu init` 会创建）")
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                version = "PostgreSQL " + str(
                    connection.execute(text("SHOW server_version")).scalar()
                )
            else:
                version = f"SQLite {sqlite3.sqlite_version}"
    except faults.CANDIDATES as exc:
        fault = faults.describe(exc)
        if fault is None:
            raise
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return Finding("fail", "连接", f"{fault.message}：{reason[0] if reason else ''}")
    return Finding("ok", "连接", f"可以连接（{version}）")


def _database(engine: Engine) -> list[Finding]:
    revision, head = schema.current_revision(engine), schema.head_revision()
    if revision is None:
        return [Finding("fail", "结构版本", "空库，还没有表：运行 `tousu init`（或启动 Tousu）")]
    if revision not in schema.revisions():
        return [Finding("fail", "结构版本", f"{revision} 比当前的 Tousu（{head}）新：请升级 Tousu")]
    if revision != head:
        return [Finding("fail", "结构版本", f"{revision}，较旧（最新 {head}）：运行 `tousu init`")]
    found = [Finding("ok", "结构版本", f"{revision}（最新）")]
    with transfer.snapshot(engine) as connection:
        session = Session(bind=connection)
        problems = summary.check(session)
        counts = transfer.count_rows(connection, transfer.tables_at(connection))
        found.append(
            Finding(
                "fail",
                "汇总表",
                f"{len(problems)} 处与重新计数不一致：运行 `tousu summary rebuild`",
            )
            if problems
            else Finding("ok", "汇总表", "与重新计数一致")
        )
        shown = ("platform", "complaint", "reply", "satisfaction_score", "app_user", "audit_log")
        found.append(Finding("ok", "行数", "，".join(f"{n} {counts[n]:,}" for n in shown)))
        found += _accounts(session)
    return found


def _accounts(session: Session) -> list[Finding]:
    return _look_alikes(session) + _admins(session)


def _look_alikes(session: Session) -> list[Finding]:
    similar = look_alikes(session)
    if not similar:
        return []
    pairs = "；".join(f"“{name}”像“{older}”" for name, older in sorted(similar.items()))
    return [
        Finding(
            "warn",
            "相似账号",
            f"{pairs}（在拒绝相似用户名之前创建，仍可登录）：请确认是否同一人，"
            "不需要的账号请用 `tousu user disable` 停用",
        )
    ]


def _admins(session: Session) -> list[Finding]:
    admins = count_admins(session)
    if not admins:
        return [Finding("warn", "账号", "没有可用的管理员：`tousu user add NAME --role admin`")]
    fresh = (
        session.execute(
            select(User.username).where(User.role == "admin", User.must_change_password.is_(True))
        )
        .scalars()
        .all()
    )
    if fresh:
        names = "、".join(fresh)
        return [Finding("warn", "账号", f"管理员 {names} 的一次性密码还没有修改：请尽快登录并修改")]
    return [Finding("ok", "账号", f"{admins} 个管理员")]


def _server(noted: Serving | None) -> Finding:
    if noted is None:
        return Finding("ok", "服务", "没有 `tousu serve` 的启动记录（下面按本环境的设置）")
    if noted.running:
        return Finding("ok", "服务", f"{noted.address}（tousu serve，进程 {noted.pid}，运行中）")
    return Finding(
        "ok", "服务", f"上次 tousu serve 在 {noted.address}（已停止；下面按本环境的设置）"
    )


def _settings(settings: Settings, noted: Serving | None) -> list[Finding]:
    """The settings the server runs with: a running `tousu serve`'s own (its flags and its
    environment), else this environment's — what a server started here would use."""
    running = noted if noted is not None and noted.running else None
    found = [_server(noted), _base_url(settings, noted)]
    public = running.public if running else settings.public_dashboards
    because = (running and running.public_because) or "TOUSU_PUBLIC_DASHBOARDS=1"
    if public:
        fix = "请不带该选项重新启动" if because.startswith("--") else "请设为 0"
        found.append(
            Finding(
                "warn",
                "公开看板",
                f"已开启（{'tousu serve ' if running else ''}{because}）：能访问服务器的人"
                f"不登录就能看全部看板（已脱敏）。若非有意，{fix}",
            )
        )
    else:
        found.append(Finding("ok", "公开看板", "关闭：看板需要登录或分享链接"))
    return found


def _base_url(settings: Settings, noted: Serving | None) -> Finding:
    """Where share links point (models/access/sharing.py): TOUSU_BASE_URL here, else the
    server's, else — for links made on the command line — the address it listens on."""
    base, whose = settings.base_url, ""
    if base is None and noted is not None and noted.base_url:
        base, whose = noted.base_url, "（tousu serve 启动时的设置）"
    if base is None and noted is not None:
        where = "只能在本机打开；" if is_loopback(noted.address) else ""
        return Finding(
            "warn",
            "TOUSU_BASE_URL",
            f"未设置：命令行创建的分享链接会指向 tousu serve 的监听地址 {noted.address}，"
            f"{where}在 nginx 等代理之后它是一个后端，不是代理的地址。请设为公开地址"
            "（如 https://tousu.example.org）",
        )
    if base is None:
        return Finding("warn", "TOUSU_BASE_URL", "未设置：分享链接用管理页面打开时的地址")
    if is_loopback(base):
        return Finding(
            "fail", "TOUSU_BASE_URL", f"{base}{whose} 是本机地址：分享链接在其他电脑上打不开"
        )
    if not base.startswith("https://"):
        return Finding(
            "warn", "TOUSU_BASE_URL", f"{base}{whose} 不是 https：登录 Cookie 不会标记 Secure"
        )
    return Finding("ok", "TOUSU_BASE_URL", base + whose)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(settings: Settings, engine: Engine) -> list[Finding]:
    found = []
    state = settings.state_dir
    if not state.exists():
        found.append(Finding("warn", "状态目录", f"{state} 不存在（`tousu serve` 会创建）"))
    elif _mode(state) & stat.S_IWOTH:
        found.append(
            Finding("fail", "状态目录", f"{state} 所有用户可写（{_mode(state):04o}）：chmod o-w")
        )
    else:
        found.append(Finding("ok", "状态目录", f"{state}（{_mode(state):04o}）"))
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return found
    path = Path(engine.url.database)
    if not path.exists():
        return found
    if _mode(path.parent) & stat.S_IWOTH:
        found.append(Finding("fail", "数据库文件", f"{path.parent} 所有用户可写：chmod o-w"))
    elif _mode(path) & (stat.S_IROTH | stat.S_IWOTH):
        found.append(
            Finding(
                "warn",
                "数据库文件",
                f"{path} 本机所有用户可读（{_mode(path):04o}）：其中有个人信息和密码哈希，"
                f"建议 chmod 600",
            )
        )
    else:
        found.append(Finding("ok", "数据库文件", f"{path}（{_mode(path):04o}）"))
    return found
