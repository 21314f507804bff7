"""Staff writes: validation, roles, audit entries, refused stale saves (also concurrent)."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI, Actor, Forbidden
from models.clock import local_now
from models.errors import TousuError
from models.reads import cases, queues
from models.reads.ratings import year_ratings
from models.rules.filters import Filters
from models.store.db import session_scope
from models.store.tables import Complaint, Reply, SatisfactionScore
from models.writes import audit, workflow
from models.writes import imports as import_writes
from models.writes import platforms as platform_writes
from tests.factories import add_complaints, add_platforms

PASSWORD = "correct-horse-battery"
STAFF, VIEWER, ADMIN = Actor("clerk"), Actor("watcher"), Actor("boss")


@pytest.fixture
def world(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        users.add_user(session, CLI, "clerk2", "staff", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "T1",
                "platform": "云集",
                "submitted_at": "2024-03-01 09:00",
                "complainant": "黄女士",
                "phone": "13900000000",
            },
            {
                "external_id": "P1",
                "platform": "云集",
                "submitted_at": "2024-03-02 09:00",
                "status": "待审核",
            },
        ],
    )
    return engine


def complaint(engine, external_id):
    with session_scope(engine) as session:
        return session.execute(
            select(Complaint).where(Complaint.external_id == external_id)
        ).scalar()


def test_reply_then_score_moves_the_status_and_the_rating(world):
    c = complaint(world, "T1")
    with session_scope(world) as session:
        workflow.enter_reply(
            session,
            STAFF,
            c.id,
            text="已联系用户处理",
            seen_version=c.version,
            replied_at=c.transferred_at + timedelta(hours=80),
        )
    c = complaint(world, "T1")
    assert (c.status, c.reply_tier, c.version) == ("已回复", 1, 2)
    with session_scope(world) as session:
        workflow.enter_score(session, STAFF, c.id, score=9, seen_version=c.version)
        ratings = year_ratings(session, Filters(), "云集", 2024)
    assert complaint(world, "T1").status == "已评价"
    # reply rate 1, timeliness 0.6, satisfaction 9 → 0.5 + 0.18 + 0.18 = 0.860
    assert ratings[0].report_row()["综合指数"] == "0.860"


def test_corrected_score_keeps_history(world):
    c = complaint(world, "T1")
    with session_scope(world) as session:
        workflow.enter_reply(
            session,
            STAFF,
            c.id,
            text="好的",
            seen_version=1,
            replied_at=c.transferred_at + timedelta(hours=1),
        )
        workflow.enter_score(session, STAFF, c.id, score=3, seen_version=2)
        workflow.enter_score(session, STAFF, c.id, score=7, seen_version=3)
        history = (
            session.execute(
                select(SatisfactionScore.score)
                .where(SatisfactionScore.complaint_id == c.id)
                .order_by(SatisfactionScore.id)
            )
            .scalars()
            .all()
        )
    assert history == [3, 7] and complaint(world, "T1").score == 7


@pytest.mark.parametrize(
    ("hours", "text", "message"),
    [
        (-1, "回复", "早于移交时间"),
        (24 * 365 * 10, "回复", "晚于当前时间"),
        (5, "   ", "不能为空"),
    ],
)
def test_bad_replies_are_refused_with_a_clear_message(world, hours, text, message):
    c = complaint(world, "T1")
    with session_scope(world) as session, pytest.raises(TousuError, match=message):
        workflow.enter_reply(
            session,
            STAFF,
            c.id,
            text=text,
            seen_version=c.version,
            replied_at=c.transferred_at + timedelta(hours=hours),
        )
    assert complaint(world, "T1").version == 1


def test_viewers_and_anonymous_cannot_write(world):
    c = complaint(world, "T1")
    for who in (VIEWER, None, Actor("ghost")):
        with session_scope(world) as session, pytest.raises(Forbidden):
            workflow.enter_reply(
                session,
                who,
                c.id,
                text="x",
                seen_version=1,
                replied_at=c.transferred_at + timedelta(hours=1),
            )
        with session_scope(world) as session, pytest.raises(Forbidden):
            workflow.enter_score(session, who, c.id, score=5, seen_version=1)
        with session_scope(world) as session, pytest.raises(Forbidden):
            cases.complaint_for_staff(session, who, c.id)
    with session_scope(world) as session, pytest.raises(Forbidden):
        platform_writes.save_platform(
            session, STAFF, name="新平台", sector="零售电商", onboarded=True
        )


def test_review_transfers_or_rejects_with_reason(world):
    p = complaint(world, "P1")
    with session_scope(world) as session, pytest.raises(TousuError, match="原因"):
        workflow.review(session, STAFF, p.id, accept=False, seen_version=p.version)
    with session_scope(world) as session:
        workflow.review(session, STAFF, p.id, accept=True, seen_version=p.version)
    p = complaint(world, "P1")
    assert p.status == "已移交" and p.transferred_at is not None


def test_stale_save_is_refused_and_says_what_changed(world):
    c = complaint(world, "T1")
    with session_scope(world) as session:
        workflow.enter_reply(
            session,
            Actor("clerk2"),
            c.id,
            text="第一位",
            seen_version=1,
            replied_at=c.transferred_at + timedelta(hours=2),
        )
    with session_scope(world) as session, pytest.raises(workflow.Conflict) as refused:
        workflow.enter_reply(
            session,
            STAFF,
            c.id,
            text="第二位",
            seen_version=1,
            replied_at=c.transferred_at + timedelta(hours=3),
        )
    assert "clerk2" in str(refused.value) and "已回复" in str(refused.value)
    with session_scope(world) as session:
        replies = session.execute(select(Reply.content)).scalars().all()
    assert replies == ["第一位"]


def test_concurrent_saves_one_wins_the_other_is_refused(world):
    c = complaint(world, "T1")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(who: str, hours: int) -> None:
        barrier.wait()
        try:
            with session_scope(world, write=True) as session:
                workflow.enter_reply(
                    session,
                    Actor(who),
                    c.id,
                    text=who,
                    seen_version=1,
                    replied_at=c.transferred_at + timedelta(hours=hours),
                )
            outcomes.append("saved")
        except workflow.Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(w, h)) for w, h in (("clerk", 1), ("clerk2", 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"]
    with session_scope(world) as session:
        assert len(session.execute(select(Reply.id)).all()) == 1
    assert complaint(world, "T1").version == 2


def test_every_write_is_audited_with_before_and_after(world):
    c = complaint(world, "T1")
    with session_scope(world) as session:
        workflow.enter_reply(
            session,
            STAFF,
            c.id,
            text="处理中",
            seen_version=1,
            replied_at=c.transferred_at + timedelta(hours=1),
        )
        workflow.enter_score(session, STAFF, c.id, score=6, seen_version=2)
        platform_writes.save_platform(
            session, ADMIN, name="新平台", sector="零售电商", onboarded=False
        )
        users.set_disabled(session, ADMIN, "watcher", True, seen_version=None)
        entries = audit.entries(session, ADMIN)
    by_action = {e.action: e for e in entries}
    assert by_action["reply"].before["status"] == "已移交"
    assert (
        by_action["reply"].after["status"] == "已回复"
        and by_action["reply"].after["reply"] == "处理中"
    )
    assert by_action["score"].before["score"] is None and by_action["score"].after["score"] == 6
    assert by_action["add_platform"].after == {
        "name": "新平台",
        "sector": "零售电商",
        "onboarded": False,
        "unrated_reason": None,
    }
    assert by_action["disable_user"].before["disabled"] is False
    assert all(e.actor in ("clerk", "boss", "cli") for e in entries)
    with session_scope(world) as session, pytest.raises(Forbidden):
        audit.entries(session, STAFF)


_VALUES = hs.one_of(hs.none(), hs.booleans(), hs.integers(-3, 3), hs.sampled_from(["", "甲", "乙"]))
_STATES = hs.dictionaries(hs.sampled_from(["status", "score", "role", "version", "x"]), _VALUES)


@given(before=hs.one_of(hs.none(), _STATES), after=hs.one_of(hs.none(), _STATES))
def test_an_entry_lists_exactly_the_fields_it_changed(before, after):
    """Two ways to the same state: the fields audit.changes lists, applied to the state
    before, give the state after (bookkeeping aside); nothing unchanged is listed."""
    entry = audit.Entry(1, datetime(2026, 1, 1), "boss", "x", "complaint", "1", before, after)
    listed = audit.changes(entry)
    state = dict(before or {})
    state.update({c.field: c.after for c in listed})
    for key in {*(before or {}), *(after or {})} - {"version"}:
        assert state.get(key) == (after or {}).get(key), key
    assert all(c.before != c.after and c.field != "version" for c in listed)
    assert all(c.new == (before is None) for c in listed)
    assert len({c.field for c in listed}) == len(listed)


def test_import_from_admin_is_audited_and_needs_staff(world):
    data = "投诉平台,投诉时间,问题类型\n云集,2024-05-01,退款问题\n".encode()
    with session_scope(world) as session, pytest.raises(Forbidden):
        import_writes.import_file(session, VIEWER, "complaints", data, "x.csv", dry_run=False)
    with session_scope(world) as session:
        report = import_writes.import_file(
            session, STAFF, "complaints", data, "x.csv", dry_run=False
        )
        entries = audit.entries(session, ADMIN, entity="import")
    assert report.inserted == 1 and entries[0].after["inserted"] == 1


def test_reply_queue_marks_overdue(world):
    with session_scope(world) as session:
        items, total = queues.reply_queue(session, STAFF)
    assert total == 1 and items[0].overdue == "超过120小时"
    assert datetime.now().year >= 2024


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reply_queue_opens_on_what_is_due_soonest(world, seed):
    """Generated waits from minutes to years: the queue lists the complaints still in time
    for the full score first, each band longest waiting (its deadline soonest) first, the
    overdue last; each band's query and count agree with the whole queue."""
    rng = random.Random(seed)
    now = local_now()
    waits = [rng.uniform(0.2, 200) for _ in range(30)] + [
        rng.uniform(1000, 30000) for _ in range(5)
    ]
    add_complaints(
        world,
        [
            {
                "platform": "云集",
                "submitted_at": f"{now - timedelta(hours=h + 1):%Y-%m-%d %H:%M}",
                "transferred_at": f"{now - timedelta(hours=h):%Y-%m-%d %H:%M}",
            }
            for h in waits
        ],
    )
    with session_scope(world) as session:
        everything, total = queues.reply_queue(session, STAFF)
        bands = queues.reply_bands(session, STAFF)
        by_band = {
            name: queues.reply_queue(session, STAFF, min_hours=low, max_hours=high)
            for name, (low, high) in queues.BANDS.items()
        }

    def band(item) -> int:
        return sum(item.hours_waiting >= low for low, _high in list(queues.BANDS.values())[1:])

    assert total == len(everything) == len(waits) + 1  # T1 from 2024 waits too
    assert [i.id for i in everything] == [
        i.id for i in sorted(everything, key=lambda i: (band(i), i.transferred_at, i.id))
    ]
    assert band(everything[0]) == 0  # opens on one still in time
    assert everything[-1].overdue == "超过120小时"
    assert [i.id for i in everything] == [i.id for name in queues.BANDS for i in by_band[name][0]]
    assert bands == {name: by_band[name][1] for name in queues.BANDS}
    assert next(iter(queues.BANDS)) == queues.DEFAULT_BAND
    fresh = by_band[queues.DEFAULT_BAND][0]
    assert all(i.next_deadline == 72 and i.overdue == "" for i in fresh)
    assert [i.hours_waiting for i in fresh] == sorted(
        (i.hours_waiting for i in fresh), reverse=True
    )


