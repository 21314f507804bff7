"""`tousu backup` and `tousu restore`: both kinds of file, both databases, every refusal."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from models.errors import TousuError
from models.ops import backup, dump, transfer
from models.store import schema
from models.store.db import dispose_engines, get_engine
from tests.factories import add_complaints
from tests.ops_helpers import add_rows, figures, fill, login_sessions, rewrite_dump, rows

KINDS = {"dump": "backup.tousu.gz", "sqlite": "backup.db"}


def tousu(capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def empty_database(url: str) -> None:
    """No tables at all: a new SQLite file, or PostgreSQL's public schema made anew."""
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        dispose_engines()
        path = Path(engine.url.database)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        path.touch()


@pytest.mark.parametrize("kind", KINDS)
def test_a_backup_restores_into_an_empty_database(
    deployment, db_url, kind, tmp_path, capsys, monkeypatch
):
    path = tmp_path / KINDS[kind]
    code, out, _ = tousu(capsys, monkeypatch, deployment, "backup", str(path))
    assert code == 0 and str(path) in out
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # personal data and password hashes

    empty_database(db_url)
    code, out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--yes")
    assert code == 0, err
    assert "汇总表与重新计数一致" in out
    restored = get_engine(db_url)
    assert schema.current_revision(restored) == schema.head_revision()
    assert rows(restored) == rows(get_engine(deployment))
    assert login_sessions(get_engine(deployment)) > 0 and login_sessions(restored) == 0
    assert figures(restored) == figures(get_engine(deployment))
    # New rows get new ids: nothing collides with the ones restored.
    add_complaints(restored, [{"platform": "小红书", "submitted_at": "2025-03-01 09:00"}])
    code, out, _ = tousu(capsys, monkeypatch, db_url, "user", "list")
    assert code == 0 and "boss" in out and "clerk" in out


@pytest.mark.parametrize("kind", KINDS)
def test_a_postgres_backup_restores_into_sqlite(
    postgres_url, tmp_path, kind, capsys, monkeypatch, sqlite_template
):
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_url)
    fill(get_engine(postgres_url), complaints=800)
    path = tmp_path / KINDS[kind]
    assert tousu(capsys, monkeypatch, postgres_url, "backup", str(path))[0] == 0
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    code, _out, err = tousu(capsys, monkeypatch, target, "restore", str(path), "--yes")
    assert code == 0, err
    assert rows(get_engine(target)) == rows(get_engine(postgres_url))
    assert figures(get_engine(target)) == figures(get_engine(postgres_url))
    dispose_engines()


# --- refusals: nothing is written ------------------------------------------------------


def _newer_header(lines: list[str]) -> list[str]:
    header = json.loads(lines[0])
    header["schema"] = "9999"
    return [json.dumps(header, ensure_ascii=False), *lines[1:]]


def _damage(path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) * 2 // 3])
    elif how == "bit flipped":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1 :])
    elif how == "row edited":  # a valid gzip whose checksum no longer matches
        lines = gzip.decompress(data).decode().splitlines(keepends=True)
        lines[3] = lines[3].replace("1", "2", 1)
        path.write_bytes(gzip.compress("".join(lines).encode()))
    elif how == "newer schema":
        rewrite_dump(path, _newer_header)
    elif how == "unreadable expiry":  # whole and checksummed, but no time
        add_rows(path, "share_link", {"id": 99, "created_at": "2025-01-01", "expires_at": "soon"})
    elif how == "not a backup":
        path.write_bytes(b"name,sector\n")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "sqlite pages overwritten":
        path.write_bytes(data[:8192] + b"\xff" * 8192 + data[16384:])
    elif how == "sqlite from a newer tousu":
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.close()


DAMAGE = [
    ("dump", "truncated", "损坏"),
    ("dump", "bit flipped", "损坏"),
    ("dump", "row edited", "校验和不符"),
    ("dump", "newer schema", "比当前的 Tousu 新"),
    ("dump", "unreadable expiry", "share_link 中有无法读取的一行"),
    ("dump", "not a backup", "不是 Tousu 的备份文件"),
    ("dump", "empty", "不是 Tousu 的备份文件"),
    ("sqlite", "sqlite pages overwritten", "损坏"),
    ("sqlite", "sqlite from a newer tousu", "比当前的 Tousu 新"),
]


@pytest.mark.parametrize(("kind", "how", "said"), DAMAGE)
def test_a_bad_file_is_refused_and_nothing_is_written(
    deployment, db_url, kind, how, said, tmp_path, capsys, monkeypatch
):
    path = tmp_path / KINDS[kind]
    assert tousu(capsys, monkeypatch, deployment, "backup", str(path))[0] == 0
    _damage(path, how)
    before = rows(get_engine(db_url), skip=())
    code, out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--replace", "--yes")
    assert code == 1 and out == ""
    *_, last = err.splitlines()
    assert last.startswith("错误：") and said in last and err.count("错误") == 1
    assert rows(get_engine(db_url), skip=()) == before


def test_a_database_that_holds_data_is_kept_unless_replace(
    deployment, db_url, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "backup.tousu.gz"
    assert tousu(capsys, monkeypatch, deployment, "backup", str(path))[0] == 0
    target = get_engine(db_url)
    add_complaints(target, [{"platform": "别的平台", "submitted_at": "2024-05-01 10:00"}])
    before = rows(target, skip=())
    code, _, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--yes")
    assert code == 1 and "已有数据" in err and "--replace" in err and "没有写入任何内容" in err
    assert rows(target, skip=()) == before

    code, _, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--replace", "--yes")
    assert code == 0, err
    assert rows(target) == rows(get_engine(deployment))


def test_an_existing_file_is_never_overwritten(deployment, tmp_path, capsys, monkeypatch):
    path = tmp_path / "backup.db"
    path.write_bytes(b"yesterday")
    code, _, err = tousu(capsys, monkeypatch, deployment, "backup", str(path))
    assert code == 1 and "已存在" in err
    assert path.read_bytes() == b"yesterday"


def test_a_backup_from_an_older_schema_is_upgraded_on_restore(
    deployment, db_url, tmp_path, capsys, monkeypatch
):
    old = tmp_path / "old.db"
    backup.take(get_engine(deployment), old)
    old_url = f"sqlite:///{old}"
    schema.downgrade(get_engine(old_url), "0006")  # before typical cases existed
    path = tmp_path / "old.tousu.gz"
    assert tousu(capsys, monkeypatch, old_url, "backup", str(path))[0] == 0
    assert dump.open_dump(path).revision == "0006"
    code, _out, err = tousu(capsys, monkeypatch, db_url, "restore", str(path), "--replace", "--yes")
    assert code == 0, err
    restored = get_engine(db_url)
    assert schema.current_revision(restored) == schema.head_revision()
    assert figures(restored)["total"] > 0
    schema.upgrade(get_engine(old_url))  # the old database upgraded in place, for comparison
    assert rows(restored) == rows(get_engine(old_url))
    assert figures(restored) == figures(get_engine(old_url))


def test_restore_reads_the_file_again_and_rolls_back_if_it_changed(deployment, db_url, tmp_path):
    """The file is verified, then read again while loading: a change in between (a copy
    still being written, a disk fault) fails the load and leaves the target as it was."""
    path = tmp_path / "backup.tousu.gz"
    backup.take(get_engine(deployment), path)
    target = get_engine(db_url)
    before = rows(target, skip=())
    with backup.opened(path) as verified:
        _damage(path, "row edited")
        with pytest.raises(TousuError, match="校验和不符"):
            transfer.load(target, verified, replace=True)
    assert rows(target, skip=()) == before
