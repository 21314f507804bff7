"""Faults survived, nothing lost: SQLite under several writing processes, an import killed
midway, a full disk and a read-only database. (A PostgreSQL restart: test_pg_restart.py.)"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cli.main import main
from models.ops import backup
from models.store import summary
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import AuditLog, Complaint, Reply
from tests import fs_faults
from tests.browser import ROOT
from tests.dashboard_helpers import app, errors
from tests.ops_helpers import PASSWORD, fill, rows


def complaints_csv(path: Path, count: int, prefix: str, *, long: bool = False) -> Path:
    """A complaints file of ``count`` new rows (external ids ``prefix``0, …)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "platform", "submitted_at", "problem_type", "content"])
        for i in range(count):
            content = "商家拒绝退款，客服不回复。" * (40 if long else 1)
            out.writerow(
                [f"{prefix}{i}", "小红书", f"2025-03-{1 + i % 28:02d} 10:00", "退款问题", content]
            )
    return path


def tousu_process(url: str, *argv: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *argv],
        cwd=ROOT,
        env={**os.environ, "TOUSU_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def counts(engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(Complaint)),
            session.scalar(select(func.count()).select_from(Reply)),
            session.scalar(select(func.count()).where(AuditLog.action == "reply")),
        )


def exact(engine) -> bool:
    with session_scope(engine) as session:
        return summary.check(session) == []


# --- SQLite under several writers ------------------------------------------------------


def worker(url: str, *argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault_workers", argv[0], url, *argv[1:]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sqlite_under_several_writing_processes_loses_no_row(deployment, tmp_path):
    """Imports and staff saves from five processes, after one that holds the write lock
    longer than SQLite's busy timeout: every "database is locked" is waited out."""
    engine = get_engine(deployment)
    before = counts(engine)
    files = [complaints_csv(tmp_path / f"f{n}.csv", 150, f"W{n}-") for n in range(4)]
    holder = worker(deployment, "hold", "8")
    assert holder.stdout.readline().strip() == "holding"
    workers = [
        worker(deployment, "import", str(files[0]), str(files[1])),
        worker(deployment, "import", str(files[2]), str(files[3])),
        *(worker(deployment, "reply", str(w), "3", "20") for w in range(3)),
    ]
    started = time.monotonic()
    outcomes = [p.communicate(timeout=300) for p in [holder, *workers]]
    assert time.monotonic() - started > 7  # they really waited for the lock
    for process, (_out, err) in zip([holder, *workers], outcomes, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "错误" not in err and "locked" not in err
    assert counts(engine) == (before[0] + 600, before[1] + 60, before[2] + 60)
    assert exact(engine)


# --- an import killed midway ------------------------------------------------------------


def _writing(engine, wal: Path | None) -> bool:
    """True once the import has begun writing rows (uncommitted)."""
    if wal is not None:  # SQLite: uncommitted pages spill into the WAL file
        return wal.exists() and wal.stat().st_size > 4_000_000
    with engine.connect() as conn:  # PostgreSQL: another backend holds a write lock on it
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'complaint' AND l.mode = 'RowExclusiveLock' "
                    "AND l.pid <> pg_backend_pid()"
                )
            ).scalar()
        )


def test_an_import_killed_midway_leaves_the_database_as_it_was(db_url, tmp_path):
    engine = get_engine(db_url)
    fill(engine, complaints=400)
    before = rows(engine, skip=())
    big = complaints_csv(tmp_path / "big.csv", 40_000, "K", long=True)
    wal = Path(f"{engine.url.database}-wal") if engine.dialect.name == "sqlite" else None
    process = tousu_process(db_url, "import", "complaints", str(big))
    deadline = time.monotonic() + 240
    while not _writing(engine, wal):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never began writing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL

    dispose_engines()  # as a new process would see it
    engine = get_engine(db_url)
    assert rows(engine, skip=()) == before
    assert exact(engine)
    if wal is not None:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    small = complaints_csv(tmp_path / "small.csv", 20, "S")
    again = tousu_process(db_url, "import", "complaints", str(small))
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert counts(engine)[0] == len(before["complaint"]) + 20


# --- a full disk ---------------------------------------------------------------------------


@contextmanager
def on_small_disk(deployment: str, folder: Path, spare: int) -> Iterator[str]:
    """The deployment copied onto a disk with ``spare`` bytes left; yields its URL."""
    copy = backup.take(get_engine(deployment), folder.parent / "copy.db").path
    with fs_faults.small_disk(folder, copy.stat().st_size + spare):
        shutil.copy(copy, folder / "tousu.db")
        yield f"sqlite:///{folder / 'tousu.db'}"
        dispose_engines()


