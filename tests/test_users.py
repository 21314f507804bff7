"""Accounts: no defaults, bcrypt, the brute-force lock, roles enforced in writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from models.access import users
from models.access.roles import CLI, Actor, Forbidden, require
from models.errors import TousuError
from models.store.db import session_scope
from models.store.tables import LoginAttempt, User

PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
    return engine


def login(engine, name, password):
    with session_scope(engine) as session:
        return users.authenticate(session, name, password)


def test_fresh_install_has_no_accounts_and_no_well_known_login(engine):
    with session_scope(engine) as session:
        assert users.count_users(session) == 0
    for name, password in [
        ("admin", "admin"),
        ("admin", "password"),
        ("root", "root"),
        ("admin", "123456"),
        ("tousu", "tousu"),
        ("admin", ""),
    ]:
        assert not login(engine, name, password).ok


def test_passwords_are_bcrypt_hashes(accounts):
    with session_scope(accounts) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "clerk"))
    assert stored.startswith("$2") and PASSWORD not in stored
    assert login(accounts, "clerk", PASSWORD).ok
    assert login(accounts, "clerk", PASSWORD + "x").ok is False


@pytest.mark.parametrize("weak", ["short", "password1", "clerk12345678", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(engine, weak):
    with session_scope(engine) as session, pytest.raises(TousuError):
        users.add_user(session, CLI, "clerk", "staff", weak)


def test_five_failures_lock_the_username_for_15_minutes(accounts):
    for _ in range(4):
        assert login(accounts, "clerk", "wrong-password-1").ok is False
    assert login(accounts, "clerk", PASSWORD).ok  # 4 failures: not locked; success resets
    for _ in range(5):
        login(accounts, "clerk", "wrong-password-1")
    result = login(accounts, "clerk", PASSWORD)
    assert not result.ok and "锁定" in result.message
    with session_scope(accounts) as session:
        until = users.locked_until(session, "clerk")
        info = {u.username: u for u in users.list_users(session, CLI)}
    assert until is not None and info["clerk"].locked_until == until
    with session_scope(accounts) as session:
        assert users.locked_until(session, "clerk", until + timedelta(seconds=1)) is None
    with session_scope(accounts) as session:
        users.unlock(session, Actor("boss"), "clerk")
    assert login(accounts, "clerk", PASSWORD).ok


def test_failures_spread_over_more_than_15_minutes_do_not_lock(accounts):
    with session_scope(accounts) as session:
        now = users.local_now()
        for minutes in (40, 30, 20, 10):
            session.execute(
                insert(LoginAttempt).values(
                    username="clerk", at=now - timedelta(minutes=minutes), outcome="failure"
                )
            )
    login(accounts, "clerk", "wrong-password-1")
    with session_scope(accounts) as session:
        assert users.locked_until(session, "clerk") is None


def test_unknown_usernames_lock_too_and_reveal_nothing(accounts):
    messages = {login(accounts, "nobody", "whatever-12345").message for _ in range(5)}
    assert messages == {login(accounts, "clerk", "wrong-password-1").message}
    assert "锁定" in login(accounts, "nobody", "whatever-12345").message


def test_disabled_account_cannot_log_in_or_write(accounts):
    with session_scope(accounts) as session:
        users.set_disabled(session, Actor("boss"), "clerk", True)
    assert not login(accounts, "clerk", PASSWORD).ok
    with session_scope(accounts) as session, pytest.raises(Forbidden):
        require(session, Actor("clerk"), "staff")


def test_roles_are_checked_for_user_management(accounts):
    with session_scope(accounts) as session:
        for who in ("clerk", "watcher"):
            with pytest.raises(Forbidden):
                users.add_user(session, Actor(who), "eve", "admin", PASSWORD)
            with pytest.raises(Forbidden):
                users.set_password(session, Actor(who), "boss", "another-long-pass")
        with pytest.raises(Forbidden):
            users.add_user(session, None, "eve", "admin", PASSWORD)


def test_own_password_change_needs_the_current_one(accounts):
    with session_scope(accounts) as session, pytest.raises(TousuError):
        users.set_password(
            session, Actor("watcher"), "watcher", "brand-new-secret", current_password="wrong"
        )
    with session_scope(accounts) as session:
        users.set_password(
            session, Actor("watcher"), "watcher", "brand-new-secret", current_password=PASSWORD
        )
    assert login(accounts, "watcher", "brand-new-secret").ok
