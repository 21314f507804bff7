"""A backup taken while staff write and files are imported: consistent, and restored equal.

Writers run in threads on the same database the whole time backups are taken. Each backup
must be one moment of the database: its summaries equal a recount (they would not if the
complaints and the summary tables were read at different moments), every import batch is
there whole or not at all, and every reply has its audit entry. A backup taken after the
writers stopped restores to a database whose rows and figures equal the original's.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from models.access.roles import Actor
from models.importing import COMPLAINT_COLUMNS, import_complaints
from models.ops import backup
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import AuditLog, Complaint, Reply
from models.writes import workflow
from tests.factories import csv_bytes
from tests.ops_helpers import figures, fill, rows

BATCH = 40


def _import_batches(engine, stop: threading.Event, done: list[int], failures: list) -> None:
    number = 0
    while not stop.is_set():
        data = csv_bytes(
            (
                {
                    "external_id": f"B{number:04d}-{i:02d}",
                    "platform": "小红书",
                    "submitted_at": f"2025-0{1 + i % 9}-1{i % 10} 10:00",
                    "problem_type": "退款问题",
                    "status": "已移交",
                    "transferred_at": f"2025-0{1 + i % 9}-1{i % 10} 11:00",
                }
                for i in range(BATCH)
            ),
            COMPLAINT_COLUMNS,
        )
        try:
            with session_scope(engine, write=True) as session:
                assert import_complaints(session, data, f"batch{number}.csv").ok
        except Exception as exc:  # reported by the test, in its own thread
            failures.append(exc)
            return
        done.append(number)
        number += 1
        time.sleep(0.02)  # SQLite's write lock is not fair: leave the others a turn


def _reply_to_everything(engine, stop: threading.Event, done: list[int], failures: list, odd: int):
    """Reply to transferred complaints, odd or even ids (two clerks never race)."""
    clerk = Actor("clerk")
    while not stop.is_set():
        with session_scope(engine) as session:
            waiting = session.execute(
                select(Complaint.id, Complaint.version, Complaint.transferred_at)
                .where(Complaint.status == "已移交", Complaint.id % 2 == odd)
                .limit(1)
            ).first()
        if waiting is None:
            time.sleep(0.05)
            continue
        cid, version, transferred = waiting
        try:
            with session_scope(engine, write=True) as session:
                workflow.enter_reply(
                    session, clerk, cid, text="已处理", replied_at=transferred, seen_version=version
                )
        except Exception as exc:  # reported by the test, in its own thread
            failures.append(exc)
            return
        done.append(cid)
        time.sleep(0.01)  # a person between two saves


def _progressed(imported: list, replied: list, failures: list) -> None:
    """Wait until both kinds of writer have written something more."""
    seen = len(imported), len(replied)
    deadline = time.monotonic() + 30
    while len(imported) <= seen[0] or len(replied) <= seen[1]:
        assert not failures, failures
        assert time.monotonic() < deadline, "writers made no progress"
        time.sleep(0.05)


def _consistent(url: str) -> None:
    engine = get_engine(url)
    with session_scope(engine) as session:
        per_batch = session.execute(
            select(func.substr(Complaint.external_id, 1, 5), func.count())
            .where(Complaint.external_id.like("B%"))
            .group_by(func.substr(Complaint.external_id, 1, 5))
        ).all()
        assert {n for _batch, n in per_batch} <= {BATCH}, per_batch
        replies = session.scalar(select(func.count()).select_from(Reply))
        audited = session.scalar(
            select(func.count()).where(AuditLog.action == "reply", AuditLog.entity == "complaint")
        )
        assert replies >= audited > 0  # demo replies have no audit entry; staff replies do
        staff_replies = session.scalar(select(func.count()).where(Reply.entered_by_id.is_not(None)))
        assert staff_replies == audited


def test_backups_taken_while_staff_write_are_consistent(db_url, tmp_path):
    engine = get_engine(db_url)
    fill(engine, complaints=600)
    stop, failures = threading.Event(), []
    imported: list[int] = []
    replied: list[int] = []
    writers = [
        threading.Thread(target=_import_batches, args=(engine, stop, imported, failures)),
        threading.Thread(target=_reply_to_everything, args=(engine, stop, replied, failures, 0)),
        threading.Thread(target=_reply_to_everything, args=(engine, stop, replied, failures, 1)),
    ]
    for writer in writers:
        writer.start()
    taken = []
    try:
        for name in ["a.tousu.gz", "b.db", "c.tousu.gz", "d.db"]:
            _progressed(imported, replied, failures)
            taken.append(backup.take(engine, tmp_path / name))
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
    assert not failures, failures

    for n, took in enumerate(taken):
        target = f"sqlite:///{tmp_path / f'restored{n}.db'}"
        loaded = backup.restore(get_engine(target), took.path)
        assert loaded.rebuilt_summaries == []  # the summaries matched their complaints
        _consistent(target)
    # Backups differ from each other: they were taken while the data changed.
    assert len({(t.counts["complaint"], t.counts["reply"]) for t in taken}) == len(taken)
    assert len(imported) >= 2

    final = backup.take(engine, tmp_path / "final.tousu.gz")
    target = get_engine(f"sqlite:///{tmp_path / 'final.db'}")
    backup.restore(target, final.path)
    assert rows(target) == rows(engine)
    assert figures(target) == figures(engine)
    dispose_engines()
