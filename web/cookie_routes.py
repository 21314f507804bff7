"""Two small HTTP endpoints beside the Streamlit app that set and clear the login cookie.

A Streamlit script cannot send HTTP headers, and a cookie set from JavaScript can never
be HttpOnly. So after a login the page posts a one-time ticket here
(:mod:`web.auth` renders that request), and the answer sets the cookie: HttpOnly,
SameSite=Strict, Secure when served over HTTPS. Scripts in the page never see its value.
``dashboard/app.py`` serves these routes through ``st.App`` (Streamlit's Starlette app),
which ``streamlit run dashboard/app.py`` and ``tousu serve`` pick up by themselves.

- ``POST {base}/api/session`` (body: the ticket) sets the cookie: 204, or 400 for an
  unknown, used or stale ticket.
- ``POST {base}/api/session/end`` ends the cookie's session on the server and deletes
  the cookie (logout).

Both refuse requests whose Origin is another site: no cross-site form can log a browser
into someone else's account or out of its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.access import sessions
from models.settings import get_settings
from models.store import faults
from models.store.db import get_engine, session_scope

COOKIE = "tousu_session"
#: The cookie streamlit-authenticator used to set from JavaScript (readable by scripts).
LEGACY_COOKIE = "tousu_auth"
START = "/api/session"
END = "/api/session/end"


def base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` as a path prefix: "" or "/prefix"."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:  # browsers send Origin with every POST from fetch()
        return False
    hosts = {
        request.headers.get("host"),
        request.headers.get("x-forwarded-host"),
        urlsplit(get_settings().base_url or "").netloc,
    }
    return urlsplit(origin).netloc in hosts - {None, ""}


def _cookie_options(request: Request) -> dict:
    secure = request.url.scheme == "https" or (get_settings().base_url or "").startswith("https://")
    return {"path": base_path() or "/", "httponly": True, "samesite": "strict", "secure": secure}


def _answer(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})


class _Unavailable(Exception):
    """The database had a fault (down, read-only, full): answer 503, change no cookie."""


def _in_database(work, *args):
    try:
        return work(*args)
    except faults.CANDIDATES as exc:
        if faults.describe(exc) is None:
            raise
        raise _Unavailable from None


def _redeem(ticket: str) -> str | None:
    with session_scope(get_engine(), write=True) as session:
        return sessions.redeem_ticket(session, ticket)


def _end(token: str) -> None:
    with session_scope(get_engine(), write=True) as session:
        sessions.revoke(session, token=token)


async def start(request: Request) -> Response:
    """Trade the ticket in the body for the HttpOnly login cookie."""
    if not _same_origin(request):
        return _answer(403)
    body = await request.body()
    ticket = body[: sessions.MAX_SECRET + 1].decode("ascii", "replace").strip()
    try:  # the page posts the ticket again on its next run
        token = await run_in_threadpool(_in_database, _redeem, ticket)
    except _Unavailable:
        return _answer(503)
    if token is None:
        return _answer(400)
    response = _answer(204)
    response.set_cookie(
        COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds()), **_cookie_options(request)
    )
    response.delete_cookie(LEGACY_COOKIE, path="/")
    return response


async def end(request: Request) -> Response:
    """End the cookie's session and delete the cookie."""
    if not _same_origin(request):
        return _answer(403)
    token = request.cookies.get(COOKIE)
    if token:
        try:  # the session must end on the server before the cookie goes
            await run_in_threadpool(_in_database, _end, token)
        except _Unavailable:
            return _answer(503)
    response = _answer(204)
    response.delete_cookie(COOKIE, **_cookie_options(request))
    response.delete_cookie(LEGACY_COOKIE, path="/")
    return response


def routes() -> list[Route]:
    """The routes ``st.App`` serves beside the Streamlit app."""
    base = base_path()
    return [
        Route(base + START, start, methods=["POST"]),
        Route(base + END, end, methods=["POST"]),
    ]
