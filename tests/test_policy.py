"""The policy: capabilities per role, one scope per actor, and every write asking it.

A platform account (role ``platform``) may reply to its own transferred complaints and
read its own figures; every other write, and every complaint of another platform or not
yet transferred, is refused — found by sweeping every write function of the domain
layer, not by listing the ones that exist today.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import datetime, timedelta
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from sqlalchemy import select

import models.writes
from models.access import policy, sharing, users
from models.access.policy import CAPABILITIES, Can, authorize, scope_for
from models.access.roles import CLI, ROLES, Actor, Forbidden
from models.errors import NotFound, TousuError
from models.reads import cases, queues
from models.rules.labels import COUNTING_STATUSES
from models.store.db import session_scope
from models.store.tables import Complaint
from models.writes import workflow
from tests.factories import add_complaints, add_platforms

PASSWORD = "correct-horse-battery"
JIA = Actor("jia")  # the platform account of 甲


def test_every_capability_is_someones_and_admins_have_all():
    for capability in Can:
        assert policy.roles_with(capability), capability
    assert CAPABILITIES["admin"] == frozenset(Can)
    assert set(CAPABILITIES) == set(ROLES)


def test_a_platform_replies_and_reads_but_never_reviews_scores_imports_or_shares():
    assert CAPABILITIES["platform"] == {Can.VIEW, Can.VIEW_PERSONAL, Can.REPLY}


@given(hs.sampled_from(ROLES), hs.lists(hs.integers(1, 50), max_size=3, unique=True))
def test_scopes_by_role(role, ids):
    scope = scope_for(role, tuple(ids))
    assert scope.reveal_personal == policy.can(role, Can.VIEW_PERSONAL)
    if role == "platform":  # its own platforms only, and only once transferred
        assert scope.filters.platform_ids == tuple(ids)
        assert scope.filters.statuses == COUNTING_STATUSES
    elif policy.can(role, Can.REVIEW):
        assert scope.filters.statuses is None and scope.filters.platform_ids is None
    else:
        assert scope.filters.statuses == COUNTING_STATUSES and not scope.reveal_personal


@pytest.fixture
def world(engine):
    """Two platforms with a pending, a transferred and a replied complaint each; accounts."""
    add_platforms(engine, ("甲", "社交电商", True), ("乙", "社交电商", True))
    rows = []
    for platform in ("甲", "乙"):
        for status in ("待审核", "已移交", "已回复"):
            row = {
                "platform": platform,
                "submitted_at": "2026-11-02 10:00",
                "status": status,
                "complainant": "陈晓明",
                "phone": "13800138000",
                "external_id": f"{platform}-{status}",
            }
            if status != "待审核":
                row["transferred_at"] = "2026-11-02 12:00"
            if status == "已回复":
                row |= {"replied_at": "2026-11-03 12:00", "reply": "已处理"}
            rows.append(row)
    add_complaints(engine, rows)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "jia", "platform", PASSWORD, platforms=["甲"])
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        ids = dict(session.execute(select(Complaint.external_id, Complaint.id)).all())
    return engine, ids


def _version(session, complaint_id: int) -> int:
    return session.scalar(select(Complaint.version).where(Complaint.id == complaint_id))


def test_a_platform_account_needs_its_platforms(engine):
    add_platforms(engine, ("甲", "社交电商", True))
    with session_scope(engine) as session:
        with pytest.raises(TousuError, match="至少一个"):
            users.add_user(session, CLI, "jia", "platform", PASSWORD)
        with pytest.raises(TousuError, match="已有平台：甲"):
            users.add_user(session, CLI, "jia", "platform", PASSWORD, platforms=["丙"])
        with pytest.raises(TousuError, match="只有"):
            users.add_user(session, CLI, "eve", "staff", PASSWORD, platforms=["甲"])


def test_a_platform_replies_to_its_own_transferred_complaint_only(world):
    engine, ids = world
    own, other = ids["甲-已移交"], ids["乙-已移交"]
    with session_scope(engine) as session:
        workflow.enter_reply(
            session,
            JIA,
            own,
            text="您好，已退款",
            seen_version=_version(session, own),
        )
    for target in (other, ids["甲-待审核"]):  # another platform's; not yet transferred
        with session_scope(engine) as session, pytest.raises(NotFound):
            workflow.enter_reply(
                session,
                JIA,
                target,
                text="x",
                seen_version=_version(session, target),
            )
    # the version check holds for platforms too
    with session_scope(engine) as session, pytest.raises(TousuError, match="保存被拒绝"):
        workflow.enter_reply(
            session,
            JIA,
            own,
            text="again",
            seen_version=_version(session, own) - 1,
        )


def test_a_platform_sees_its_own_queue_and_complaints_with_contact_details(world):
    engine, ids = world
    with session_scope(engine) as session:
        items, total = queues.reply_queue(session, JIA)
        assert {i.platform for i in items} == {"甲"} and total == 1
        assert sum(queues.reply_bands(session, JIA).values()) == 1
        detail = cases.complaint_for_staff(session, JIA, ids["甲-已回复"])
        assert detail is not None and detail.phone == "13800138000"
        for hidden in (ids["乙-已回复"], ids["甲-待审核"]):
            with pytest.raises(NotFound):
                cases.complaint_for_staff(session, JIA, hidden)
        for staff_only in (queues.pending_review, queues.awaiting_score):
            with pytest.raises(Forbidden):
                staff_only(session, JIA)


# --- every write, swept -----------------------------------------------------------------


def _writes() -> list:
    """Every public function of the domain layer's writes and account modules that takes an
    actor (models/writes/*, models/access/users.py, models/access/sharing.py)."""
    modules = [
        importlib.import_module(f"models.writes.{m.name}")
        for m in pkgutil.iter_modules(models.writes.__path__)
    ] + [users, sharing]
    found = []
    for module in modules:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if fn.__module__ == module.__name__ and not name.startswith("_") and "actor" in params:
                found.append(fn)
    return found


def _arguments(fn, ids: dict) -> dict:
    """Plausible arguments by parameter name: what a page would send (the platform's own
    transferred complaint, so that only the capability can refuse)."""
    values = {
        "complaint_id": ids["甲-已移交"],
        "seen_version": 1,
        "username": "clerk",
        "role": "admin",
        "password": PASSWORD + "!",
        "new_password": PASSWORD + "!",
        "current_password": PASSWORD,
        "disabled": True,
        "name": "丙",
        "sector": "社交电商",
        "onboarded": True,
        "kind": "complaints",
        "data": b"",
        "filename": "x.csv",
        "dry_run": True,
        "text": "x",
        "score": 5,
        "typical": True,
        "headline": "x",
        "reason": "x",
        "accept": True,
        "label": "x",
        "link_id": 1,
        "replied_at": datetime(2026, 11, 3, 9, 0),
    }
    out = {}
    for p in list(inspect.signature(fn).parameters.values())[2:]:
        if p.name in values:
            out[p.name] = values[p.name]
        elif p.default is inspect.Parameter.empty:
            raise AssertionError(f"{fn.__qualname__}: give a test value for {p.name!r}")
    return out


#: Writes a platform account may call (on its own complaints), and the audit log's own
#: writer, which runs inside writes that have already asked the policy.
ALLOWED = {
    "models.writes.workflow.enter_reply",
    "models.writes.workflow.describe_changes",
    "models.access.users.change_own_password",
    "models.writes.audit.record",
}


def test_every_write_refuses_a_platform_account_unless_the_policy_allows_it(world):
    engine, ids = world
    swept = _writes()
    assert {"review", "enter_score", "mark_typical", "add_user", "create_link"} <= {
        fn.__name__ for fn in swept
    }
    for fn in swept:
        if f"{fn.__module__}.{fn.__name__}" in ALLOWED:
            continue
        first = next(iter(inspect.signature(fn).parameters))
        target = engine if first == "engine" else None
        with session_scope(engine) as session, pytest.raises(Forbidden):
            fn(target or session, JIA, **_arguments(fn, ids))


def test_authorize_agrees_with_the_table_for_every_role_and_capability(world):
    engine, _ids = world
    with session_scope(engine) as session:
        for role in ROLES:
            name = f"acct_{role}"
            users.add_user(
                session, CLI, name, role, PASSWORD, platforms=["甲"] if role == "platform" else ()
            )
        for role in ROLES:
            for capability in Can:
                allowed = policy.can(role, capability)
                try:
                    authorize(session, Actor(f"acct_{role}"), capability)
                except Forbidden:
                    assert not allowed, (role, capability)
                else:
                    assert allowed, (role, capability)


@pytest.mark.parametrize("minutes_ago", [0, 9, 11, 60 * 24, 60 * 24 * 400])
def test_only_staff_set_a_reply_time_before_now(world, minutes_ago):
    """The rated platform's own account replies now: a time typed earlier would raise its
    回复时效性 and its closed years' ratings. Staff, transcribing a reply given earlier, may;
    the form's minute (10 minutes of slack) is no backdating."""
    from models.clock import local_now

    engine, ids = world
    own = ids["甲-已移交"]
    with session_scope(engine) as session:  # moved back, so every time below is after it
        session.get(Complaint, own).transferred_at = datetime(2024, 1, 1, 9, 0)
    for actor, allowed in ((JIA, minutes_ago <= 10), (Actor("clerk"), True)):
        when = (local_now() - timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
        with session_scope(engine) as session:
            before = session.get(Complaint, own).replied_at
            call = partial(
                workflow.enter_reply,
                session,
                actor,
                own,
                text="已处理",
                replied_at=when,
                seen_version=_version(session, own),
            )
            if allowed:
                call()
            else:
                with pytest.raises(TousuError, match="不能填写更早的回复时间"):
                    call()
        with session_scope(engine) as session:
            stored = session.get(Complaint, own).replied_at
        assert stored == (when if allowed else before), (actor, minutes_ago)
