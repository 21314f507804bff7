"""Two administrators editing one account: the later save made on an older view is refused,
saying who changed what — as for complaints (models/access/users.py ``_save``).

Every pair of edits (role, disable/enable, password reset) is tried both ways, in the
domain on SQLite and PostgreSQL, then through 用户管理 with two sessions (AppTest).
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from models.access import users
from models.access.roles import CLI, Actor
from models.errors import Conflict
from models.store.db import get_engine, session_scope
from models.store.tables import User
from tests.dashboard_helpers import app, errors

PASSWORD = "correct-horse-battery"
ANNA, BEN = Actor("anna"), Actor("ben")

# Each edit: how it is written, and what its refusal must say about it.
EDITS = {
    "role": (
        lambda s, who, v: users.set_role(s, who, "clerk", "staff", seen_version=v),
        "修改角色（角色 查看者 → 工作人员）",
    ),
    "disable": (
        lambda s, who, v: users.set_disabled(s, who, "clerk", True, seen_version=v),
        "停用账号（停用 否 → 是）",
    ),
    "password": (
        lambda s, who, v: users.set_password(
            s, who, "clerk", "temporary-pass-9", one_time=True, seen_version=v
        ),
        "修改密码",
    ),
}


@pytest.fixture
def admins(engine):
    with session_scope(engine) as session:
        for name in ("anna", "ben"):
            users.add_user(session, CLI, name, "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "viewer", PASSWORD)
    return engine


def account(engine) -> User:
    with session_scope(engine) as session:
        return session.execute(select(User).where(User.username == "clerk")).scalar_one()


@pytest.mark.parametrize(("first", "second"), list(itertools.product(EDITS, repeat=2)))
def test_an_edit_made_on_an_older_view_is_refused_with_who_changed_what(admins, first, second):
    seen = account(admins).version  # both admins open the account
    with session_scope(admins) as session:
        EDITS[first][0](session, ANNA, seen)
    after_first = account(admins)
    with session_scope(admins) as session, pytest.raises(Conflict) as refused:
        EDITS[second][0](session, BEN, seen)
    text = str(refused.value)
    assert "保存被拒绝" in text and "账号“clerk”" in text
    assert "anna 于 " in text and EDITS[first][1] in text
    unchanged = account(admins)
    assert (unchanged.version, unchanged.role, unchanged.disabled, unchanged.password_hash) == (
        after_first.version,
        after_first.role,
        after_first.disabled,
        after_first.password_hash,
    )
    with session_scope(admins) as session:  # on the current version it goes through
        EDITS[second][0](session, BEN, unchanged.version)
    assert account(admins).version == unchanged.version + 1


def test_the_command_line_acts_on_the_account_as_it_is(admins):
    with session_scope(admins) as session:
        users.set_role(session, ANNA, "clerk", "staff", seen_version=0)
        users.set_disabled(session, CLI, "clerk", True, seen_version=None)
    assert account(admins).disabled and account(admins).version == 2


# --- through 用户管理, two admins at once -----------------------------------------------


@pytest.fixture
def site(use_db, monkeypatch):
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(use_db)
    with session_scope(engine) as session:
        for name in ("anna", "ben"):
            users.add_user(session, CLI, name, "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "viewer", PASSWORD)
    return engine


def users_page(name: str):
    at = app()
    at.text_input(key="lg_user").input(name)
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("../admin/views/users.py")
    at.run()
    at.selectbox(key="us_pick").select("clerk").run()
    return at


def press(at, label: str):
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def test_two_admins_on_one_account_the_second_is_refused_and_told(site):
    anna, ben = users_page("anna"), users_page("ben")
    anna.selectbox(key="us_role_clerk").select("staff").run()
    press(anna, "保存角色")
    assert "clerk 的角色已改为工作人员" in " ".join(s.value for s in anna.success)

    press(ben, "停用")  # ben's page still shows the account as anna found it
    assert errors(ben) == []
    refused = " ".join(e.value for e in ben.error)
    assert "保存被拒绝" in refused and "anna" in refused and "角色 查看者 → 工作人员" in refused
    assert not account(site).disabled

    press(ben, "载入最新内容")  # a deliberate choice; now ben's save goes through
    press(ben, "停用")
    assert not ben.error and account(site).disabled and account(site).role == "staff"


def test_a_page_left_open_says_the_account_changed(site):
    ben = users_page("ben")
    with session_scope(site) as session:
        users.set_role(session, ANNA, "clerk", "admin", seen_version=account(site).version)
    ben.run()
    warning = " ".join(w.value for w in ben.warning)
    assert "你打开账号“clerk”之后" in warning and "anna" in warning and "管理员" in warning


def test_edits_in_one_transaction_each_see_the_version_before(admins):
    with session_scope(admins) as session:
        users.set_role(session, CLI, "clerk", "staff", seen_version=None)
        users.set_disabled(session, CLI, "clerk", True, seen_version=None)
        users.set_password(session, CLI, "clerk", "temporary-pass-9", seen_version=None)
    assert account(admins).version == 3
