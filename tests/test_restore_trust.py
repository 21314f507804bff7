"""A backup is trusted for data, never for privileges.

A dump's checksum proves it whole, not who wrote it: these tests edit real dumps the way
anyone with the file could — an extra administrator, a login session valid for ten
years, share links for ten years — and recompute the checksum as Tousu does
(``tests/ops_helpers.rewrite_dump``). The restore names the administrator before it
writes anything, asks (``--yes`` for scripts), restores no session of any kind, and
refuses a file whose live share link outlasts what a new link may.
"""

from __future__ import annotations

import ast
import hashlib
import os
import pty
import secrets
import select
import subprocess
import sys
import time
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select as sql_select

from cli import restore_plan
from cli.main import main
from models.access import names, sessions, users
from models.access.roles import ROLE_NAMES, ROLES
from models.access.sharing import MAX_DAYS
from models.clock import local_now
from models.errors import TousuError
from models.ops import backup, transfer
from models.ops.backup import CLOCK_SLACK, Plan, overlong
from models.ops.contents import Account, Contents, Link
from models.rules.text import printable
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import User
from tests.ops_helpers import PASSWORD, add_rows, login_sessions, rows

ROOT = Path(__file__).resolve().parent.parent
CROOK = "mallory"
TEN_YEARS = timedelta(days=3650)