def test_a_full_disk_refuses_an_import_and_keeps_what_was_saved(deployment, tmp_path):
    big = complaints_csv(tmp_path / "big.csv", 20_000, "F", long=True)
    if fs_faults.can_mount() is None:  # a real full disk: a small tmpfs
        with on_small_disk(deployment, tmp_path / "disk", 1_500_000) as url:
            _refused_and_kept(url, big, "磁盘已满")
        return
    # Fallback where mounting is not allowed: the process may not grow a file past a size,
    # so its writes fail like on a full disk (the OS reports EFBIG: SQLite's I/O error).
    url = deployment
    limit = Path(get_engine(url).url.database).stat().st_size + 1_500_000

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    _refused_and_kept(url, big, "读写出错", preexec_fn=small_files)


def _refused_and_kept(url: str, big: Path, said: str, **kwargs) -> None:
    engine = get_engine(url)
    before = rows(engine, skip=())
    process = tousu_process(url, "import", "complaints", str(big), **kwargs)
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert err.startswith("错误：") and said in err and err.count("\n") == 1, err
    assert "没有完成" in err and "已保存的数据不受影响" in err
    dispose_engines()
    engine = get_engine(url)
    assert rows(engine, skip=()) == before
    assert exact(engine)


# --- through the pages: a full disk, a read-only database ----------------------------------


def staff_replies_page(monkeypatch, url: str):
    """clerk logged in on 回复录入, one waiting complaint open in the form."""
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    at = app()
    at.text_input(key="lg_user").input("clerk")
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("../admin/views/replies.py").run()
    at.button_group(key="rq_age").set_value("全部").run()  # old complaints too
    with session_scope(get_engine(url)) as session:
        cid = session.scalar(select(func.min(Complaint.id)).where(Complaint.status == "已移交"))
    at.selectbox(key="rq_open").select(cid).run()
    at.text_area(key=f"rq_text_{cid}").input("已联系商家退款")
    return at, cid


def save(at):
    (button,) = [b for b in at.button if b.label == "保存回复"]
    return button.click().run()


def reply_of(url: str, cid: int) -> list[str]:
    with session_scope(get_engine(url)) as session:
        return list(session.scalars(select(Reply.content).where(Reply.complaint_id == cid)))


def test_a_save_on_a_full_disk_says_so_and_the_next_one_works(deployment, tmp_path, monkeypatch):
    reason = fs_faults.can_mount()
    if reason:
        pytest.skip(f"a full disk through the pages needs a small tmpfs: {reason}")
    with on_small_disk(deployment, tmp_path / "disk", 3_000_000) as url:
        at, cid = staff_replies_page(monkeypatch, url)
        before = rows(get_engine(url), skip=())
        filler = fs_faults.fill_up(tmp_path / "disk")
        save(at)
        assert errors(at) == []
        said = " ".join(e.value for e in at.error)
        assert "保存失败" in said and "磁盘已满" in said
        assert rows(get_engine(url), skip=()) == before
        filler.unlink()
        save(at)
        assert errors(at) == [] and not at.error
        assert reply_of(url, cid) == ["已联系商家退款"]


@contextmanager
def read_only(url: str) -> Iterator[str]:
    """The same database, read-only; yields the URL to reach it by.

    SQLite: a read-only bind mount of the file, or where mounting is not allowed SQLite's
    own read-only open. PostgreSQL: every transaction read-only, as on a hot standby.
    """
    if not url.startswith("sqlite"):
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-c%20default_transaction_read_only%3Don"
        return
    path = Path(get_engine(url).url.database)
    dispose_engines()
    if fs_faults.can_mount() is None:
        with fs_faults.read_only(path):
            yield url
            dispose_engines()
    else:
        yield f"sqlite:///file:{path}?mode=ro&uri=true"
        dispose_engines()


def moved_to_postgres(deployment: str, url: str, monkeypatch, capsys) -> str:
    with get_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    monkeypatch.setenv("TOUSU_DATABASE_URL", deployment)
    assert main(["migrate", "--to", url]) == 0
    capsys.readouterr()
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_read_only_database_refuses_saves_clearly_and_still_shows_pages(
    backend, deployment, monkeypatch, capsys, request, tmp_path
):
    url = deployment
    if backend == "postgresql":  # the deployment moved to PostgreSQL
        url = moved_to_postgres(
            deployment, request.getfixturevalue("postgres_url"), monkeypatch, capsys
        )
    at, cid = staff_replies_page(monkeypatch, url)
    before = rows(get_engine(url), skip=())
    with read_only(url) as read_only_url:
        monkeypatch.setenv("TOUSU_DATABASE_URL", read_only_url)
        save(at)
        assert errors(at) == []
        said = " ".join(e.value for e in at.error)
        assert "保存失败" in said and "只读" in said
        assert [t.value for t in at.title] == ["回复录入"]  # the page itself still shows
        small = complaints_csv(tmp_path / "small.csv", 5, "R")
        process = tousu_process(read_only_url, "import", "complaints", str(small))
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 1 and err.startswith("错误：数据库当前是只读的"), err
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    assert rows(get_engine(url), skip=()) == before
    save(at)
    assert not at.error, [e.value for e in at.error]
    assert reply_of(url, cid) == ["已联系商家退款"]
