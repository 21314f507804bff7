"""Processes that write to one database at once, for tests/test_faults.py.

Run as ``python -m tests.fault_workers KIND URL ARGS…``; each prints what it did and exits
non-zero if any of its writes failed. KIND is:

- ``import URL FILE…``: `tousu import complaints FILE` for each file, in this process;
- ``reply URL WORKER WORKERS N``: N staff replies to transferred complaints whose id is
  WORKER modulo WORKERS (so two workers never race for one complaint);
- ``hold URL SECONDS``: hold SQLite's write lock that long, as a long import does.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

from sqlalchemy import select

from cli.main import main as tousu
from models.access.roles import Actor
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from models.writes import workflow


def imports(files: list[str]) -> int:
    failed = 0
    for name in files:
        failed += tousu(["import", "complaints", name]) != 0
    return failed


def replies(url: str, worker: int, workers: int, count: int) -> int:
    engine, clerk = get_engine(url), Actor("clerk")
    with session_scope(engine) as session:
        waiting = session.execute(
            select(Complaint.id, Complaint.version, Complaint.transferred_at)
            .where(Complaint.status == "已移交", Complaint.id % workers == worker)
            .order_by(Complaint.id)
            .limit(count)
        ).all()
    assert len(waiting) == count, f"only {len(waiting)} complaints to reply to"
    for cid, version, transferred in waiting:
        with session_scope(engine, write=True) as session:
            workflow.enter_reply(
                session, clerk, cid, text=f"回复{cid}", replied_at=transferred, seen_version=version
            )
    return 0


def hold(url: str, seconds: float) -> int:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    time.sleep(seconds)
    connection.execute("COMMIT")
    return 0


def main(argv: list[str]) -> int:
    kind, url, *rest = argv
    os.environ["TOUSU_DATABASE_URL"] = url
    if kind == "import":
        return imports(rest)
    if kind == "reply":
        return replies(url, int(rest[0]), int(rest[1]), int(rest[2]))
    if kind == "hold":
        return hold(url, float(rest[0]))
    raise SystemExit(f"unknown worker {kind}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
