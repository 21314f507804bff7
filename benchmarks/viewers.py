"""python -m benchmarks.viewers — many viewers at once, over Streamlit's websocket.

Each simulated viewer is what a browser tab is to the server: one websocket session that
asks for a page run (a ``rerun_script`` BackMsg with the page and the URL's query string)
and waits for ``script_finished``. No browser is involved, so the machine's cores go to the
server. Viewers think between pages; the figures are what a person waits for: the whole
Streamlit page run, sidebar and charts included, not only the queries.

Scenarios, each against Tousu and against a trivial Streamlit page (a title, four metrics,
a paragraph) served the same way in the same run:

- ``steady``: N viewers each opening a random dashboard page every ``--think`` seconds
  (exponentially distributed) for ``--duration`` seconds;
- ``arrival``: N viewers arriving within ``--arrival`` seconds, each opening the overview once;
- ``capacity``: ``--capacity`` viewers asking for page after page with no pause: the page
  runs per second one server can give (the issue's comparison with the trivial page).

Reported: page runs per second, p50/p95 per page, errors, and the server's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "regions", "demographics", "ratings", "leaderboard", "cases"]
QUERY = "period=2024"
TRIVIAL = """
import streamlit as st
st.title("Trivial page")
for col, (label, value) in zip(st.columns(4), [("a", 1), ("b", 2), ("c", 3), ("d", 4)]):
    col.metric(label, value)
st.write("A paragraph of text, the same for everyone.")
"""
RUN_TIMEOUT = 60.0


@dataclass
class Tally:
    """What the viewers of one scenario saw."""

    runs: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    finished: float = 0.0
    last_served: float = 0.0

    def add(self, page: str, seconds: float) -> None:
        self.runs[page or "overview"].append(seconds)
        self.last_served = time.perf_counter() - self.started

    @property
    def all_runs(self) -> list[float]:
        return [s for samples in self.runs.values() for s in samples]


FIRST = "first page of a session"
# script_finished is a few bytes; parsing every chart's and table's message (the map's is
# most of a megabyte) made the simulated viewers, not the server, the bottleneck.
SMALL = 4096


async def _page_run(ws, page: str, query: str) -> float:
    """Ask for one page run; seconds until the server says the script finished."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        data = await asyncio.wait_for(ws.recv(), RUN_TIMEOUT)
        if len(data) > SMALL:  # charts, tables, the map: not the end of the run
            continue
        forward = ForwardMsg()
        forward.ParseFromString(data)
        kind = forward.WhichOneof("type")
        if kind == "script_finished" and forward.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ):
            return time.perf_counter() - started


async def _viewer(
    base: str, pages: list[str], tally: Tally, until: float, think: float, delay: float, once: bool
) -> None:
    await asyncio.sleep(delay)
    host = base.split("//", 1)[1]
    rng = random.Random()
    try:
        async with connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=base,
            max_size=None,
            open_timeout=RUN_TIMEOUT,
            ping_timeout=None,
        ) as ws:
            first = True
            while True:
                page = pages[0] if once else rng.choice(pages)
                seconds = await _page_run(ws, page, QUERY)
                # A session's first run costs about three later ones (the session's set-up
                # and every element new to it): reported apart.
                tally.add(FIRST if first and not once else page, seconds)
                first = False
                if once or time.perf_counter() > until:
                    return
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))
    except Exception as exc:  # a dropped or refused connection is a result, not a crash
        tally.errors.append(f"{type(exc).__name__}: {exc}"[:120])


async def _scenario(
    base: str,
    pages: list[str],
    viewers: int,
    *,
    duration: float,
    think: float,
    arrival: float | None,
) -> Tally:
    tally = Tally()
    until = time.perf_counter() + duration
    once = arrival is not None
    spread = arrival if once else min(think, 5.0)
    if not once and not think:  # capacity: everyone at once, no pause
        spread = 0.0
    tasks = [
        _viewer(base, pages, tally, until, think, random.uniform(0, spread), once)
        for _ in range(viewers)
    ]
    await asyncio.gather(*tasks)
    tally.finished = time.perf_counter() - tally.started
    return tally


async def _sessions(base: str, page: str, sessions: int, later: int) -> tuple[list, list]:
    """``sessions`` sessions one after another, each opening ``page`` once and then
    ``later`` times more: (first runs, the median of each session's later runs) in seconds."""
    host = base.split("//", 1)[1]
    firsts, laters = [], []
    for _ in range(sessions):
        async with connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=base,
            max_size=None,
            open_timeout=RUN_TIMEOUT,
            ping_timeout=None,
        ) as ws:
            firsts.append(await _page_run(ws, page, QUERY))
            runs = [await _page_run(ws, page, QUERY) for _ in range(later)]
            laters.append(statistics.median(runs))
    return firsts, laters


