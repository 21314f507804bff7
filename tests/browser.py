"""A real Streamlit server and a real headless Chromium (Debian's), for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from cli.serve import streamlit_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str]):
    """Run `streamlit run dashboard/app.py` on a free loopback port until the block ends."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [*streamlit_command("127.0.0.1", port), "--server.headless", "true"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log.name}") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and the page has settled."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout
    )
    page.wait_for_timeout(600)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout
    )


def choose_download(tab, label: str):
    """Choose ``label`` (下载 CSV, 下载 Excel, 下载图片 PNG) from the first figure's 下载
    menu (web/widgets.py); the Download Playwright caught."""
    choice = tab.get_by_role("button", name=label).first
    if not choice.is_visible():  # the menu is closed (a click on 下载 toggles it)
        tab.get_by_role("button", name="下载", exact=True).first.click()
    with tab.expect_download() as caught:
        choice.click()
    return caught.value


def fitted_map(tab):
    """The 地区 map once the page has fitted it to the width the browser measured (drawn
    first for the narrowest phone, until the browser has said), and drawn."""
    from playwright.sync_api import Error

    from web import china_map

    canvas = tab.locator('[data-testid="stDeckGlJsonChart"]').first
    for _ in range(60):
        try:  # the map is drawn anew once fitted: the element may go while we look
            canvas.scroll_into_view_if_needed(timeout=5000)
            box = canvas.bounding_box(timeout=5000)
        except Error:
            box = None
        if box and abs(box["height"] - china_map.fit(box["width"])[1]) <= 1:
            break
        tab.wait_for_timeout(250)
    wait_idle(tab)
    tab.wait_for_timeout(1500)  # let deck.gl draw
    return canvas


def hover_until(tab, x: float, y: float, text: str, timeout: float = 45) -> None:
    """Hold the pointer on (x, y) until deck.gl's tooltip names ``text``.

    deck.gl picks on a later frame, and a frame that was being drawn when the pointer
    arrived may never pick: on a loaded machine a single move can be missed, so the
    pointer is nudged a pixel at a time until the tooltip answers."""
    deadline = time.time() + timeout
    nudge = 0
    while True:
        tab.mouse.move(x + (nudge % 3) - 1, y + (nudge // 3 % 3) - 1)
        try:
            tab.wait_for_function(
                "t => (document.querySelector('.deck-tooltip') || {}).innerText?.includes(t)",
                arg=text,
                timeout=3000,
            )
            return
        except Exception:
            if time.time() > deadline:
                tab.screenshot(path=ARTIFACTS / "hover-failed.png")
                shown = tab.evaluate("(document.querySelector('.deck-tooltip') || {}).innerText")
                raise AssertionError(
                    f"no tooltip naming {text} at ({x:.0f}, {y:.0f}); it shows {shown!r}"
                ) from None
            nudge += 1


LOGIN_COOKIE = "tousu_session"


def wait_for_login_cookie(context, timeout: float = 15) -> list[dict]:
    """Wait until the page has traded its login ticket for the HttpOnly cookie.

    The page posts the ticket while the first logged-in run draws; a new tab opened
    before the answer has no cookie yet. Returns the context's cookies.
    """
    deadline = time.time() + timeout
    while not any(c["name"] == LOGIN_COOKIE for c in context.cookies()):
        if time.time() > deadline:
            raise AssertionError("the login cookie was never set")
        time.sleep(0.1)
    return context.cookies()


def reply_band(tab, band: str = "全部") -> None:
    """On 回复录入, show the waiting band ``band`` (the page opens on 72小时内)."""
    import re

    tab.get_by_role("radio", name=re.compile(rf"^{re.escape(band)}(（|$)")).click()
    wait_idle(tab)


def grid_column(tab, header: str, grid: int = 0) -> list[str]:
    """The cells of column ``header`` of the ``grid``-th table (st.dataframe) on the page,
    top to bottom, as its accessible cells carry them (the values, before any number
    format)."""
    table = tab.get_by_test_id("stDataFrame").nth(grid)
    headers = table.locator('[role="columnheader"]')  # hidden: read their text content
    headers.filter(has_text=header).first.wait_for(state="attached")  # drawn after the run
    column = headers.all_text_contents().index(header)
    rows = table.locator('[role="row"]:has([role="gridcell"])')
    return [
        row.locator('[role="gridcell"], [role="rowheader"]').nth(column).text_content() or ""
        for row in rows.all()
    ]
