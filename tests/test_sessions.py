"""Login sessions: what the login cookie stands for can be ended on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from models.access import sessions, users
from models.access.roles import CLI, Actor
from models.clock import local_now
from models.store.db import session_scope
from models.store.tables import LoginSession

PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    return engine


def cookie_for(engine, name="clerk", password=PASSWORD) -> tuple[sessions.Handle, str]:
    """Log in and trade the ticket for the cookie's token, as the browser does."""
    result = users.log_in(engine, name, password)
    assert result.ok and result.session is not None
    with session_scope(engine) as session:
        token = sessions.redeem_ticket(session, result.session.ticket)
    assert token
    return result.session.handle, token


def valid(engine, token) -> str | None:
    with session_scope(engine) as session:
        found = sessions.current(session, token=token)
    return found.username if found else None


def test_the_cookie_logs_in_until_logout(accounts):
    handle, token = cookie_for(accounts)
    assert valid(accounts, token) == "clerk"
    with session_scope(accounts) as session:
        sessions.revoke(session, handle=handle)
    assert valid(accounts, token) is None
    _, other = cookie_for(accounts)  # logging in again is a new session
    assert valid(accounts, other) == "clerk" and other != token


def test_only_hashes_are_stored(accounts):
    result = users.log_in(accounts, "clerk", PASSWORD)
    with session_scope(accounts) as session:
        token = sessions.redeem_ticket(session, result.session.ticket)
        row = session.execute(select(LoginSession)).scalar_one()
    assert row.token_hash and token not in row.token_hash and row.ticket_hash is None
    assert result.session.ticket not in str(row.model_dump())


def test_a_ticket_sets_one_cookie_once_and_soon(accounts):
    result = users.log_in(accounts, "clerk", PASSWORD)
    with session_scope(accounts) as session:
        assert sessions.redeem_ticket(session, "not-a-ticket") is None
        assert sessions.redeem_ticket(session, result.session.ticket) is not None
        assert sessions.redeem_ticket(session, result.session.ticket) is None  # used
    stale = users.log_in(accounts, "clerk", PASSWORD)
    with session_scope(accounts) as session:
        later = local_now() + sessions.TICKET_LIFETIME + timedelta(seconds=1)
        assert sessions.redeem_ticket(session, stale.session.ticket, later) is None


def test_password_change_ends_every_session_of_the_account(accounts):
    _, first = cookie_for(accounts)
    _, second = cookie_for(accounts)
    _, bosses = cookie_for(accounts, "boss")
    users.change_own_password(accounts, Actor("clerk"), PASSWORD, "a-brand-new-secret")
    assert valid(accounts, first) is None and valid(accounts, second) is None
    assert valid(accounts, bosses) == "boss"  # other accounts are untouched
    _, reset = cookie_for(accounts, "clerk", "a-brand-new-secret")
    with session_scope(accounts) as session:  # an administrator's reset ends them too
        users.set_password(
            session, Actor("boss"), "clerk", "temporary-pass-9", one_time=True, seen_version=None
        )
    assert valid(accounts, reset) is None


def test_disabling_ends_sessions_for_good(accounts):
    _, token = cookie_for(accounts)
    with session_scope(accounts) as session:
        users.set_disabled(session, Actor("boss"), "clerk", True, seen_version=None)
    assert valid(accounts, token) is None
    with session_scope(accounts) as session:
        users.set_disabled(session, Actor("boss"), "clerk", False, seen_version=None)
    assert valid(accounts, token) is None  # enabling again does not revive old cookies


def test_a_role_change_ends_sessions(accounts):
    _, token = cookie_for(accounts)
    with session_scope(accounts) as session:
        # The same role: no new login needed.
        users.set_role(session, CLI, "clerk", "staff", seen_version=None)
    assert valid(accounts, token) == "clerk"
    with session_scope(accounts) as session:
        users.set_role(session, CLI, "clerk", "admin", seen_version=None)
    assert valid(accounts, token) is None


def test_sessions_expire(accounts):
    _, token = cookie_for(accounts)
    with session_scope(accounts) as session:
        later = local_now() + sessions.LIFETIME + timedelta(seconds=1)
        assert sessions.current(session, token=token, now=later) is None


def test_reissue_gives_the_browser_a_new_session_after_its_own_password_change(accounts):
    handle, token = cookie_for(accounts)
    users.change_own_password(accounts, Actor("clerk"), PASSWORD, "a-brand-new-secret")
    with session_scope(accounts) as session:
        started = sessions.reissue(session, handle)
        assert started is not None and started.id != handle.id
        assert sessions.current(session, handle=started.handle).username == "clerk"
    assert valid(accounts, token) is None
    with session_scope(accounts) as session:
        users.set_disabled(session, Actor("boss"), "clerk", True, seen_version=None)
        assert sessions.reissue(session, started.handle) is None  # never for a disabled account


def test_an_id_that_comes_again_is_not_the_old_session(accounts):
    """A restore (or a reset sequence) hands an old id to a new login: a browser session
    still holding the old session's handle must find nothing, not the new login."""
    handle, _token = cookie_for(accounts, "clerk")
    earlier = handle.created_at - timedelta(hours=1)  # logged in an hour before the restore
    with session_scope(accounts) as session:
        session.execute(
            update(LoginSession).where(LoginSession.id == handle.id).values(created_at=earlier)
        )
    handle = sessions.Handle(handle.id, earlier)
    with session_scope(accounts) as session:
        session.execute(delete(LoginSession))  # as a restore leaves it: no sessions at all
    newcomer, _ = cookie_for(accounts, "boss")
    if newcomer.id != handle.id:  # make the id come again, as SQLite and a reset would
        with session_scope(accounts) as session:
            session.execute(
                update(LoginSession).where(LoginSession.id == newcomer.id).values(id=handle.id)
            )
        newcomer = sessions.Handle(handle.id, newcomer.created_at)
    with session_scope(accounts) as session:
        assert sessions.current(session, handle=newcomer).username == "boss"
        assert sessions.current(session, handle=handle) is None
        sessions.revoke(session, handle=handle)  # the stale tab logging out ends nothing
        assert sessions.current(session, handle=newcomer) is not None


@pytest.mark.parametrize("junk", ["", "x" * 5000, "\x00", "tok\udcff"])
def test_junk_cookies_are_no_session(accounts, junk):
    cookie_for(accounts)
    assert valid(accounts, junk) is None
