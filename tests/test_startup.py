"""Every start works: the first page run (or `tousu init`) creates or upgrades the schema,
once, safely when several processes start together; a database from a newer Tousu is
refused in Chinese; faults on a page are one sentence, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import text

from cli.main import main
from models.store import schema
from models.store.db import get_engine
from tests.browser import ROOT, free_port
from tests.dashboard_helpers import app, errors

# Each process waits for the same moment, then prepares the schema.
PREPARE = """
import sys, time
from models.store import schema
from models.store.db import get_engine
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
print(schema.prepare(get_engine(sys.argv[1])))
"""


def _old_database_with_data(engine) -> None:
    schema.downgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO platform (name, sector, onboarded, created_at) "
                "VALUES ('老平台', '社交电商', true, '2023-05-01 08:00:00')"
            )
        )


def test_processes_starting_together_upgrade_an_old_database_once(engine, db_url):
    _old_database_with_data(engine)
    start_at = time.time() + 4  # after every interpreter has imported what it needs
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PREPARE, db_url, str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], [err for _, err in outcomes]
    assert {out.strip() for out, _ in outcomes} == {schema.head_revision()}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT name FROM platform")).scalars().all() == ["老平台"]
    assert schema.current_revision(engine) == schema.head_revision()


def test_the_first_page_run_upgrades_an_old_database(engine, use_db):
    _old_database_with_data(engine)
    at = app()
    assert errors(at) == []
    assert schema.current_revision(engine) == schema.head_revision()


def test_a_database_from_a_newer_tousu_is_refused_in_chinese(engine, use_db, monkeypatch, capsys):
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    at = app()
    assert errors(at) == []
    assert [t.value for t in at.title] == ["数据库结构版本不符"]
    assert "比当前的 Tousu 新" in at.warning[0].value

    assert main(["init"]) == 1
    assert "比当前的 Tousu 新" in capsys.readouterr().err
    with engine.connect() as conn:  # nothing was touched
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"


def test_an_unreachable_database_is_one_sentence_on_the_page_and_the_command_line(
    monkeypatch, capsys
):
    # Nothing listens on port 9 of this machine (discard): connection refused at once.
    url = "postgresql://nobody:secret@127.0.0.1:9/none"
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    at = app()
    assert errors(at) == []
    assert [t.value for t in at.title] == ["数据库暂时无法连接"]
    assert "自动刷新" in at.warning[0].value
    assert main(["stats", "--by", "province"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：数据库暂时无法连接") and err.count("\n") == 1
    assert "secret" not in err
    get_engine(url).dispose()


def test_serve_starts_from_any_folder_while_the_database_is_down(tmp_path):
    """`tousu serve` from another folder still runs Streamlit with Tousu's config (offline:
    no usage statistics), and starts although the database is down: pages say so."""
    port = free_port()
    env = {
        **os.environ,
        "TOUSU_DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:9/none",
        "TOUSU_STATE_DIR": "state",  # relative to where it was started
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert "警告：数据库暂时无法连接" in output and "secret" not in output
    assert "usage statistics" not in output
    # The terminal says where the dashboard is in Chinese, not Streamlit's English welcome.
    assert f"Tousu 看板：http://127.0.0.1:{port}" in output
    assert "You can now view" not in output and "URL:" not in output
    assert all(re.search("[\u4e00-\u9fff]", line) for line in output.splitlines() if line.strip())
    noted = (tmp_path / "state" / "serving.json").read_text()
    assert f'"address": "http://127.0.0.1:{port}"' in noted
