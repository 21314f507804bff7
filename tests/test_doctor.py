"""`tousu doctor`: one screen, the password hidden, non-zero exit when something is wrong."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from cli.main import main
from models.access import users
from models.access.roles import CLI
from models.ops import serving
from models.store import schema
from models.store.db import get_engine, session_scope
from tests.browser import free_port
from tests.factories import add_complaints, add_platforms
from tests.ops_helpers import PASSWORD


@pytest.fixture
def healthy(use_db, tmp_path, monkeypatch):
    """A deployment set up as the README says: HTTPS address, board closed, private state."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    monkeypatch.setenv("TOUSU_STATE_DIR", str(state))
    monkeypatch.setenv("TOUSU_BASE_URL", "https://tousu.example.org")
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(use_db)
    if engine.dialect.name == "sqlite":
        for path in tmp_path.glob("tousu.db*"):
            path.chmod(0o600)
    with session_scope(engine, write=True) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(engine, [{"platform": "云集", "submitted_at": "2024-03-01 09:00"}])
    return engine


def doctor(capsys) -> tuple[int, str]:
    code = main(["doctor"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def line(out: str, topic: str) -> str:
    (found,) = [row for row in out.splitlines() if f" {topic} " in f"{row} "]
    return found


def test_a_healthy_deployment_passes(healthy, capsys):
    code, out = doctor(capsys)
    assert code == 0, out
    assert out.splitlines()[-1] == "没有发现问题"
    assert len(out.splitlines()) <= 20  # one screen
    assert "✓" in line(out, "汇总表") and "complaint 1" in line(out, "行数")
    assert schema.head_revision() in line(out, "结构版本")
    assert "pw_a" not in out and "✗" not in out and "!" not in out


def test_inexact_summaries_fail(healthy, capsys):
    with healthy.begin() as conn:
        conn.execute(text("UPDATE summary_rating SET complaints = complaints + 1"))
    code, out = doctor(capsys)
    assert code == 1
    assert "✗" in line(out, "汇总表") and "tousu summary rebuild" in out


def test_an_old_schema_fails(healthy, capsys):
    schema.downgrade(healthy, "0006")
    code, out = doctor(capsys)
    assert code == 1 and "较旧" in line(out, "结构版本") and "tousu init" in out


def test_settings_that_look_wrong_for_a_public_deployment(healthy, capsys, monkeypatch):
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    code, out = doctor(capsys)
    assert code == 0 and "!" in line(out, "公开看板")  # may be intended: a warning
    monkeypatch.setenv("TOUSU_BASE_URL", "http://127.0.0.1:8501")
    code, out = doctor(capsys)
    assert code == 1 and "✗" in line(out, "TOUSU_BASE_URL") and "本机地址" in out


def test_a_state_folder_anyone_may_write_fails(healthy, tmp_path, capsys):
    (tmp_path / "state").chmod(0o777)
    code, out = doctor(capsys)
    assert code == 1 and "✗" in line(out, "状态目录")


def test_an_unreachable_database_fails_without_showing_the_password(capsys, monkeypatch):
    monkeypatch.setenv("TOUSU_DATABASE_URL", "postgresql://ops:s3cret-pw@127.0.0.1:9/tousu")
    code, out = doctor(capsys)
    assert code == 1
    assert "✗" in line(out, "连接") and "数据库暂时无法连接" in out
    assert "s3cret-pw" not in out and "***" in line(out, "数据库")
    get_engine("postgresql://ops:s3cret-pw@127.0.0.1:9/tousu").dispose()


def test_a_missing_sqlite_file_is_not_created(tmp_path, capsys, monkeypatch):
    path = tmp_path / "nowhere.db"
    monkeypatch.setenv("TOUSU_DATABASE_URL", f"sqlite:///{path}")
    code, out = doctor(capsys)
    assert code == 1 and "不存在" in line(out, "连接")
    assert not path.exists()


def _serve(*flags: str) -> subprocess.Popen:
    """`tousu serve` as an operator starts it, once it has noted what it runs with."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(free_port()), *flags],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while (noted := serving.last()) is None or noted.pid != proc.pid:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    return proc


@pytest.mark.parametrize("flag", ["--demo", "--public"])
def test_the_running_servers_public_board_is_reported(healthy, capsys, flag):
    """`tousu serve --demo` opens the board to anonymous visitors whatever the shell that
    runs `tousu doctor` says: doctor reports what the running server does."""
    proc = _serve(flag)
    try:
        code, out = doctor(capsys)
        assert code == 0 and "!" in line(out, "公开看板")
        assert f"已开启（tousu serve {flag}）" in line(out, "公开看板")
        assert f"进程 {proc.pid}，运行中" in line(out, "服务")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    code, out = doctor(capsys)  # stopped: what a server started from this shell would do
    assert code == 0 and "✓" in line(out, "公开看板") and "关闭" in line(out, "公开看板")
    assert "已停止" in line(out, "服务")


def test_a_served_address_that_would_leak_into_links_is_named(healthy, capsys, monkeypatch):
    """Without TOUSU_BASE_URL, links made on the command line point at where `tousu serve`
    listens — behind nginx, one backend: doctor says so, naming the address."""
    monkeypatch.delenv("TOUSU_BASE_URL")
    noted = serving.Serving("http://127.0.0.1:8602", False, None, None, os.getpid())
    serving.record(noted)
    code, out = doctor(capsys)
    found = line(out, "TOUSU_BASE_URL")
    assert code == 0 and "!" in found and "http://127.0.0.1:8602" in found
    assert "后端" in found and "只能在本机打开" in found
    serving.record(dataclasses.replace(noted, address="http://10.0.0.5:8602"))
    found = line(doctor(capsys)[1], "TOUSU_BASE_URL")
    assert "!" in found and "http://10.0.0.5:8602" in found and "只能在本机打开" not in found
    # The server's own TOUSU_BASE_URL is what its links use, though this shell lacks it.
    serving.record(dataclasses.replace(noted, base_url="https://tousu.example.org"))
    code, out = doctor(capsys)
    assert code == 0 and "✓" in line(out, "TOUSU_BASE_URL")
    assert "https://tousu.example.org（tousu serve 启动时的设置）" in out
