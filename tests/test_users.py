"""Accounts: no defaults, bcrypt, valid names and passwords, the command line's own actor,
roles enforced in writes, and logins that never hold the write lock while hashing."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import bcrypt
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from sqlalchemy import insert, select, update

from models.access import users
from models.access.policy import Can, authorize, principal
from models.access.roles import CLI, Actor, Forbidden, LocalOperator
from models.errors import TousuError
from models.store.db import session_scope
from models.store.tables import Complaint, User
from models.writes import workflow
from tests.factories import add_complaints, add_platforms

PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        users.add_user(session, CLI, "watcher", "viewer", PASSWORD)
    return engine


def login(engine, name, password, client="203.0.113.1"):
    return users.log_in(engine, name, password, client=client)


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


def test_unknown_usernames_cost_a_bcrypt_check_like_known_ones(accounts):
    """The dummy hash has the work factor of real ones, and the message is the same."""
    with session_scope(accounts) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "clerk"))
    assert users._DUMMY_HASH[:7] == stored[:7]  # "$2b$12$": same algorithm and cost
    assert login(accounts, "nobody", "whatever-12345").message == (
        login(accounts, "clerk", "wrong-password-1").message
    )


@pytest.mark.parametrize("weak", ["short", "password1", "clerk12345678", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(engine, weak):
    with session_scope(engine) as session, pytest.raises(TousuError):
        users.add_user(session, CLI, "clerk", "staff", weak)


def test_disabled_account_cannot_log_in_or_write(accounts):
    with session_scope(accounts) as session:
        users.set_disabled(session, Actor("boss"), "clerk", True, seen_version=None)
    assert not login(accounts, "clerk", PASSWORD).ok
    with session_scope(accounts) as session, pytest.raises(Forbidden):
        authorize(session, Actor("clerk"), Can.REPLY)


def test_roles_are_checked_for_user_management(accounts):
    with session_scope(accounts) as session:
        for who in ("clerk", "watcher"):
            with pytest.raises(Forbidden):
                users.add_user(session, Actor(who), "eve", "admin", PASSWORD)
            with pytest.raises(Forbidden):
                users.set_password(
                    session, Actor(who), "boss", "another-long-pass", seen_version=None
                )
        with pytest.raises(Forbidden):
            users.add_user(session, None, "eve", "admin", PASSWORD)


def test_own_password_change_needs_the_current_one(accounts):
    with pytest.raises(TousuError, match="当前密码不正确"):
        users.change_own_password(accounts, Actor("watcher"), "wrong", "brand-new-secret")
    users.change_own_password(accounts, Actor("watcher"), PASSWORD, "brand-new-secret")
    assert login(accounts, "watcher", "brand-new-secret").ok


# --- passwords bcrypt cannot take (issue 11, item 7) ------------------------------------


@pytest.mark.parametrize(
    "password",
    ["x7" * 36 + "!", "密码" * 12 + "z"],  # 73 bytes: ASCII; 12 × 2 Chinese characters + 1
    ids=["ascii-73-bytes", "chinese-73-bytes"],
)
def test_passwords_over_72_bytes_are_refused_with_a_message(accounts, password):
    assert len(password.encode()) == 73
    with session_scope(accounts) as session, pytest.raises(TousuError, match="72 字节"):
        users.add_user(session, CLI, "longpass", "viewer", password)
    with session_scope(accounts) as session, pytest.raises(TousuError, match="72 字节"):
        users.set_password(session, CLI, "clerk", password, seen_version=None)
    with pytest.raises(TousuError, match="72 字节"):
        users.change_own_password(accounts, Actor("watcher"), PASSWORD, password)
    assert login(accounts, "clerk", PASSWORD).ok  # nothing was changed


def test_a_72_byte_password_is_accepted(accounts):
    password = "密码安全" * 6  # 24 Chinese characters: exactly 72 bytes
    with session_scope(accounts) as session:
        users.add_user(session, CLI, "chinese", "viewer", password)
    assert login(accounts, "chinese", password).ok
    assert not login(accounts, "chinese", password[:-1] + "多").ok


def test_old_hashes_of_long_passwords_keep_working(accounts):
    """bcrypt before version 5 hashed the first 72 bytes of a longer password, silently."""
    long_password = "an old passphrase that someone typed long ago, " * 2  # 96 bytes
    old_hash = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(4)).decode()
    with session_scope(accounts) as session:
        session.execute(
            update(User).where(User.username == "watcher").values(password_hash=old_hash)
        )
    assert login(accounts, "watcher", long_password).ok
    assert not login(accounts, "watcher", "a different passphrase " * 4).ok


# --- usernames the column and every database can hold -----------------------------------


@pytest.mark.parametrize(
    "name",
    ["a" * 65, "nul\x00byte", "bell\x07", "tab\tname", "zero\u200bwidth", "rtl\u202eevil", ""],
    ids=["65-chars", "nul", "control", "tab", "zero-width", "bidi-override", "empty"],
)
def test_usernames_must_fit_the_column_without_control_characters(engine, name):
    with session_scope(engine) as session, pytest.raises(TousuError, match="用户名"):
        users.add_user(session, CLI, name, "viewer", PASSWORD)
    with session_scope(engine) as session:
        assert users.count_users(session) == 0


def test_a_64_character_chinese_username_is_accepted(engine):
    name = "投诉" * 32
    with session_scope(engine) as session:
        users.add_user(session, CLI, name, "viewer", PASSWORD)
    assert login(engine, name, PASSWORD).ok


@pytest.mark.parametrize(
    "name", ["nul\x00byte", "x" * 500, "ctl\x01\x1f"], ids=["nul", "500-chars", "control"]
)
def test_malformed_usernames_fail_to_log_in_cleanly(accounts, name):
    """No driver error (PostgreSQL refuses NUL bytes and over-long values), just a refusal."""
    result = login(accounts, name, PASSWORD)
    assert not result.ok and result.message == login(accounts, "nobody", PASSWORD).message
    with session_scope(accounts) as session, pytest.raises(TousuError):
        users.set_password(session, CLI, name, "another-long-pass", seen_version=None)


# --- the command line's actor cannot be forged by a username (item 8) -------------------


def _legacy_account(engine, name: str, role: str) -> None:
    """An account made before the name was reserved (written directly, as then)."""
    with session_scope(engine) as session:
        session.execute(
            insert(User).values(
                username=name,
                role=role,
                password_hash=users.hash_password(PASSWORD),
                disabled=False,
                must_change_password=False,
                created_at=datetime(2024, 1, 1),
            )
        )


def test_an_account_named_cli_is_not_the_command_line(engine):
    _legacy_account(engine, "cli", "viewer")
    with session_scope(engine) as session:
        assert principal(session, Actor("cli")).role == "viewer"
        with pytest.raises(Forbidden):
            authorize(session, Actor("cli"), Can.MANAGE_USERS)
        with pytest.raises(Forbidden):
            users.add_user(session, Actor("cli"), "mallory", "admin", PASSWORD)
        assert authorize(session, CLI, Can.MANAGE_USERS).role == "admin"
    assert Actor("cli") != CLI and not isinstance(Actor("cli"), LocalOperator)


def test_a_disabled_account_named_cli_has_no_rights_and_the_cli_can_disable_it(engine):
    _legacy_account(engine, "cli", "admin")
    with session_scope(engine) as session:
        users.set_disabled(
            session, CLI, "cli", True, seen_version=None
        )  # not "you cannot disable yourself"
    with session_scope(engine) as session, pytest.raises(Forbidden):
        authorize(session, Actor("cli"), Can.VIEW)


@pytest.mark.parametrize("name", ["cli", "CLI", " Cli "])
def test_the_command_line_name_is_reserved(engine, name):
    with session_scope(engine) as session, pytest.raises(TousuError, match="保留"):
        users.add_user(session, CLI, name, "viewer", PASSWORD)


# --- logins do not hold the write lock while hashing (item 6) ---------------------------


def test_40_concurrent_bogus_logins_do_not_hold_up_a_staff_save(sqlite_url):
    """On SQLite a write waits at most 10 s for the lock. Forty simultaneous logins by
    strangers (each from its own address, so the throttle lets every one be checked)
    must not queue a staff save behind their bcrypt checks.

    Held through bcrypt, the lock passes from login to login and the save gets it only
    when most of them are done (~12 s and more, or "database is locked"). With bcrypt
    outside any transaction, the save commits while the logins are still hashing; on a
    busy machine it may take a few seconds of CPU, so the test compares it with them."""
    from models.store.db import get_engine

    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine, [{"platform": "云集", "submitted_at": "2024-03-01 09:00", "external_id": "L1"}]
    )
    results: list = []
    start = threading.Barrier(41)

    def bogus(i: int) -> None:
        start.wait()
        result = users.log_in(engine, f"guess{i}", "not-the-password", client=f"198.51.100.{i}")
        results.append((time.monotonic(), result))

    threads = [threading.Thread(target=bogus, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(0.3)  # the storm is under way: every login has begun
    with session_scope(engine, write=True) as session:
        c = session.execute(select(Complaint).where(Complaint.external_id == "L1")).scalar()
        workflow.enter_reply(
            session,
            Actor("clerk"),
            c.id,
            text="已联系用户处理",
            replied_at=c.transferred_at + timedelta(hours=1),
            seen_version=c.version,
        )
    saved_at = time.monotonic()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    assert all(not r.ok and "不正确" in r.message for _, r in results)  # each one was checked
    finished_before_save = sum(at < saved_at for at, _ in results)
    assert finished_before_save < 20, f"{finished_before_save} of 40 logins finished first"
    with session_scope(engine) as session:
        assert session.scalar(select(Complaint.status).where(Complaint.id == c.id)) == "已回复"


# --- the password rules, stated where passwords are set (issue 26, item 11) ------------


_PASSWORDS = hs.one_of(
    hs.text(max_size=30),
    hs.sampled_from(sorted(users._WEAK)).map(lambda p: p.upper() if len(p) % 2 else p),
    hs.builds(lambda a, b: a + "boss" + b, hs.text(max_size=8), hs.text(max_size=8)),
    hs.text(alphabet="ab", min_size=10, max_size=20),
    hs.text(alphabet="密码安全abc", min_size=20, max_size=40),
)


@given(password=_PASSWORDS, username=hs.sampled_from(["boss", "Boss", "x"]))
def test_a_password_is_refused_exactly_for_the_rules_it_breaks(password, username):
    """Two ways of reading the rules agree: check_strength refuses a password if and only
    if one of the stated rules says it is broken, and names exactly those."""
    broken = [rule.text for rule in users.PASSWORD_RULES if rule.broken(username, password)]
    if not broken:
        users.check_strength(username, password)
        return
    with pytest.raises(users.WeakPassword) as refused:
        users.check_strength(username, password)
    named = [rule.text for rule in users.PASSWORD_RULES if rule.text in str(refused.value)]
    assert named == broken
    assert all(rule.text in users.password_rules() for rule in users.PASSWORD_RULES)


def test_each_rule_is_the_only_one_a_password_breaks():
    """Every stated rule refuses some password on its own (none is dead text)."""
    only = {
        "10 个字符": "Ab3$efg",
        "字节": "x7#" * 24 + "!",
        "不同": "abababababab",
        "用户名": "my-boss-secret",
        "常见": "Tousu12345",
    }
    for rule in users.PASSWORD_RULES:
        (password,) = [p for key, p in only.items() if key in rule.text]
        broken = [r for r in users.PASSWORD_RULES if r.broken("boss", password)]
        assert broken == [rule], (rule.text, password)
