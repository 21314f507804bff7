"""What a person waits for: time to the first drawn chart in headless Chromium, and the
Streamlit server's peak memory (VmHWM) after every page with a few filters."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port  # the suite's Chromium setup

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
# A chart of the page now shown, not one of the page left behind (marked stale).
FRESH_CHART = ", ".join(
    f'[data-stale="false"] [data-testid="stVegaLiteChart"] {tag}' for tag in ("canvas", "svg")
)
NAV = {
    "overview": "总览",
    "regions": "地区",
    "demographics": "用户画像",
    "ratings": "平台评级",
    "leaderboard": "投诉榜",
    "cases": "典型案例",
}
# A few filters, as management clicks through them.
FILTERED = ["?period=2024Q4&sector=零售电商", "regions?province=广东省", "ratings?period=2025H1"]


@contextmanager
def server(database_url: str, log_path: Path):
    """`streamlit run dashboard/app.py` with public dashboards; yields (base URL, pid)."""
    port = free_port()
    env = {
        **os.environ,
        "TOUSU_DATABASE_URL": database_url,
        "TOUSU_PUBLIC_DASHBOARDS": "1",
        "TOUSU_REFRESH_SECONDS": "300",
    }
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError(f"streamlit did not start; see {log_path}") from None
                    time.sleep(0.3)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(database_url: str, workdir: Path, runs: int) -> dict[str, list[float]]:
    """Seconds to the first chart: a fresh visit (cache cold, then warm), and page switches
    in an open tab; plus the server's peak memory after all pages and a few filters."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {}
    with server(database_url, workdir / "streamlit.log") as (base, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page in ("overview", "ratings"):
            for attempt in range(runs + 1):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                tab = context.new_page()
                started = time.perf_counter()
                tab.goto(base if page == "overview" else f"{base}/{page}")
                tab.wait_for_selector(CHART, timeout=120_000)
                key = f"open {page}, first visit" if attempt == 0 else f"open {page}"
                out.setdefault(key, []).append(time.perf_counter() - started)
                context.close()
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.goto(base)
        tab.wait_for_selector(CHART, timeout=120_000)
        for _ in range(runs):
            for target in ("ratings", "demographics", "overview"):
                started = time.perf_counter()  # from the click on the menu, as a person does
                tab.get_by_test_id("stTopNavSection").filter(has_text="看板").click()
                tab.get_by_test_id("stTopNavDropdownLink").filter(has_text=NAV[target]).click()
                path = "" if target == "overview" else target
                tab.wait_for_url(lambda url, path=path: urlparse(url).path.strip("/") == path)
                tab.locator(FRESH_CHART).first.wait_for(timeout=120_000)
                out.setdefault(f"switch to {target}", []).append(time.perf_counter() - started)
        for page in NAV:  # every page once, then a few filters
            tab.goto(base if page == "overview" else f"{base}/{page}")
            tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        for query in FILTERED:
            tab.goto(f"{base}/{query}")
            tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        tab.wait_for_timeout(1000)
        out["server peak memory (MB)"] = [peak_memory_mb(pid)]
        browser.close()
    return out