def tousu(capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def craft(path: Path) -> str:
    """Add an administrator, a ten-year session for it and a revoked ten-year share link
    to the dump at ``path``; returns the session's cookie token."""
    now = local_now()
    token = secrets.token_urlsafe(32)
    add_rows(
        path,
        "app_user",
        {
            "id": 900,
            "username": CROOK,
            "name_key": names.key(CROOK),
            "name_skeleton": names.skeleton(CROOK),
            "version": 0,
            "role": "admin",
            "password_hash": bcrypt.hashpw(b"crook-password", bcrypt.gensalt(4)).decode(),
            "disabled": False,
            "must_change_password": False,
            "created_at": now.isoformat(),
        },
    )
    add_rows(
        path,
        "login_session",
        {
            "id": 900,
            "user_id": 900,
            "token_hash": _digest(token),
            "created_at": now.isoformat(),
            "expires_at": (now + TEN_YEARS).isoformat(),
        },
    )
    add_rows(path, "share_link", _link(901, "已撤销的长期链接", now, revoked=True))
    return token


def _link(link_id: int, label: str, created: datetime, *, revoked: bool = False) -> dict:
    return {
        "id": link_id,
        "token_hash": secrets.token_hex(32),
        "label": label,
        "downloads": True,
        "alerts": False,
        "created_by": CROOK,
        "created_at": created.isoformat(),
        "expires_at": (created + TEN_YEARS).isoformat(),
        "revoked_at": created.isoformat() if revoked else None,
        "views": 0,
    }


def with_cookie(engine, username: str) -> str:
    """Log in and trade the ticket for the login cookie's token, as a browser does."""
    started = users.log_in(engine, username, PASSWORD).session
    assert started is not None
    with session_scope(engine, write=True) as session:
        token = sessions.redeem_ticket(session, started.ticket)
    assert token
    return token


def logged_in_as(engine, token: str) -> str | None:
    with session_scope(engine) as session:
        found = sessions.current(session, token=token)
    return found.username if found else None


def roles(engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return dict(session.execute(sql_select(User.username, User.role)).all())


# --- the done-when: a crafted dump ------------------------------------------------------


def test_a_crafted_dump_names_its_admin_before_writing_and_restores_no_session(
    deployment, db_url, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "backup.tousu.gz"
    assert tousu(capsys, monkeypatch, deployment, "backup", str(path))[0] == 0
    # The target is in use: restored from the honest file, boss logged in with a cookie.
    assert tousu(capsys, monkeypatch, db_url, "restore", str(path), "--yes")[0] == 0
    target = get_engine(db_url)
    cookie = with_cookie(target, "boss")
    crook_token = craft(path)
    before = rows(target, skip=())

    # Not a terminal and no --yes: the summary, then a refusal; nothing written.
    code, out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--replace")
    assert code == 2 and "--yes" in err and "没有写入任何内容" in err
    crook_line = next(line for line in out.splitlines() if CROOK in line)
    assert f"**{CROOK}**" in crook_line and "管理员" in crook_line
    assert "当前数据库没有此账号" in crook_line
    assert "**boss**" in out and "**clerk**" not in out  # every admin, and only admins
    assert "恢复前将删除其中的全部数据" in out and "登录会话不会恢复" in out
    assert rows(target, skip=()) == before
    assert logged_in_as(target, cookie) == "boss"

    code, out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--replace", "--yes")
    assert code == 0, err
    assert "所有登录会话都已结束" in out
    assert roles(target)[CROOK] == "admin"  # the data the operator confirmed
    assert login_sessions(target) == 0
    assert logged_in_as(target, crook_token) is None  # the file's session: never loaded
    assert logged_in_as(target, cookie) is None  # the database's own: ended


@pytest.mark.parametrize("name", ["backup.tousu.gz", "backup.db"])
def test_no_restore_brings_a_login_back(deployment, db_url, tmp_path, name):
    """Both kinds of file hold the sessions of their day; none is ever loaded."""
    source = get_engine(deployment)
    cookie = with_cookie(source, "boss")
    path = tmp_path / name
    backup.take(source, path)
    target = get_engine(db_url)
    backup.restore(target, path)
    assert logged_in_as(source, cookie) == "boss"
    assert logged_in_as(target, cookie) is None and login_sessions(target) == 0
    assert rows(target) == rows(source)  # everything else came back


def test_an_overlong_share_link_refuses_the_whole_file(
    deployment, db_url, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "backup.tousu.gz"
    assert tousu(capsys, monkeypatch, deployment, "backup", str(path))[0] == 0
    add_rows(path, "share_link", _link(902, "十年链接", local_now()))
    # A creation date in the future: a year from "then" is still ten years from now.
    add_rows(path, "share_link", _link(903, "来自未来", local_now() + TEN_YEARS * 0.9))
    before = rows(get_engine(db_url), skip=())
    code, out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--yes")
    assert code == 1 and "没有写入任何内容" in err
    assert "#902「十年链接」" in err and "#903「来自未来」" in err and f"{MAX_DAYS} 天" in err
    assert sum("超过最长有效期" in line for line in out.splitlines()) == 2
    assert rows(get_engine(db_url), skip=()) == before


def test_a_file_swapped_after_the_summary_is_not_loaded(deployment, db_url, tmp_path):
    """The operator confirms what they saw: a different (whole, valid) file put in its
    place before the load is refused, and nothing is written."""
    path = tmp_path / "backup.tousu.gz"
    backup.take(get_engine(deployment), path)
    target = get_engine(db_url)
    before = rows(target, skip=())
    with backup.opened(path) as source:
        planned = backup.plan(target, source, replace=True)
        assert CROOK not in {a.username for a in planned.file.accounts}
        craft(path)
        with pytest.raises(TousuError, match="换成了另一个"):
            backup.load(target, source, planned)
    assert rows(target, skip=()) == before


def test_the_summary_reads_the_same_from_a_dump_an_sqlite_file_and_a_database(
    deployment, db_url, tmp_path
):
    dumped, copied = tmp_path / "b.tousu.gz", tmp_path / "b.db"
    backup.take(get_engine(deployment), dumped)
    backup.take(get_engine(deployment), copied)
    backup.restore(get_engine(db_url), dumped)

    def read(url: str) -> Contents:
        with transfer.snapshot(get_engine(url)) as connection:
            return transfer.database_source(connection).contents()

    with backup.opened(dumped) as a, backup.opened(copied) as b:
        seen = [a.contents(), b.contents(), read(deployment), read(db_url)]
    assert seen[0] == seen[1] == seen[2]  # counts included
    briefly = [(c.first_complaint, c.last_complaint, c.accounts, c.links) for c in seen]
    assert briefly[0] == briefly[3]
    assert {a.username for a in seen[0].accounts} == {"boss", "clerk"}
    assert seen[0].first_complaint < seen[0].last_complaint and len(seen[0].links) == 1


# --- a real terminal --------------------------------------------------------------------


def _on_terminal(url: str, *argv: str, answer: str) -> tuple[int, str]:
    """Run `tousu` with a pseudo-terminal as stdin, stdout and stderr; answer the question."""
    parent, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *argv],
        cwd=ROOT,
        env={**os.environ, "TOUSU_DATABASE_URL": url},
        stdin=child,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    seen, answered, deadline = b"", False, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if not answered and b"[y/N]" in seen:
                os.write(parent, answer.encode() + b"\n")
                answered = True
            ready, _, _ = select.select([parent], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(parent, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        return process.wait(timeout=30), seen.decode()
    finally:
        os.close(parent)
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("answer", ["n", "y"])
def test_on_a_terminal_admins_are_bold_and_nothing_is_written_without_a_yes(
    deployment, sqlite_url, tmp_path, capsys, monkeypatch, answer
):
    path = tmp_path / "backup.tousu.gz"
    assert tousu(capsys, monkeypatch, deployment, "backup", str(path))[0] == 0
    craft(path)
    target = get_engine(sqlite_url)
    before = rows(target, skip=())
    dispose_engines()
    code, shown = _on_terminal(sqlite_url, "restore", str(path), answer=answer)
    crook_line = next(line for line in shown.splitlines() if CROOK in line)
    assert crook_line.startswith(restore_plan.BOLD) and "**" not in shown
    assert shown.index(CROOK) < shown.index("[y/N]")
    if answer == "n":
        assert code == 1 and "已取消" in shown
        assert rows(target, skip=()) == before
    else:
        assert code == 0 and "已恢复" in shown
        assert roles(target)[CROOK] == "admin" and login_sessions(target) == 0


# --- the rules, swept -------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2040, 1, 1))


@settings(max_examples=300, deadline=None)
@given(
    created=moments,
    days=st.integers(1, MAX_DAYS),
    later=st.timedeltas(-CLOCK_SLACK, timedelta(days=20 * 365)),
)
def test_every_link_tousu_can_make_is_accepted(created, days, later):
    """Made by `tousu share create` (1 to MAX_DAYS days) and restored at any time after —
    or on a machine up to a day behind."""
    link = Link(1, "链接", created, created + timedelta(days=days))
    assert not overlong(link, created + later)


@settings(max_examples=300, deadline=None)
@given(
    created=moments,
    term=st.timedeltas(timedelta(0), timedelta(days=20 * 365)),
    now=moments,
    revoked=st.booleans(),
)
def test_a_link_is_refused_exactly_when_it_is_live_and_too_long(created, term, now, revoked):
    link = Link(1, "链接", created, created + term, now if revoked else None)
    longest = timedelta(days=MAX_DAYS)
    live = not revoked and link.expires_at > now
    too_long = term > longest or link.expires_at - now > longest + CLOCK_SLACK
    assert overlong(link, now) == (live and too_long)


@given(st.text())
def test_printable_text_has_no_hidden_character_and_reads_back(text):
    shown = printable(text)
    assert not any(
        unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")
        for ch in shown
    )
    assert ast.literal_eval('"' + shown.replace('"', '\\"') + '"') == text


@settings(max_examples=150, deadline=None)
@given(
    accounts=st.lists(
        st.builds(Account, st.text(min_size=1), st.sampled_from([*ROLES, "root"]), st.booleans()),
        max_size=6,
        unique_by=lambda a: a.username,
    ),
    labels=st.lists(st.text(), max_size=3),
    bold=st.booleans(),
)
def test_the_summary_marks_every_admin_and_no_name_can_hide_one(accounts, labels, bold):
    now = datetime(2026, 12, 6, 12, 0)
    links = tuple(Link(i, t, now, now + timedelta(days=30 * i)) for i, t in enumerate(labels))
    held = Contents({"app_user": len(accounts)}, None, None, tuple(accounts), links)
    text = restore_plan.render(Plan(held, Contents(), False, now), "b", "t", bold=bold)
    plain = text.replace(restore_plan.BOLD, "").replace(restore_plan.PLAIN, "")
    assert not any(unicodedata.category(ch)[0] == "C" for ch in plain.replace("\n", ""))
    lines = text.splitlines()
    if not accounts:
        assert "账号：没有" in lines
        return
    first = next(i for i, line in enumerate(lines) if line.startswith("账号 ")) + 1
    for account, line in zip(accounts, lines[first : first + len(accounts)], strict=True):
        name, admin = printable(account.username), account.role == "admin"
        if bold:
            assert line.startswith(restore_plan.BOLD) == admin
            assert line.removeprefix(restore_plan.BOLD).startswith(f"  {name}")
        else:
            assert line.startswith(f"  **{name}**") == admin
            assert line.startswith(f"  {name}") or admin
        role = ROLE_NAMES.get(account.role, f"未知角色“{account.role}”")
        assert f"  {role}" in line
