"""Who is at the other end of a request: the socket's peer, unless it is a trusted proxy.

Streamlit's server, uvicorn, takes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` by itself
from any connection from 127.0.0.1 or ::1 (its ``FORWARDED_ALLOW_IPS`` default), so any
process on the machine could choose the address the login throttle counts, whatever
``TOUSU_TRUSTED_PROXIES`` says. Tousu decides instead, here and only here:
:class:`TrustedProxies`, the outermost middleware of the ``st.App``, sets each request's
client and scheme from the socket itself, and from those headers only when the socket's
peer is listed in ``TOUSU_TRUSTED_PROXIES``; from any other peer it removes every
``X-Forwarded-*`` header, so nothing behind it can be misled by one (the cookie endpoints'
same-origin test reads ``X-Forwarded-Host``). Everything behind it (``st.context.ip_address``
for the throttle, the cookie endpoints' https test) sees the result. ``tousu serve`` also
starts the server with ``FORWARDED_ALLOW_IPS=""``, so uvicorn itself trusts nobody.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers

from models.access.throttle import forwarded_client, is_trusted
from models.settings import get_settings


def _socket(receive) -> tuple[tuple[str, int] | None, bool] | None:
    """The connection's own peer (host, port) and whether it is TLS, before any header.

    uvicorn passes each request's ``receive`` as a method of the object that holds the
    connection's transport (its HTTP cycle or websocket protocol). None under a server
    that does not: then the scope's client is taken as the peer, which is right as long
    as that server trusts no forwarding headers itself (``tousu serve`` sees to it).
    """
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    extra = getattr(transport, "get_extra_info", None)
    if extra is None:
        return None
    peer = extra("peername")
    client = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) and len(peer) >= 2 else None
    return client, extra("sslcontext") is not None


#: The prefix of the headers only a trusted proxy may send (raw ASGI names are lower case).
FORWARDED = b"x-forwarded-"


def resolve(scope: dict, receive, trusted: Sequence[str]) -> dict:
    """``scope`` with its client and scheme as Tousu trusts them, and forwarding headers
    only from a trusted proxy (a new dict)."""
    found = _socket(receive)
    if found is None:
        found = (scope.get("client"), scope.get("scheme") in ("https", "wss"))
    client, secure = found
    if client is None or not is_trusted(client[0], trusted):
        # Not a proxy of ours: its forwarding headers are whatever it chose to say.
        headers = [
            (k, v) for k, v in scope.get("headers", []) if not k.lower().startswith(FORWARDED)
        ]
        scope = {**scope, "headers": headers}
    else:
        headers = Headers(scope=scope)
        forwarded = ",".join(headers.getlist("x-forwarded-for"))
        address = forwarded_client(client[0], forwarded, trusted)
        if address != client[0]:
            client = (address, 0)
        proto = (headers.get("x-forwarded-proto") or "").strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
    if scope["type"] == "websocket":
        scheme = "wss" if secure else "ws"
    else:
        scheme = "https" if secure else "http"
    return {**scope, "client": client, "scheme": scheme}


class TrustedProxies:
    """ASGI middleware: the client and scheme of every request, as :func:`resolve` says."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = resolve(scope, receive, get_settings().trusted_proxies)
        await self.app(scope, receive, send)
