"""What `tousu restore` shows before it writes anything: the file, its accounts and share
links, and what the database holds now (what ``--replace`` deletes).

Administrators are marked: in bold on a terminal, else between ``**`` (a log, a pipe).
Text from the file (usernames, link labels) is printed through
:func:`~models.rules.text.printable`, so no escape sequence in it can redraw the screen.
"""

from __future__ import annotations

from datetime import datetime

from cli.output import display_width
from models.access.roles import ROLE_NAMES
from models.ops.backup import Plan
from models.ops.contents import SESSIONS, Account, Contents
from models.ops.transfer import ALWAYS_FILLED
from models.rules.text import printable

BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "—"


def _rows(cells: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    """Indented columns padded to their widest cell (CJK characters count two); the
    ``right`` columns aligned right."""
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(cells[0]))]

    def pad(i: int, cell: str) -> str:
        gap = " " * (widths[i] - display_width(cell))
        return gap + cell if i in right else cell + gap

    return ["  " + "  ".join(pad(i, c) for i, c in enumerate(row)).rstrip() for row in cells]


def _counts(contents: Contents, note: dict[str, str], *, empty: bool = True) -> list[str]:
    """Rows per table (``empty``: also the tables without any) and the complaints' span."""
    cells = [
        [name, f"{n:,}", note.get(name, "")]
        for name, n in contents.counts.items()
        if name not in ALWAYS_FILLED and (n or empty)
    ]
    lines = _rows(cells, right=(1,)) if cells else []
    if contents.first_complaint:
        span = f"{_when(contents.first_complaint)} 至 {_when(contents.last_complaint)}"
        lines.append(f"  投诉提交时间：{span}")
    return lines


def _role(role: str) -> str:
    return ROLE_NAMES.get(role) or f"未知角色“{printable(role)}”"


def _accounts(plan: Plan, bold: bool) -> list[str]:
    accounts = plan.file.accounts
    if not accounts:
        return ["账号：没有"]
    marked = "粗体" if bold else " ** "
    lines = [f"账号 {len(accounts)} 个，恢复后是管理员的 {len(plan.admins)} 个（以{marked}标出）："]
    now = {a.username: a for a in plan.target.accounts}
    cells = []
    for account in accounts:
        name = printable(account.username)
        if account.role == "admin" and not bold:
            name = f"**{name}**"
        cells.append(
            [
                name,
                _role(account.role),
                "已停用" if account.disabled else "",
                _compared(account, now),
            ]
        )
    for account, line in zip(accounts, _rows(cells), strict=True):
        lines.append(f"{BOLD}{line}{PLAIN}" if bold and account.role == "admin" else line)
    return lines


def _compared(account: Account, now: dict[str, Account]) -> str:
    """How the account differs from the one of that name the database holds now."""
    if not now:
        return ""
    held = now.get(account.username)
    if held is None:
        return "当前数据库没有此账号"
    if held.role != account.role:
        return f"当前数据库中为{_role(held.role)}"
    return ""


def _links(plan: Plan) -> list[str]:
    links = plan.file.links
    live = [link for link in links if link.live(plan.now)]
    too_long = set(plan.overlong_links)
    lines = [
        f"分享链接 {len(links)} 个：有效 {len(live)} 个，已撤销或已过期 {len(links) - len(live)} 个"
    ]
    cells = [
        [
            f"#{link.id}",
            f"「{printable(link.label)}」",
            f"创建于 {_when(link.created_at)}",
            f"到期 {_when(link.expires_at)}",
            "超过最长有效期" if link in too_long else "",
        ]
        for link in live
    ]
    return lines + (_rows(cells) if cells else [])


def render(plan: Plan, source_name: str, target_name: str, *, bold: bool) -> str:
    """The summary shown before a restore writes anything (ends with a newline)."""
    sessions = plan.file.counts.get(SESSIONS, 0)
    lines = [f"备份文件 {source_name} 中有："]
    lines += _counts(plan.file, {SESSIONS: "不恢复"} if sessions else {})
    lines += _accounts(plan, bold)
    lines += _links(plan)
    lines.append(
        "登录会话不会恢复：恢复之后所有人都需要重新登录"
        + (f"（备份中有 {sessions:,} 个）" if sessions else "")
    )
    if not plan.held:
        lines.append(f"目标数据库 {target_name} 是空的")
    else:
        verb = "恢复前将删除其中的全部数据" if plan.replace else "不加 --replace 不会覆盖"
        lines.append(f"目标数据库 {target_name} 现有（{verb}）：")
        lines += _counts(plan.target, {}, empty=False)
        admins = sum(a.role == "admin" for a in plan.target.accounts)
        lines.append(f"  账号 {len(plan.target.accounts)} 个，其中管理员 {admins} 个")
    return "\n".join(lines) + "\n"
