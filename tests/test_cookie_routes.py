"""The endpoints that set and clear the login cookie, called as the server calls them (ASGI)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

from models.access import sessions, users
from models.access.roles import CLI
from models.store.db import session_scope
from web import cookie_routes
from web.proxies import TrustedProxies

PASSWORD = "correct-horse-battery"
HOST = "tousu.example:8501"


def call(path, *, body=b"", origin=f"http://{HOST}", scheme="http", cookie=None, extra=()):
    """POST to the routes, behind the middleware the st.App has; returns (status,
    [Set-Cookie values])."""
    app = Starlette(routes=cookie_routes.routes(), middleware=[Middleware(TrustedProxies)])
    headers = [(b"host", HOST.encode()), *((k.lower().encode(), v.encode()) for k, v in extra)]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{cookie_routes.COOKIE}={cookie}".encode()))
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("tousu.example", 8501),
        "client": ("203.0.113.5", 50000),
    }
    sent = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    cookies = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
    return start["status"], cookies


@pytest.fixture
def ticket(use_db, engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    return users.log_in(engine, "clerk", PASSWORD).session.ticket


def _ours(cookies):
    return next(c for c in cookies if c.startswith(cookie_routes.COOKIE + "="))


def test_a_ticket_buys_an_http_only_strict_cookie_once(ticket, engine):
    status, cookies = call("/api/session", body=ticket.encode())
    assert status == 204
    cookie = _ours(cookies)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with session_scope(engine) as session:
        assert sessions.current(session, token=token).username == "clerk"
    assert call("/api/session", body=ticket.encode())[0] == 400  # used up


def test_https_makes_the_cookie_secure(ticket):
    assert "Secure" in _ours(call("/api/session", body=ticket.encode(), scheme="https")[1])


def test_an_https_base_url_makes_the_cookie_secure_behind_a_proxy(ticket, monkeypatch):
    monkeypatch.setenv("TOUSU_BASE_URL", "https://tousu.example")
    assert "Secure" in _ours(call("/api/session", body=ticket.encode())[1])


@pytest.mark.parametrize("origin", [None, "https://evil.example", "http://tousu.example:9999"])
def test_other_sites_cannot_use_the_endpoints(ticket, engine, origin):
    assert call("/api/session", body=ticket.encode(), origin=origin) == (403, [])
    assert call("/api/session/end", origin=origin) == (403, [])
    assert call("/api/session", body=ticket.encode())[0] == 204  # the ticket is still good


@pytest.mark.parametrize("trusted", ["", "203.0.113.5"])
def test_a_forwarded_host_counts_only_from_a_trusted_proxy(ticket, monkeypatch, trusted):
    """Another site naming itself in X-Forwarded-Host passes as the page's own origin only
    if a trusted proxy sent the header (a proxy of ours sets it; anyone else may lie)."""
    monkeypatch.setenv("TOUSU_TRUSTED_PROXIES", trusted)
    forged = [("X-Forwarded-Host", "evil.example")]
    status, _ = call(
        "/api/session", body=ticket.encode(), origin="https://evil.example", extra=forged
    )
    assert status == (204 if trusted else 403)


def test_ending_revokes_the_session_and_deletes_the_cookie(ticket, engine):
    _, cookies = call("/api/session", body=ticket.encode())
    token = _ours(cookies).split(";")[0].split("=", 1)[1]
    status, cookies = call("/api/session/end", cookie=token)
    assert status == 204 and "Max-Age=0" in _ours(cookies)
    with session_scope(engine) as session:
        assert sessions.current(session, token=token) is None


def test_a_database_fault_answers_503_and_changes_no_cookie(ticket, use_db, monkeypatch):
    # Nothing listens on port 9 (discard): the database cannot be reached.
    monkeypatch.setenv("TOUSU_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:9/none")
    assert call("/api/session", body=ticket.encode()) == (503, [])
    assert call("/api/session/end", cookie="some-token") == (503, [])
    monkeypatch.setenv("TOUSU_DATABASE_URL", use_db)
    assert call("/api/session", body=ticket.encode())[0] == 204  # the page's next try works
