"""Free text reaches no one but staff unscrubbed: case reads, search, share links."""

from __future__ import annotations

import dataclasses
import os
from datetime import date

import pytest
from sqlalchemy import select, text

from models.access import sharing
from models.access.roles import CLI
from models.errors import TousuError
from models.ops import serving
from models.reads.cases import case_detail, search_cases
from models.reads.leaderboard import leaderboard
from models.rules.filters import Filters
from models.store import schema
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from models.writes import workflow
from tests.factories import add_complaints, add_platforms

PERSONAL = (
    "陈美玲",
    "美玲",
    "13812345678",
    "440101199001011234",
    "DD20251228001",
    "meiling@qq.com",
)
CONTENT = "我是陈美玲，电话13812345678，身份证440101199001011234，订单号DD20251228001，邮箱meiling@qq.com。2025年3月5日付款5000元"


def _seed(engine) -> None:
    add_platforms(engine, ("小红书", "社交电商", True), ("萌推", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "A1",
                "platform": "小红书",
                "submitted_at": "2025-03-05 10:00",
                "province": "广东省",
                "gender": "女",
                "complainant": "陈美玲",
                "phone": "13812345678",
                "title": "陈美玲：小红书退款不到账 13812345678",
                "content": CONTENT,
                "demand": "请回电13812345678，退款5000元",
                "transferred_at": "2025-03-05 12:00",
                "replied_at": "2025-03-06 12:00",
                "reply": "陈美玲您好，已致电13812345678，款项5000元将原路退回",
            },
            {
                "external_id": "A2",
                "platform": "萌推",
                "submitted_at": "2025-03-06 10:00",
                "province": "四川省",
                "gender": "男",
                "complainant": "刘强",
                "title": "萌推退款问题",
                "content": "刘先生要求退款46.1元",
            },
        ],
    )


def _leaks(*texts) -> list[str]:
    joined = "\n".join(t or "" for t in texts)
    return [p for p in PERSONAL if p in joined]


def test_list_and_detail_are_scrubbed_for_everyone_but_staff(engine):
    _seed(engine)
    with session_scope(engine) as session:
        rows, total = search_cases(session, Filters(), reveal=False)
        assert total == 2
        chen = next(r for r in rows if r.platform == "小红书")
        assert chen.complainant == "广东省陈女士"
        assert chen.title == "陈女士：小红书退款不到账 [电话已隐去]"
        detail = case_detail(session, Filters(), chen.id, reveal=False)
        assert detail is not None and detail.phone is None
        texts = (detail.row.title, detail.content, detail.demand, detail.reply)
        assert _leaks(*texts) == []
        assert "2025年3月5日付款5000元" in detail.content and "陈女士" in detail.content
        assert detail.reply == "陈女士您好，已致电[电话已隐去]，款项5000元将原路退回"
        staff = case_detail(session, Filters(), chen.id, reveal=True)
        assert staff.content == CONTENT and staff.phone == "13812345678"
        assert staff.row.complainant == "陈美玲"


def test_rejection_reasons_are_scrubbed(engine):
    _seed(engine)
    add_complaints(
        engine,
        [
            {
                "external_id": "P1",
                "platform": "萌推",
                "submitted_at": "2025-03-07 10:00",
                "status": "待审核",
                "complainant": "王小明",
                "gender": "男",
            }
        ],
    )
    with session_scope(engine, write=True) as session:
        cid, version = session.execute(
            select(Complaint.id, Complaint.version).where(Complaint.external_id == "P1")
        ).one()
        workflow.review(
            session,
            CLI,
            cid,
            accept=False,
            seen_version=version,
            reason="王小明重复投诉，见13800001111",
        )
    with session_scope(engine) as session:
        shown = case_detail(session, Filters(statuses=None), cid, reveal=False)
        assert shown.rejection_reason == "王先生重复投诉，见[电话已隐去]"
        assert case_detail(session, Filters(statuses=None), cid, reveal=True).rejection_reason == (
            "王小明重复投诉，见13800001111"
        )


@pytest.mark.parametrize("word", ["13812345678", "陈美玲", "美玲", "440101199001011234", "meiling"])
def test_search_cannot_find_a_complaint_by_personal_data(engine, word):
    _seed(engine)
    with session_scope(engine) as session:
        assert search_cases(session, Filters(), text=word, reveal=False) == ([], 0)
        found, total = search_cases(session, Filters(), text=word, reveal=True)
        assert total == 1 and found[0].platform == "小红书"