async def _elements(base: str, page: str) -> tuple[int, int, int]:
    """One run of ``page`` in a new session: (elements, other messages, bytes) sent."""
    host = base.split("//", 1)[1]
    elements = others = size = 0
    async with connect(
        f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=base, max_size=None
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = QUERY
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        while True:
            data = await asyncio.wait_for(ws.recv(), RUN_TIMEOUT)
            size += len(data)
            forward = ForwardMsg()
            forward.ParseFromString(data)
            kind = forward.WhichOneof("type")
            if kind == "delta":
                elements += 1
            else:
                others += 1
            if kind == "script_finished":
                return elements, others, size


def first_extra(firsts: list[float], laters: list[float]) -> float:
    """What a session's first page costs beyond its later ones: the median over sessions
    of each one's first run less its own later runs' median (paired, so a busy moment of
    the shared machine shifts both)."""
    return statistics.median(f - later for f, later in zip(firsts, laters, strict=True))


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process and its children, in MB."""
    now = peak = 0.0
    pids = [pid] + [int(p) for p in _children(pid)]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    now += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) / 1024
        except OSError:
            continue
    return now, peak


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@contextmanager
def serve(script: Path, port: int, env: dict[str, str], options: tuple[str, ...] = ()):
    """A Streamlit server for ``script`` (``options``: ``name=value`` Streamlit settings
    on top of .streamlit/config.toml); yields (base URL, pid)."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *(f"--{option}" for option in options),
    ]
    log = open(Path(tempfile.gettempdir()) / f"viewers-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # wedged by the load: a result, not a hang
            process.kill()
            process.wait()
        log.close()


def _wait_ready(base: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no Streamlit server at {base}")


def _pct(samples: list[float], q: float) -> str:
    if not samples:
        return "–"
    ordered = sorted(samples)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.2f}"


def report_row(name: str, viewers: int, tally: Tally, memory: tuple[float, float]) -> str:
    runs = tally.all_runs
    rate = len(runs) / tally.finished if tally.finished else 0.0
    return (
        f"| {name} | {viewers} | {len(runs)} | {rate:.1f} | {_pct(runs, 0.5)} | "
        f"{_pct(runs, 0.95)} | {len(tally.errors)} | {tally.last_served:.1f} | "
        f"{memory[1]:.0f} |"
    )


HEADER = (
    "| server | viewers | page runs | runs/s | p50 s | p95 s | errors | last served s | "
    "peak MB (largest process) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def run(args: argparse.Namespace) -> None:
    env = {"TOUSU_DATABASE_URL": args.database, "TOUSU_PUBLIC_DASHBOARDS": "1"}
    trivial = Path(tempfile.mkdtemp()) / "trivial.py"
    trivial.write_text(TRIVIAL, encoding="utf-8")
    targets = [
        ("trivial page", trivial, [""], {}),
        ("Tousu", ROOT / "dashboard" / "app.py", PAGES, env),
    ]
    if args.url:
        targets = [("trivial page", trivial, [""], {})]
    print(
        f"steady: each viewer opens a page every {args.think:.0f} s (mean) for "
        f"{args.duration:.0f} s; arrival: all within {args.arrival:.0f} s, one overview each"
    )
    print(HEADER)
    results = {}
    for name, script, pages, extra in targets:
        with serve(script, args.port, extra, args.option) as (base, pid):
            results[name] = _scenarios(name, base, [pid], pages, args)
    if args.url:  # an already running deployment (several processes behind a proxy)
        results["Tousu"] = _scenarios(f"Tousu at {args.url}", args.url, [], PAGES, args)
    if args.processes > 1:
        _behind_nginx(args, env)
    _against_trivial(results)


def _against_trivial(results: dict[str, dict[str, float]]) -> None:
    """Tousu's figures as multiples of the trivial page's, measured in the same run."""
    trivial, tousu = results.get("trivial page", {}), results.get("Tousu", {})
    if "extra" in trivial and "extra" in tousu:
        # Near zero (within the machine's noise) a ratio says nothing: both are printed.
        ratio = tousu["extra"] / trivial["extra"] if trivial["extra"] > 0.005 else None
        print(
            f"first page's extra cost: Tousu {tousu['extra'] * 1000:.0f} ms, trivial page "
            f"{trivial['extra'] * 1000:.0f} ms"
            + (f": {ratio:.1f}×" if ratio is not None else "")
            + " (target: Tousu's at most 1.5× the trivial page's)"
        )
    if trivial.get("rate") and "rate" in tousu:
        print(
            f"capacity: Tousu {tousu['rate']:.1f} runs/s, trivial page {trivial['rate']:.1f}: "
            f"{tousu['rate'] / trivial['rate']:.2f} of it (target at least 1/3)"
        )


def _behind_nginx(args: argparse.Namespace, env: dict[str, str]) -> None:
    """``--processes`` Tousu processes on one database behind deploy/nginx.conf."""
    from contextlib import ExitStack

    from benchmarks.proxy import nginx

    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                serve(ROOT / "dashboard" / "app.py", args.port + 1 + i, env, args.option)
            )
            for i in range(args.processes)
        ]
        folder = Path(tempfile.mkdtemp())
        base = stack.enter_context(
            nginx(folder, [b for b, _pid in servers], args.port + 1 + args.processes)
        )
        name = f"Tousu × {args.processes} behind nginx"
        _scenarios(name, base, [pid for _b, pid in servers], PAGES, args)


