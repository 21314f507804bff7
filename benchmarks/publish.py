"""python -m benchmarks.publish — the published site served by nginx against the dashboard.

Builds a demo database, publishes a period (``tousu publish``'s own code, timed, then again
with nothing changed), serves the site with deploy/nginx.conf, and asks for its HTML pages
as fast as ``--clients`` keep-alive clients can for ``--duration`` seconds; then the same
number of simulated viewers ask one Streamlit process for dashboard page runs with no pause
(benchmarks/viewers.py's ``capacity``). Prints pages per second for both.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import random
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from benchmarks.proxy import nginx
from benchmarks.viewers import PAGES, ROOT, _scenario, serve
from models.demo import generate_demo
from models.rules.periods import parse_code
from models.store import schema
from models.store.db import get_engine
from reports.publish import site


def _static(port: int, paths: list[str], clients: int, duration: float) -> tuple[int, list[float]]:
    """(pages fetched, seconds per page) by ``clients`` threads for ``duration`` seconds."""
    done: list[float] = []
    lock = threading.Lock()
    until = time.perf_counter() + duration

    def client() -> None:
        rng = random.Random()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < until:
            start = time.perf_counter()
            conn.request("GET", "/publications/" + quote(rng.choice(paths)))
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200 and body, response.status
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            done.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(done), done


def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    url = f"sqlite:///{work / 'tousu.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    generate_demo(engine, complaints=args.complaints, now=datetime(2026, 12, 6, 12))
    out = work / "site"
    period = parse_code(args.period)
    formats = tuple(args.formats.split(","))
    start = time.perf_counter()
    result = site.build(engine, period, out, formats=formats, top=args.top)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = site.build(engine, period, out, formats=formats, top=args.top)
    second = time.perf_counter() - start
    served = out.resolve()
    pages = [str(p.relative_to(served)) for p in served.rglob("*.html")]
    size = sum(p.stat().st_size for p in served.rglob("*.html")) / len(pages) / 1024
    print(f"{args.complaints:,} demo complaints, tousu publish --period {args.period}:")
    print(
        f"  first build {first:.1f} s ({result.items} publications, {result.written} files); "
        f"again unchanged {second:.1f} s ({again.written} written, {again.kept} linked)"
    )
    print("| server | clients | pages | pages/s | p50 ms | p95 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    with nginx(work / "nginx", ["http://127.0.0.1:9"], args.port, site=out):
        _static(args.port, pages[:5], 2, 1.0)  # warm up
        count, seconds = _static(args.port, pages, args.clients, args.duration)
    ordered = sorted(seconds)
    print(
        f"| nginx, static site ({len(pages)} HTML pages, {size:.0f} KB each) | {args.clients} "
        f"| {count} | {count / args.duration:.0f} | {statistics.median(ordered) * 1000:.1f} "
        f"| {ordered[int(0.95 * len(ordered))] * 1000:.1f} |"
    )
    env = {"TOUSU_DATABASE_URL": url, "TOUSU_PUBLIC_DASHBOARDS": "1"}
    with serve(ROOT / "dashboard" / "app.py", args.port + 1, env) as (base, _pid):
        asyncio.run(_scenario(base, PAGES, 1, duration=1, think=1, arrival=0))  # warm up
        tally = asyncio.run(
            _scenario(base, PAGES, args.clients, duration=args.duration, think=0, arrival=None)
        )
    runs = sorted(tally.all_runs)
    print(
        f"| Streamlit, dashboard page runs (one process) | {args.clients} | {len(runs)} "
        f"| {len(runs) / tally.finished:.1f} | {statistics.median(runs) * 1000:.0f} "
        f"| {runs[int(0.95 * len(runs))] * 1000:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publish", description=__doc__)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--period", default="2024")
    parser.add_argument("--formats", default="html", help="report formats to publish")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8622)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