def test_search_still_finds_ordinary_words(engine):
    _seed(engine)
    with session_scope(engine) as session:
        rows, total = search_cases(session, Filters(), text="退款 5000元", reveal=False)
        assert total == 1 and rows[0].platform == "小红书"
        assert search_cases(session, Filters(), text="陈女士", reveal=False)[1] == 1
        assert search_cases(session, Filters(), text="退款", reveal=False)[1] == 2


def test_public_text_follows_an_import_that_changes_the_text(engine):
    _seed(engine)
    add_complaints(
        engine,
        [
            {
                "external_id": "A2",
                "platform": "萌推",
                "submitted_at": "2025-03-06 10:00",
                "gender": "男",
                "complainant": "刘强",
                "title": "萌推退款问题",
                "content": "刘强的新电话 13911112222",
            }
        ],
    )
    with session_scope(engine) as session:
        stored = session.scalar(select(Complaint.public_text).where(Complaint.external_id == "A2"))
        assert stored == "萌推退款问题\n刘先生的新电话 [电话已隐去]"
        assert search_cases(session, Filters(), text="13911112222", reveal=False)[1] == 0


def test_migration_scrubs_existing_complaints(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO platform (id, name, sector, onboarded, created_at) "
                "VALUES (1, 'p', 's', 1, '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO complaint (id, platform_id, submitted_at, submitted_month, gender, "
                "amount_bracket, problem_type, title, content, complainant, status, created_at, "
                "updated_at, version) VALUES (1, 1, '2025-01-01 00:00:00', 202501, '女', '未选择', "
                "'退款问题', '陈美玲的投诉', '电话13812345678', '陈美玲', '已移交', "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
            )
        )
    schema.upgrade(engine)
    with engine.connect() as conn:
        assert (
            conn.scalar(text("SELECT public_text FROM complaint"))
            == "陈女士的投诉\n电话[电话已隐去]"
        )


# --- share links ------------------------------------------------------------------------


def test_share_links_refuse_names_that_match_nothing(engine):
    _seed(engine)
    with session_scope(engine) as session:
        with pytest.raises(TousuError, match=r"未知赛道：不存在.*已有赛道：社交电商"):
            sharing.create_link(session, CLI, label="x", sectors=["不存在"])
        with pytest.raises(TousuError, match="未知平台：淘宝"):
            sharing.create_link(session, CLI, label="x", platforms=["淘宝"])
        with pytest.raises(TousuError, match="未知赛道：金融科技"):
            sharing.create_link(session, CLI, label="x", sectors=["金融科技"], platforms=["小红书"])
        link, _token = sharing.create_link(
            session, CLI, label="x", sectors=["社交电商"], platforms=["小红书"]
        )
        assert link.platforms == ("小红书",)


def test_share_url_uses_the_served_address(monkeypatch, tmp_path):
    monkeypatch.setenv("TOUSU_STATE_DIR", str(tmp_path / "s"))
    monkeypatch.delenv("TOUSU_BASE_URL", raising=False)
    assert sharing.url_for("T") == "http://localhost:8501/?share=T"
    noted = serving.Serving("http://0.0.0.0:8701", False, None, None, os.getpid())
    serving.record(noted)  # what `tousu serve --address 0.0.0.0 --port 8701` notes
    assert sharing.url_for("T") == "http://0.0.0.0:8701/?share=T"
    serving.record(dataclasses.replace(noted, base_url="https://board.example.org"))
    assert sharing.url_for("T") == "https://board.example.org/?share=T"  # the server's own
    assert sharing.url_for("T", seen_at="https://board.example.org") == (
        "https://board.example.org/?share=T"
    )
    monkeypatch.setenv("TOUSU_BASE_URL", "https://tousu.example.org/")
    assert sharing.url_for("T") == "https://tousu.example.org/?share=T"
    assert not sharing.is_loopback(sharing.url_for("T"))
    for url in (
        "http://localhost:1",
        "http://127.0.0.1:8501/x",
        "http://0.0.0.0:8701",
        "http://[::1]:80",
        "http://[::]:8501",
        "http://tousu.localhost",
    ):
        assert sharing.is_loopback(url)
    for url in ("https://tousu.example.org", "http://10.0.0.5:8601", "http://127.example.org"):
        assert not sharing.is_loopback(url)