def _memory(pids: list[int]) -> tuple[float, float]:
    """(current, peak) MB of the largest of the server processes."""
    sizes = [_rss_mb(pid) for pid in pids] or [(0.0, 0.0)]
    return max(s[0] for s in sizes), max(s[1] for s in sizes)


def _scenarios(name: str, base: str, pids: list[int], pages: list[str], args) -> dict[str, float]:
    """Every scenario against one server; its first-page extra and capacity rate."""
    found: dict[str, float] = {}
    for page in pages:  # warm up: every page's figures cached, as on a server in use
        asyncio.run(_scenario(base, [page], 1, duration=1, think=1, arrival=0))
    if args.elements:
        sent = {p or "overview": asyncio.run(_elements(base, p)) for p in pages}
        print(
            f"| {name}, what a page run sends | 1 | – | – | "
            + "; ".join(f"{p} {e} elements {b / 1024:.0f} KB" for p, (e, _o, b) in sent.items())
            + " | – | – | – | – |",
            flush=True,
        )
    if args.sessions:
        firsts, laters = asyncio.run(_sessions(base, pages[0], args.sessions, args.later))
        found["extra"] = first_extra(firsts, laters)
        print(
            f"| {name}, {args.sessions} sessions one after another | 1 | "
            f"{len(firsts) * (1 + args.later)} | – | first {statistics.median(firsts):.3f}, "
            f"later {statistics.median(laters):.3f} | first p95 {_pct(firsts, 0.95)} | 0 | "
            f"extra {found['extra'] * 1000:.0f} ms | {_memory(pids)[1]:.0f} |",
            flush=True,
        )
    if args.capacity:
        full = asyncio.run(
            _scenario(base, pages, args.capacity, duration=args.duration, think=0, arrival=None)
        )
        memory = _memory(pids)
        found["rate"] = len(full.all_runs) / full.finished if full.finished else 0.0
        print(report_row(f"{name}, capacity", args.capacity, full, memory), flush=True)
    for viewers in args.viewers:
        steady = asyncio.run(
            _scenario(base, pages, viewers, duration=args.duration, think=args.think, arrival=None)
        )
        memory = _memory(pids)
        print(report_row(f"{name}, steady", viewers, steady, memory), flush=True)
        _print_pages(steady)
    for viewers in args.arrivals:
        burst = asyncio.run(
            _scenario(base, pages, viewers, duration=0, think=1, arrival=args.arrival)
        )
        memory = _memory(pids)
        print(report_row(f"{name}, arrival", viewers, burst, memory), flush=True)
        if burst.errors:
            print(f"  errors: {sorted(set(burst.errors))[:3]}")
    return found


def _print_pages(tally: Tally) -> None:
    if len(tally.runs) > 1:
        parts = [
            f"{page} p50 {statistics.median(s):.2f} p95 {_pct(s, 0.95)}"
            for page, s in sorted(tally.runs.items())
        ]
        print("  " + "; ".join(parts))
    if tally.errors:
        print(f"  errors: {sorted(set(tally.errors))[:3]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.viewers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", required=True, help="TOUSU_DATABASE_URL of a filled database")
    parser.add_argument(
        "--viewers", type=lambda s: [int(v) for v in s.split(",") if v], default=[10, 50, 100, 200]
    )
    parser.add_argument(
        "--arrivals", type=lambda s: [int(v) for v in s.split(",") if v], default=[200]
    )
    parser.add_argument("--capacity", type=int, default=20, help="0 to skip")
    parser.add_argument(
        "--sessions", type=int, default=20, help="sessions one after another (0 to skip)"
    )
    parser.add_argument(
        "--no-elements", dest="elements", action="store_false", help="skip elements per page"
    )
    parser.add_argument("--later", type=int, default=3, help="later runs of each such session")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help="a Streamlit setting for every server, e.g. server.fileWatcherType=auto (repeatable)",
    )
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--arrival", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8841)
    parser.add_argument("--url", help="also load an already running Tousu (e.g. behind nginx)")
    parser.add_argument(
        "--processes", type=int, default=1, help="also N Tousu processes behind nginx"
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
