"""The login throttle: a growing wait per username and per client, never a long lock-out."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert

from models.access import throttle, users
from models.access.roles import CLI, Actor
from models.clock import local_now
from models.errors import TousuError
from models.store.db import session_scope
from models.store.tables import LoginAttempt

PASSWORD = "correct-horse-battery"
WRONG = "wrong-password-1"


@pytest.fixture
def accounts(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "admin", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    return engine


def attempt(engine, name, password, client="203.0.113.9", now=None):
    return users.log_in(engine, name, password, client=client, now=now)


def failures(engine, name, client, *seconds_ago):
    """Failed attempts recorded that many seconds ago."""
    now = local_now()
    with session_scope(engine) as session:
        for ago in seconds_ago:
            session.execute(
                insert(LoginAttempt).values(
                    username=name, client=client, at=now - timedelta(seconds=ago), outcome="failure"
                )
            )


def test_five_wrong_guesses_do_not_lock_the_admin_out(accounts):
    """Today anyone could lock `admin` for 15 minutes with five guesses."""
    failures(accounts, "admin", "198.51.100.7", 50, 40, 30, 20, 10)
    assert attempt(accounts, "admin", PASSWORD, client="192.0.2.1").ok


def test_the_wait_after_failures_grows_and_is_capped(accounts):
    now = local_now()
    for _ in range(5):  # free
        assert "不正确" in attempt(accounts, "clerk", WRONG, now=now).message
    refused = attempt(accounts, "clerk", PASSWORD, now=now)
    assert not refused.ok and "2 秒后再试" in refused.message
    waits = [throttle.USERNAME.delay(n) for n in range(5, 13)]
    assert [w.total_seconds() for w in waits] == [2, 4, 8, 16, 32, 60, 60, 60]
    for wait in waits:  # each wait sat out, then one more wrong guess
        now += wait
        assert "不正确" in attempt(accounts, "clerk", WRONG, now=now).message
    assert "60 秒后再试" in attempt(accounts, "clerk", PASSWORD, now=now).message
    assert attempt(accounts, "clerk", PASSWORD, now=now + timedelta(seconds=60)).ok


def test_refused_attempts_do_not_extend_the_wait(accounts):
    now = local_now()
    for _ in range(5):
        attempt(accounts, "clerk", WRONG, now=now)
    for seconds in (0, 1, 1):
        assert (
            "秒后再试"
            in attempt(accounts, "clerk", WRONG, now=now + timedelta(seconds=seconds)).message
        )
    assert attempt(accounts, "clerk", PASSWORD, now=now + timedelta(seconds=2)).ok


def test_a_success_resets_the_username_count(accounts):
    now = local_now()
    for _ in range(4):
        attempt(accounts, "clerk", WRONG, now=now)
    assert attempt(accounts, "clerk", PASSWORD, now=now).ok
    for _ in range(4):
        assert "不正确" in attempt(accounts, "clerk", WRONG, now=now).message


def test_unknown_usernames_are_throttled_alike_and_reveal_nothing(accounts):
    now = local_now()
    for _ in range(5):
        attempt(accounts, "nobody", WRONG, now=now, client="192.0.2.1")
        attempt(accounts, "clerk", WRONG, now=now, client="192.0.2.2")
    unknown = attempt(accounts, "nobody", WRONG, now=now, client="192.0.2.1")
    known = attempt(accounts, "clerk", WRONG, now=now, client="192.0.2.2")
    assert unknown.message == known.message and "秒后再试" in known.message


def test_one_client_guessing_many_names_is_slowed_down(accounts):
    now = local_now()
    for i in range(10):  # free, whatever the names
        assert (
            "不正确" in attempt(accounts, f"name{i}", WRONG, client="198.51.100.5", now=now).message
        )
    refused = attempt(accounts, "clerk", PASSWORD, client="198.51.100.5", now=now)
    assert not refused.ok and "秒后再试" in refused.message
    assert attempt(accounts, "clerk", PASSWORD, client="198.51.100.6", now=now).ok
    failures(accounts, "x", "198.51.100.5", *range(30))  # a long run of failures
    refused = attempt(accounts, "clerk", PASSWORD, client="198.51.100.5")
    assert "15 分钟后再试" in refused.message


def test_an_admin_unlock_lifts_the_username_wait(accounts):
    failures(accounts, "clerk", "203.0.113.9", *[0] * 8)  # the next try must wait 16 s
    with session_scope(accounts) as session:
        info = {u.username: u for u in users.list_users(session, CLI)}
        assert info["clerk"].throttled_until is not None and info["admin"].throttled_until is None
        users.unlock(session, Actor("admin"), "clerk")
    assert attempt(accounts, "clerk", PASSWORD, client="192.0.2.3").ok


def test_a_burst_of_simultaneous_guesses_gets_only_the_free_tries(accounts):
    """The check and the record are one serialised step: 20 guesses at once, from 20
    addresses, get exactly 5 password checks, not 20."""
    start = threading.Barrier(20)
    results = []
    now = local_now()  # one instant for all: however slowly the machine runs them

    def guess(i):
        start.wait()
        results.append(
            attempt(accounts, "admin", f"guess-number-{i}", client=f"192.0.2.{i + 10}", now=now)
        )

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = [r for r in results if "不正确" in r.message]
    refused = [r for r in results if "秒后再试" in r.message]
    assert (len(checked), len(refused)) == (5, 15)


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", None, (), "local"),
        ("::ffff:127.0.0.1", None, (), "local"),
        ("203.0.113.4", None, (), "203.0.113.4"),
        ("::ffff:203.0.113.4", None, (), "203.0.113.4"),
        ("2001:db8:1:2:3:4:5:6", None, (), "2001:db8:1:2::/64"),
        # X-Forwarded-For is the client's own claim unless the peer is a trusted proxy.
        ("203.0.113.4", "198.51.100.1", (), "203.0.113.4"),
        ("127.0.0.1", "198.51.100.1", (), "local"),
        ("10.0.0.2", "198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "garbage, 198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, garbage", ("10.0.0.0/8",), "10.0.0.2"),
        ("127.0.0.1", "198.51.100.1", ("127.0.0.1",), "198.51.100.1"),
        ("not an address", None, (), "unknown"),
    ],
)
def test_client_key(peer, forwarded, trusted, expected):
    assert throttle.client_key(throttle.forwarded_client(peer, forwarded, trusted)) == expected


def test_loopback_as_streamlit_reports_it_is_local():
    assert throttle.client_key(None) == "local"  # st.context.ip_address: None for loopback


# --- the current-password check on 我的账号 is a password guess too ---------------------


def change(engine, password, *, client="203.0.113.9", now=None, new="a-brand-new-secret"):
    users.change_own_password(engine, Actor("clerk"), password, new, client=client, now=now)


def test_wrong_current_passwords_slow_the_name_down_like_failed_logins(accounts):
    """Per username: five free failures from anywhere, then even the right password waits —
    on 我的账号 and at the login alike (one throttle)."""
    now = local_now()
    for i in range(5):
        with pytest.raises(TousuError, match="当前密码不正确"):
            change(accounts, WRONG, client=f"192.0.2.{i}", now=now)
    with pytest.raises(TousuError, match="当前密码错误次数过多，请 2 秒后再试"):
        change(accounts, PASSWORD, client="192.0.2.50", now=now)
    assert "登录失败次数过多" in attempt(accounts, "clerk", PASSWORD, now=now).message
    change(accounts, PASSWORD, client="192.0.2.50", now=now + timedelta(seconds=3))
    assert attempt(accounts, "clerk", "a-brand-new-secret", client="192.0.2.77").ok


def test_a_client_that_guessed_too_much_cannot_try_the_current_password(accounts):
    """Per client: ten failed logins from one address, whatever the names, and a password
    change from there waits too; from elsewhere it goes through."""
    failures(accounts, "someone-else", "198.51.100.9", *range(10))
    with pytest.raises(TousuError, match="次数过多"):
        change(accounts, PASSWORD, client="198.51.100.9")
    change(accounts, PASSWORD, client="198.51.100.10")


def test_a_burst_of_current_password_guesses_gets_only_the_free_tries(accounts):
    now = local_now()
    outcomes: list[str] = []

    def guess(i):
        try:
            change(accounts, f"guess-number-{i}", client=f"192.0.2.{i + 10}", now=now)
        except TousuError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("当前密码不正确") == 5
    assert sum("次数过多" in o for o in outcomes) == 7
