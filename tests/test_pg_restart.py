"""PostgreSQL restarted (and stopped) while Tousu serves and staff write, on a cluster of
the test's own (`pg_ctlcluster`). No write is lost silently: each either succeeded — and is
in the database with its audit entry — or the person was told it failed. Pages come back
without restarting Tousu."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from models.access.roles import Actor
from models.store import faults, schema
from models.store.db import get_engine, session_scope
from models.store.tables import AuditLog, Complaint, Reply
from models.writes import workflow
from tests.dashboard_helpers import app, errors
from tests.ops_helpers import PASSWORD, fill


@pytest.fixture(scope="module")
def site(pg_cluster):
    engine = get_engine(pg_cluster.url)
    schema.prepare(engine)
    fill(engine, complaints=600)
    return pg_cluster


def _saving(url: str, stop: threading.Event, outcomes: list) -> None:
    """A clerk saving replies as the reply page does: a fault is a message, not a crash."""
    engine, clerk = get_engine(url), Actor("clerk")
    while not stop.is_set():
        try:
            with session_scope(engine) as session:
                cid, version, transferred = session.execute(
                    select(Complaint.id, Complaint.version, Complaint.transferred_at)
                    .where(Complaint.status == "已移交", Complaint.id % 2 == 1)
                    .order_by(Complaint.id)
                    .limit(1)
                ).one()
            with session_scope(engine, write=True) as session:
                workflow.enter_reply(
                    session,
                    clerk,
                    cid,
                    text=f"回复{cid}",
                    replied_at=transferred,
                    seen_version=version,
                )
            outcomes.append(("saved", cid))
        except faults.CANDIDATES as exc:
            fault = faults.describe(exc)
            outcomes.append(("told", fault.message) if fault else ("bug", repr(exc)))
        except Exception as exc:  # reported by the test, from its own thread
            outcomes.append(("bug", repr(exc)))
        time.sleep(0.05)


def staff_on_replies(monkeypatch, url: str):
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    at = app()
    at.text_input(key="lg_user").input("clerk")
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("../admin/views/replies.py").run()
    return at.button_group(key="rq_age").set_value("全部").run()  # old complaints too


def open_even_complaint(at, url: str) -> int:
    with session_scope(get_engine(url)) as session:
        cid = session.scalar(
            select(func.min(Complaint.id)).where(
                Complaint.status == "已移交", Complaint.id % 2 == 0
            )
        )
    at.selectbox(key="rq_open").select(cid).run()
    at.text_area(key=f"rq_text_{cid}").input("重启后保存")
    return cid


def save(at):
    (button,) = [b for b in at.button if b.label == "保存回复"]
    return button.click().run()


def replies_and_audit(url: str, cid: int) -> tuple[list[str], int]:
    with session_scope(get_engine(url)) as session:
        texts = list(session.scalars(select(Reply.content).where(Reply.complaint_id == cid)))
        audited = session.scalar(
            select(func.count()).where(AuditLog.action == "reply", AuditLog.entity_id == str(cid))
        )
    return texts, audited


def test_a_restart_while_staff_write_loses_no_write_silently(site, monkeypatch):
    url = site.url
    at = staff_on_replies(monkeypatch, url)
    stop, outcomes = threading.Event(), []
    writer = threading.Thread(target=_saving, args=(url, stop, outcomes))
    writer.start()
    try:
        time.sleep(1.0)
        site.ctl("restart")
        time.sleep(2.0)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert [o for o in outcomes if o[0] == "bug"] == []
    saved = [cid for kind, cid in outcomes if kind == "saved"]
    assert saved and outcomes[-1][0] == "saved"  # it wrote before, and again after
    assert {m for kind, m in outcomes if kind == "told"} <= {faults.MESSAGES["unreachable"]}
    for cid in saved:  # every save the clerk was not told about is there, audited
        texts, audited = replies_and_audit(url, cid)
        assert texts == [f"回复{cid}"] and audited == 1
    with session_scope(get_engine(url)) as session:  # no reply without its audit entry
        staff_replies = session.scalar(select(func.count()).where(Reply.entered_by_id.is_not(None)))
        audited = session.scalar(select(func.count()).where(AuditLog.action == "reply"))
    assert staff_replies == audited

    # The page opened before the restart saves without restarting anything.
    cid = open_even_complaint(at, url)
    save(at)
    assert errors(at) == [] and not at.error, [e.value for e in at.error]
    assert replies_and_audit(url, cid) == (["重启后保存"], 1)


def test_a_save_while_the_server_is_down_is_told_and_works_once_it_is_back(site, monkeypatch):
    url = site.url
    at = staff_on_replies(monkeypatch, url)
    cid = open_even_complaint(at, url)
    site.ctl("stop")
    try:
        save(at)
        assert errors(at) == []
        assert [t.value for t in at.title] == ["数据库暂时无法连接"]
        assert "修改没有保存" in at.warning[0].value
    finally:
        site.ctl("start")
    assert replies_and_audit(url, cid) == ([], 0)
    at.run()  # what the page's retry does once the server answers
    assert [t.value for t in at.title] == ["回复录入"]
    at.selectbox(key="rq_open").select(cid).run()
    at.text_area(key=f"rq_text_{cid}").input("恢复后保存")
    save(at)
    assert errors(at) == [] and not at.error
    assert replies_and_audit(url, cid) == (["恢复后保存"], 1)
