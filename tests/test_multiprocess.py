"""Two Tousu processes on one database behind nginx, started by the README's own commands
(section "Several processes behind nginx"): pages work through the proxy, a staff write in
one process shows in the other at its next refresh, a login lock taken in one process holds
in the other, and share links name the proxy's public address."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.proxy import NGINX
from cli.main import main
from models.access import users
from models.access.roles import CLI
from models.store import schema
from models.store.db import get_engine, session_scope
from tests.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    wait_for_login_cookie,
    wait_idle,
)
from tests.factories import add_complaints, add_platforms
from tests.readme import bash_block, shell_env

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "correct-horse-battery"
REFRESH = 5
PUBLIC = "https://tousu.example.org"  # the README's TOUSU_BASE_URL


def _wait_for(url: str, what: str, log: Path, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer at {url}; see {log}")
        time.sleep(0.3)


@pytest.fixture
def deployment(db_url, tmp_path, monkeypatch):
    """The README's commands run by bash in a fresh folder. Changed, and nothing else: the
    database URL, the prefix (not /var/lib on a test machine) and the ports (this machine
    may run other things on 8601, 8602 and 8080) — in the commands and in the copy of
    deploy/nginx.conf that `$PWD` names; `apt-get install` is skipped, nginx checked."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is needed for this test: apt-get install nginx-light")
    engine = get_engine(db_url)
    schema.upgrade(engine)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    rows = [{"platform": "云集", "submitted_at": f"2024-03-0{d} 09:00"} for d in (1, 2, 3)]
    rows.append({"platform": "云集", "submitted_at": "2024-03-04 09:00", "status": "待审核"})
    add_complaints(engine, rows)

    a, b, proxy = free_port(), free_port(), free_port()
    prefix = tmp_path / "nginx"  # fresh: the commands must make what nginx needs
    ports = {"8601": str(a), "8602": str(b), "8080": str(proxy)}
    commands = bash_block("Several processes behind nginx")
    install, commands = commands.split("\n", 1)
    assert install == "apt-get install nginx-light"
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for old, new in ports.items():
        assert re.search(rf"\b{old}\b", commands + conf), f"{old} is no longer in the README"
        commands = re.sub(rf"\b{old}\b", new, commands)
        conf = re.sub(rf"\b{old}\b", new, conf)
    for old, new in {"postgresql://…": db_url, "/var/lib/tousu-nginx": str(prefix)}.items():
        assert old in commands, f"{old} is no longer in the README"
        commands = commands.replace(old, new)
    project = tmp_path / "project"  # what `$PWD` is in the README: the project folder
    (project / "deploy").mkdir(parents=True)
    (project / "deploy" / "nginx.conf").write_text(conf, encoding="utf-8")

    state = tmp_path / "state"
    env = shell_env(
        TOUSU_STATE_DIR=str(state),
        TOUSU_PUBLIC_DASHBOARDS="1",
        TOUSU_REFRESH_SECONDS=str(REFRESH),
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"readme-nginx-{proxy}.log"
    with log.open("w") as out:
        shell = subprocess.Popen(
            ["bash", "-c", commands],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the servers it leaves running
        )
    try:
        assert shell.wait(timeout=60) == 0, log.read_text()  # nginx started, as a daemon
        deadline = time.monotonic() + 90
        for port in (a, b, proxy):
            _wait_for(f"http://127.0.0.1:{port}/_stcore/health", f"port {port}", log, deadline)
        monkeypatch.setenv("TOUSU_DATABASE_URL", db_url)
        monkeypatch.setenv("TOUSU_STATE_DIR", str(state))
        monkeypatch.delenv("TOUSU_BASE_URL", raising=False)
        yield f"http://127.0.0.1:{a}", f"http://127.0.0.1:{b}", f"http://127.0.0.1:{proxy}"
    finally:
        pid_file = prefix / "nginx.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGTERM)  # both `tousu serve`
        for _ in range(100):
            try:
                os.killpg(shell.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)


def _log_in(tab, base: str, password: str) -> None:
    tab.goto(f"{base}/login")
    wait_idle(tab)
    tab.get_by_label("用户名").fill("clerk")
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    wait_idle(tab)


def test_two_processes_behind_nginx_share_writes_and_login_locks(deployment):
    a, b, proxy = deployment
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # Through the proxy: the page, its websocket and the sticky cookie.
        reader = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = reader.new_page()
        tab.goto(f"{proxy}/?period=2024")
        wait_idle(tab)
        assert tab.get_by_test_id("stMetricValue").first.inner_text() == "3"
        assert any(c["name"] == "tousu_route" for c in reader.cookies())

        # Process B shows the figures; a staff member transfers a complaint in process A.
        watcher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        watcher.goto(f"{b}/?period=2024")
        wait_idle(watcher)
        volume = watcher.get_by_test_id("stMetricValue").first
        assert volume.inner_text() == "3"
        staff = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        _log_in(staff, a, PASSWORD)
        wait_for_login_cookie(staff.context)  # set by the next request; then open the page
        staff.goto(f"{a}/review")
        wait_idle(staff)
        staff.get_by_role("button", name="移交平台").click()
        wait_idle(staff)
        assert staff.get_by_text("已移交").count() >= 1
        deadline = time.time() + 4 * REFRESH
        while volume.inner_text() != "4" and time.time() < deadline:
            watcher.wait_for_timeout(500)
        assert volume.inner_text() == "4"

        # Wrong passwords in process A slow the name down in process B too: five are free,
        # then each must wait 2 s, 4 s, 8 s … after the last (models/access/throttle.py).
        guesser = browser.new_context().new_page()
        for pause in (0, 0, 0, 0, 0, 2.3, 4.3):
            guesser.wait_for_timeout(pause * 1000)
            _log_in(guesser, a, "wrong-password")
            assert guesser.get_by_text("用户名或密码不正确").count() == 1
        late = browser.new_context().new_page()
        _log_in(late, b, PASSWORD)
        assert late.get_by_text("登录失败次数过多").count() == 1
        browser.close()


def test_share_links_name_the_proxy_not_a_backend(deployment, capsys):
    """A link made on the command line, in a shell without TOUSU_BASE_URL, names the
    address the servers were started with (the README exports it), not port 8602."""
    assert main(["share", "create", "--sector", "社交电商"]) == 0
    out, _err = capsys.readouterr()
    assert out.startswith(f"{PUBLIC}/?share="), out
    main(["doctor"])
    found = [row for row in capsys.readouterr().out.splitlines() if "TOUSU_BASE_URL" in row]
    assert found == [f"  ✓ TOUSU_BASE_URL  {PUBLIC}（tousu serve 启动时的设置）"]
