"""Forwarding headers are trusted only from TOUSU_TRUSTED_PROXIES (web/proxies.py).

A real uvicorn server (Streamlit's) runs a small app behind the same middleware as the
st.App; requests come from loopback with forged X-Forwarded-For / X-Forwarded-Proto. uvicorn
runs both as Streamlit starts it (trusting loopback: FORWARDED_ALLOW_IPS unset) and as
`tousu serve` starts it (trusting nobody): the app must see the same client either way.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request

import pytest
import uvicorn
import websockets
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from models.access import throttle
from tests.browser import free_port
from web.proxies import TrustedProxies


def _seen(scope) -> dict:
    forwarded = sorted(k.decode() for k, _v in scope["headers"] if k.startswith(b"x-forwarded-"))
    return {"client": scope["client"][0], "scheme": scope["scheme"], "forwarded": forwarded}


async def _http(request):
    return JSONResponse(_seen(request.scope))


async def _websocket(websocket):
    await websocket.accept()
    await websocket.send_text(json.dumps(_seen(websocket.scope)))
    await websocket.close()


ECHO = Starlette(
    routes=[Route("/", _http), WebSocketRoute("/ws", _websocket)],
    middleware=[Middleware(TrustedProxies)],  # where the st.App has it
)


@pytest.fixture(scope="module", params=["streamlit-default", "tousu-serve"])
def server(request):
    """The echo app under uvicorn: loopback trusted by uvicorn itself, or nobody."""
    allow = None if request.param == "streamlit-default" else ""
    config = uvicorn.Config(
        ECHO,
        host="127.0.0.1",
        port=free_port(),
        ws="websockets-sansio",
        forwarded_allow_ips=allow,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(10)


def over_http(server: str, headers: dict[str, str]) -> dict:
    request = urllib.request.Request(f"http://{server}/", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def over_websocket(server: str, headers: dict[str, str]) -> dict:
    async def talk():
        async with websockets.connect(f"ws://{server}/ws", additional_headers=headers) as ws:
            return json.loads(await ws.recv())

    return asyncio.run(talk())


FORGED = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


@pytest.mark.parametrize("ask", [over_http, over_websocket])
def test_a_local_process_cannot_choose_its_address(server, ask, monkeypatch):
    monkeypatch.delenv("TOUSU_TRUSTED_PROXIES", raising=False)
    seen = ask(server, FORGED)
    assert seen["client"] == "127.0.0.1"
    assert seen["scheme"] in ("http", "ws")
    assert throttle.client_key(seen["client"]) == "local"
    assert seen["forwarded"] == []  # X-Forwarded-Host cannot pass as the page's own host


@pytest.mark.parametrize("ask", [over_http, over_websocket])
def test_a_trusted_proxy_names_the_client_and_the_scheme(server, ask, monkeypatch):
    monkeypatch.setenv("TOUSU_TRUSTED_PROXIES", "127.0.0.1")
    seen = ask(server, FORGED)
    assert seen["client"] == "198.51.100.7"
    assert seen["scheme"] in ("https", "wss")
    assert seen["forwarded"] == ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"]


hops = st.one_of(
    st.ip_addresses().map(str),
    st.sampled_from(["garbage", "", "unknown", "[::1]", "127.0.0.1", "10.1.2.3"]),
)


@settings(max_examples=40, deadline=None)
@given(chain=st.lists(hops, min_size=1, max_size=4), trust=st.sampled_from(["", "127.0.0.1"]))
def test_the_client_is_what_tousu_trusts_whatever_the_header(server, chain, trust):
    """Any X-Forwarded-For: untrusted, the socket's address; from a trusted proxy, the
    right-most entry that is not a trusted proxy (models.access.throttle.forwarded_client)."""
    header = ", ".join(chain)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOUSU_TRUSTED_PROXIES", trust)
        seen = over_http(server, {"X-Forwarded-For": header})
    trusted = (trust,) if trust else ()
    assert seen["client"] == throttle.forwarded_client("127.0.0.1", header, trusted)
    if not trust:
        assert seen["client"] == "127.0.0.1"
