"""Every start works: the first page run (or `tousu init`) creates or upgrades the schema,
once, safely when several processes start together; a database from a newer Tousu is
refused in Chinese; faults on a page are one sentence, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import text

from cli.main import main
from models.store import schema
from models.store.db import get_engine
from tests.browser import ROOT
from tests.dashboard_helpers import app, errors
from web import outage

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
    outage._prepared.clear()  # as in a new process: this one prepared the URL before
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
