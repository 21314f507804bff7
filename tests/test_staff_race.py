"""Two staff on one complaint, through the pages (AppTest, one session each) and the domain.

The second save is refused with who changed what, and what the second person typed stays
in the form; nothing is silently overwritten. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI, Actor
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint, Reply, SatisfactionScore
from models.writes import imports as import_writes
from models.writes import workflow
from tests.dashboard_helpers import app, errors
from tests.factories import add_complaints, add_platforms

PASSWORD = "correct-horse-battery"


@pytest.fixture
def site(use_db, monkeypatch, tmp_path):
    monkeypatch.setenv("TOUSU_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(use_db)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "alice", "staff", PASSWORD)
        users.add_user(session, CLI, "bob", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "REPLIED",
                "platform": "云集",
                "submitted_at": "2024-03-01 09:00",
                "transferred_at": "2024-03-01 10:00",
                "replied_at": "2024-03-02 10:00",
                "reply": "已处理",
            },
            {
                "external_id": "WAITING",
                "platform": "云集",
                "submitted_at": "2024-03-02 09:00",
                "transferred_at": "2024-03-02 10:00",
            },
            {
                "external_id": "PENDING",
                "platform": "云集",
                "submitted_at": "2024-03-03 09:00",
                "status": "待审核",
            },
        ],
    )
    return engine


def complaint(engine, external_id: str) -> Complaint:
    with session_scope(engine) as session:
        return session.execute(
            select(Complaint).where(Complaint.external_id == external_id)
        ).scalar_one()


def staff_page(name: str, script: str):
    at = app()
    at.text_input(key="lg_user").input(name)
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page(f"../admin/views/{script}.py")
    return at.run()


def press(at, label: str):
    """Click the button showing ``label`` (found by what the person sees, not by key)."""
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def messages(elements) -> str:
    return " ".join(e.value for e in elements)


def test_second_score_is_refused_and_keeps_what_was_typed(site):
    cid = complaint(site, "REPLIED").id
    a, b = staff_page("alice", "scores"), staff_page("bob", "scores")
    for at in (a, b):  # both open the complaint before either saves
        at.selectbox(key="sc_pick").select(cid).run()
    a.pills(key=f"sc_value_{cid}").set_value(7)
    press(a, "保存评分")
    assert "满意度 7 分" in messages(a.success)

    b.pills(key=f"sc_value_{cid}").set_value(3)
    press(b, "保存评分")
    assert errors(b) == []
    refused = messages(b.error)
    assert "保存被拒绝" in refused and "alice" in refused and "满意度 空 → 7" in refused
    assert not b.success
    assert complaint(site, "REPLIED").score == 7
    assert b.pills(key=f"sc_value_{cid}").value == 3  # still in the form

    # Saving again without looking is refused again; loading the latest version is a choice.
    correct = "修改评分（原评分保留在记录中）"
    press(b, correct)
    assert "保存被拒绝" in messages(b.error)
    press(b, "载入最新内容")
    assert b.pills(key=f"sc_value_{cid}").value == 3
    press(b, correct)
    assert not b.error and "满意度 3 分" in messages(b.success)
    with session_scope(site) as session:
        history = session.execute(
            select(SatisfactionScore.score)
            .where(SatisfactionScore.complaint_id == cid)
            .order_by(SatisfactionScore.id)
        ).scalars()
        assert list(history) == [7, 3]


def test_an_untouched_score_form_saves_no_score(site):
    """The form starts with no score: saving it untouched is refused and stores nothing;
    any score chosen, 0 included, is saved."""
    cid = complaint(site, "REPLIED").id
    at = staff_page("alice", "scores")
    at.selectbox(key="sc_pick").select(cid).run()
    assert at.pills(key=f"sc_value_{cid}").value is None
    press(at, "保存评分")
    assert "请先选择满意度分值" in messages(at.error) and not at.success
    assert complaint(site, "REPLIED").score is None
    at.pills(key=f"sc_value_{cid}").set_value(0)
    press(at, "保存评分")
    assert not at.error, messages(at.error)
    assert "满意度 0 分" in messages(at.success)
    assert complaint(site, "REPLIED").score == 0


def test_second_reply_is_refused_and_keeps_the_text(site):
    cid = complaint(site, "WAITING").id
    a, b = staff_page("alice", "replies"), staff_page("bob", "replies")
    for at in (a, b):
        at.button_group(key="rq_age").set_value("全部").run()  # WAITING is from 2024
        at.selectbox(key="rq_open").select(cid).run()
    a.text_area(key=f"rq_text_{cid}").input("甲：已为您退款")
    press(a, "保存回复")
    assert f"已保存投诉 {cid} 的回复" in messages(a.success)

    # The complaint has left bob's queue; his open form stays, and his save is refused.
    b.text_area(key=f"rq_text_{cid}").input("乙：请提供订单截图")
    press(b, "保存回复")
    assert errors(b) == []
    refused = messages(b.error)
    assert "alice" in refused and "录入回复" in refused and "甲：已为您退款" in refused
    assert b.text_area(key=f"rq_text_{cid}").value == "乙：请提供订单截图"
    with session_scope(site) as session:
        assert list(
            session.execute(select(Reply.content).where(Reply.complaint_id == cid)).scalars()
        ) == ["甲：已为您退款"]


def test_second_review_is_refused_and_keeps_the_reason(site):
    cid = complaint(site, "PENDING").id
    a, b = staff_page("alice", "review"), staff_page("bob", "review")
    assert a.selectbox(key="rv_pick").value == cid == b.selectbox(key="rv_pick").value
    press(a, "移交平台")
    assert f"投诉 {cid} 已移交" in messages(a.success)

    b.text_input(key=f"rv_reason_{cid}").input("重复投诉")
    press(b, "不予受理")
    assert errors(b) == []
    refused = messages(b.error)
    assert "alice" in refused and "移交平台" in refused and "已移交" in refused
    assert b.text_input(key=f"rv_reason_{cid}").value == "重复投诉"
    assert complaint(site, "PENDING").status == "已移交"


def test_a_page_left_open_warns_before_saving(site):
    cid = complaint(site, "REPLIED").id
    b = staff_page("bob", "scores")
    b.selectbox(key="sc_pick").select(cid).run()
    c = complaint(site, "REPLIED")
    with session_scope(site) as session:
        workflow.enter_score(session, Actor("alice"), cid, score=0, seen_version=c.version)
    b.run()  # any rerun of bob's page, before he saves
    warning = messages(b.warning)
    assert "alice" in warning and "满意度 空 → 0" in warning
    press(b, "载入最新内容")
    assert not b.warning


def test_conflict_message_names_the_person_and_every_change(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "alice", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [{"external_id": "T", "platform": "云集", "submitted_at": "2024-03-01 09:00"}],
    )
    c = complaint(engine, "T")
    alice = Actor("alice")
    with session_scope(engine) as session:
        workflow.enter_reply(
            session,
            alice,
            c.id,
            text="您好，" + "很长的回复" * 20,
            replied_at=c.transferred_at + timedelta(hours=5),
            seen_version=1,
        )
        workflow.enter_score(session, alice, c.id, score=0, seen_version=2)
    with session_scope(engine) as session, pytest.raises(workflow.Conflict) as refused:
        workflow.enter_score(session, CLI, c.id, score=9, seen_version=1)
    text = str(refused.value)
    assert text.count("alice 于") == 2
    assert "录入回复" in text and "录入满意度" in text
    assert "满意度 空 → 0" in text  # a 0 score is a score, not "空"
    replied = (c.transferred_at + timedelta(hours=5)).strftime("%Y-%m-%d %H:%M")
    assert f"回复时间 空 → {replied}" in text
    assert "…" in text and "很长的回复" * 20 not in text
    assert "version" not in text and "时效档" not in text
    assert complaint(engine, "T").score == 0


def test_conflict_after_an_import_names_who_imported(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "alice", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [{"external_id": "T", "platform": "云集", "submitted_at": "2024-03-01 09:00"}],
    )
    c = complaint(engine, "T")
    data = "投诉编号,投诉平台,投诉时间,问题类型\nT,云集,2024-03-01 09:00,虚假促销\n".encode()
    with session_scope(engine) as session:
        import_writes.import_file(
            session, Actor("alice"), "complaints", data, "更新.csv", dry_run=False
        )
    with session_scope(engine) as session, pytest.raises(workflow.Conflict) as refused:
        workflow.review(session, CLI, c.id, accept=True, seen_version=c.version)
    assert "alice" in str(refused.value) and "更新.csv" in str(refused.value)