def test_typical_case_marking_is_a_checked_audited_staff_write(world):
    c = complaint(world, "T1")
    headline = "“云集”被指服务态度差 客服只会拖延"
    for who in (VIEWER, None):
        with session_scope(world) as session, pytest.raises(Forbidden):
            workflow.mark_typical(
                session, who, c.id, typical=True, headline=headline, seen_version=c.version
            )
    with session_scope(world) as session, pytest.raises(TousuError, match="案例标题"):
        workflow.mark_typical(session, STAFF, c.id, typical=True, headline=" ", seen_version=1)
    with session_scope(world) as session:
        workflow.mark_typical(
            session, STAFF, c.id, typical=True, headline=headline, seen_version=c.version
        )
    marked = complaint(world, "T1")
    assert marked.typical and marked.headline == headline and marked.version == c.version + 1
    with session_scope(world) as session:  # a second person, from the old version: refused
        with pytest.raises(workflow.Conflict, match=r"clerk.*标记典型案例"):
            workflow.mark_typical(
                session, Actor("clerk2"), c.id, typical=False, headline="", seen_version=c.version
            )
        rows, total = cases.search_cases(session, Filters(), typical_only=True)
        entry = audit.changes_since(session, "complaint", c.id, c.version)[-1]
    assert total == 1 and rows[0].headline == headline and rows[0].typical
    assert entry.action == "typical" and entry.after["headline"] == headline
    assert entry.before["typical"] is False and entry.after["typical"] is True


def test_a_pending_complaint_cannot_be_a_typical_case(world):
    pending = complaint(world, "P1")
    assert pending.status == "待审核"
    with session_scope(world) as session, pytest.raises(TousuError, match="需先移交"):
        workflow.mark_typical(
            session, STAFF, pending.id, typical=True, headline="x", seen_version=pending.version
        )