def test_leaderboard_without_a_comparison_shows_no_movement(engine):
    _seed(engine)
    with session_scope(engine) as session:
        ranks = leaderboard(session, Filters(), None)
        assert [r.movement for r in ranks] == ["", ""]
        assert all(r.previous_complaints is None for r in ranks)
        before = Filters.for_year(2024)
        assert [r.movement for r in leaderboard(session, Filters.for_year(2025), before)] == [
            "新",
            "新",
        ]
        assert date(2025, 1, 1) == Filters.for_year(2025).date_from


@pytest.mark.parametrize("typed", ["已处理\x00", "退款\x1b[31m", "\u202e已退款"])
def test_text_typed_on_pages_refuses_control_characters(engine, typed):
    """NUL breaks PostgreSQL's driver and SQLite stores it: both refuse it the same way."""
    _seed(engine)
    with session_scope(engine) as session:
        cid, version = session.execute(
            select(Complaint.id, Complaint.version).where(Complaint.external_id == "A2")
        ).one()
    with session_scope(engine) as session, pytest.raises(TousuError, match="控制字符"):
        workflow.enter_reply(
            session, CLI, cid, text=typed, replied_at=sharing.local_now(), seen_version=version
        )
    with session_scope(engine) as session, pytest.raises(TousuError, match="标签含有"):
        sharing.create_link(session, CLI, label=typed)
    with session_scope(engine) as session:  # a line break in a reply is fine
        workflow.enter_reply(
            session,
            CLI,
            cid,
            text="第一行\r\n第二行",
            replied_at=sharing.local_now(),
            seen_version=version,
        )
        assert case_detail(session, Filters(), cid, reveal=True).reply == "第一行\n第二行"


def test_a_typical_case_that_does_not_count_shows_only_in_the_staff_queue(engine):
    """A complaint of each status, all marked typical by the import: every case read
    (public or staff, any statuses asked for, the reports' too) lists as typical only
    those that count; the staff's own read of the complaint still shows the mark."""
    from models.reads.cases import complaint_for_staff
    from models.rules.labels import COUNTING_STATUSES, STATUSES

    add_platforms(engine, ("云集", "社交电商", True))
    workflow_cells = {
        "待审核": {},
        "已移交": {"transferred_at": "2024-05-01 12:00"},
        "已回复": {"transferred_at": "2024-05-01 12:00", "replied_at": "2024-05-02 09:00"},
        "已评价": {
            "transferred_at": "2024-05-01 12:00",
            "replied_at": "2024-05-02 09:00",
            "satisfaction": "8",
        },
        "不予受理": {},
    }
    assert set(workflow_cells) == set(STATUSES)
    add_complaints(
        engine,
        [
            {
                "external_id": f"T-{status}",
                "platform": "云集",
                "submitted_at": "2024-05-01 10:00",
                "status": status,
                "typical": "是",
                "headline": f"{status}的典型案例",
                **cells,
            }
            for status, cells in workflow_cells.items()
        ],
    )
    with session_scope(engine) as session:
        ids = dict(session.execute(select(Complaint.status, Complaint.id)).all())
        for statuses in (None, COUNTING_STATUSES, STATUSES, ("待审核",), ("不予受理", "已回复")):
            for reveal in (True, False):
                rows, total = search_cases(
                    session, Filters(statuses=statuses), typical_only=True, reveal=reveal
                )
                counting = {s for s in statuses or STATUSES if s in COUNTING_STATUSES}
                assert {r.status for r in rows} == counting, (statuses, reveal)
                assert total == len(counting)
                every, _ = search_cases(session, Filters(statuses=statuses), reveal=reveal)
                assert {r.status for r in every if r.typical} == counting
                for status in statuses or STATUSES:
                    detail = case_detail(session, Filters(statuses=None), ids[status])
                    assert detail.row.typical == (status in COUNTING_STATUSES)
        pending = complaint_for_staff(session, CLI, ids["待审核"])
        assert pending.row.typical and pending.row.headline == "待审核的典型案例"
