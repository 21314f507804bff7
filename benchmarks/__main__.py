"""python -m benchmarks --complaints 1000000 [--postgres URL] — see benchmarks/README.md."""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks import figures

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def ms(samples: list[float]) -> str:
    if not samples:
        return "–"
    med = statistics.median(samples) * 1000
    lo, hi = min(samples) * 1000, max(samples) * 1000
    fmt = (lambda v: f"{v:,.0f}") if med >= 100 else (lambda v: f"{v:.1f}")
    return f"{fmt(med)} ({fmt(lo)}–{fmt(hi)})" if len(samples) > 1 else fmt(med)


def ratio(slow: list[float], fast: list[float]) -> str:
    if not slow or not fast:
        return "–"
    return f"{statistics.median(slow) / statistics.median(fast):.1f}×"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (pasted into the README as it is)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def tousu(env_url: str, *args: str) -> float:
    """Run the `tousu` command line; seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TOUSU_DATABASE_URL": env_url, "HOME": str(Path.home())},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def import_csv(path: Path, rows: int, platforms: list[str]) -> None:
    """``rows`` new complaints as staff would upload them (Chinese headers, all columns)."""
    from models.importing import COMPLAINT_COLUMNS
    from models.rules.labels import AMOUNT_BRACKETS, PROVINCES

    rng = random.Random(5)
    start = datetime(2025, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([label for label, _required in COMPLAINT_COLUMNS.values()])
        provinces = list(PROVINCES)
        for i in range(rows):
            at = start + timedelta(minutes=rng.randrange(360 * 24 * 60))
            replied = at + timedelta(hours=24 + rng.randrange(200))
            answered = replied < datetime(2025, 12, 31)
            score = rng.randrange(11) if answered and rng.random() < 0.4 else ""
            values = {
                "external_id": f"BENCH-{i}",
                "platform": rng.choice(platforms),
                "submitted_at": at.isoformat(sep=" "),
                "province": rng.choice(provinces),
                "gender": rng.choice(["男", "女"]),
                "age": rng.randrange(16, 70),
                "amount": f"{rng.uniform(5, 9000):.2f}",
                "amount_bracket": rng.choice(AMOUNT_BRACKETS[:-1]),
                "problem_type": rng.choice(["退款问题", "发货问题", "商品质量", "虚假促销"]),
                "title": f"第{i}号投诉",
                "content": "商家迟迟不退款，客服无人回应。",
                "demand": "退款",
                "complainant": "王女士",
                "phone": f"138{i:08d}",
                "status": "",
                "transferred_at": (at + timedelta(hours=2)).isoformat(sep=" "),
                "replied_at": replied.isoformat(sep=" ") if answered else "",
                "reply": "已处理" if answered else "",
                "satisfaction": score,
            }
            writer.writerow([values.get(name, "") for name in COMPLAINT_COLUMNS])


def _pages(engine, duck, url: str, args) -> list[list[str]]:
    """Each page's recorded reads, checked against DuckDB, then timed four ways."""
    rows = []
    for page, page_calls in figures.record_pages(url).items():
        ours = figures.run_tousu(engine, page_calls)
        problems = figures.same_figures(ours, figures.run_duckdb(duck, page_calls), page_calls)
        if problems:
            raise SystemExit(f"{page}: Tousu and DuckDB disagree: {problems[:3]}")
        t_ours = timed(lambda c=page_calls: figures.run_tousu(engine, c), args.runs)
        t_plain = timed(lambda c=page_calls: figures.run_plain(engine, c), max(1, args.runs // 2))
        t_duck = timed(lambda c=page_calls: figures.run_duckdb(duck, c), args.runs)
        t_naive = timed(lambda c=page_calls: figures.run_naive(engine, c), 1) if args.naive else []
        rows.append(
            [f"page {page} ({len(page_calls)} queries)", ms(t_ours), ms(t_plain), ms(t_duck),
             ms(t_naive), ratio(t_ours, t_duck), ratio(t_naive, t_ours)]
        )  # fmt: skip
        print(" | ".join(rows[-1]))
    return rows


def _rating_tables(engine, duck, args) -> list[list[str]]:
    """The year's rating table and the all-years timeline: Tousu, plain SQL, DuckDB."""
    from models.reads import ratings
    from models.rules.filters import Filters
    from models.rules.months import year_of
    from models.store import summary
    from models.store.db import session_scope

    with session_scope(engine) as session:
        last = ratings.monthly_inputs(session, Filters())
    year = year_of(max(month for _pid, month in last))

    def year_table():
        with session_scope(engine) as session:
            return ratings.year_table(session, Filters(), year)

    def timeline():
        with session_scope(engine) as session:
            return ratings.monthly_timeline(session, Filters())

    rows = []
    for label, fn, duck_fn in (
        (f"rating table {year}, all platforms × 18 periods", year_table,
         lambda: figures.duck_inputs(duck, Filters.for_year(year))),
        ("monthly rating timeline, all platforms, all years", timeline,
         lambda: figures.duck_inputs(duck, Filters())),
    ):  # fmt: skip

        def plain_fn(fn=fn):
            with summary.direct():
                return fn()

        t_ours, t_duck = timed(fn, args.runs), timed(duck_fn, args.runs)
        t_plain = timed(plain_fn, max(1, args.runs // 2))
        rows.append([label, ms(t_ours), ms(t_plain), ms(t_duck), "–", ratio(t_ours, t_duck), "–"])
        print(" | ".join(rows[-1]))
    return rows


def _import(engine, url: str, args, workdir: Path) -> list[str]:
    """`tousu import` of new rows into the database, and whether the summaries stay exact."""
    from models.reads import platforms as platform_reads
    from models.store import summary
    from models.store.db import session_scope

    with session_scope(engine) as session:
        names = [p.name for p in platform_reads.platforms(session).values()]
    path = workdir / "import.csv"
    import_csv(path, args.import_rows, names)
    seconds = tousu(url, "import", "complaints", str(path))
    notes = [
        f"`tousu import complaints` of {args.import_rows:,} new rows (full validation, "
        f"into {args.complaints:,}): {seconds:.1f} s, {args.import_rows / seconds:,.0f} rows/s"
    ]
    with session_scope(engine) as session:
        problems = summary.check(session)
    notes.append(
        "summaries after the import equal a recount: "
        + ("yes" if not problems else f"NO ({problems[:2]})")
    )
    print("\n".join(notes))
    return notes


def _browser(url: str, args, workdir: Path) -> tuple[list[list[str]], list[str]]:
    """Headless Chromium: time to the first chart per page; the server's peak memory."""
    from benchmarks import browser

    print("headless Chromium…")
    rows, notes = [], []
    for label, samples in browser.measure(url, workdir, args.runs).items():
        if label.endswith("(MB)"):
            notes.append(
                f"Streamlit server peak memory after every page and a few filters: {samples[0]:.0f} MB"
            )
        else:
            rows.append(
                [label + " (browser, to first chart)", ms(samples), "–", "–", "–", "–", "–"]
            )
        print(label, ms(samples) if not label.endswith("(MB)") else samples)
    return rows, notes


def bench_backend(name: str, url: str, args, workdir: Path) -> tuple[list[list[str]], list[str]]:
    from models.store import schema
    from models.store.db import dispose_engines, get_engine

    print(f"\n## {name}: building {args.complaints:,} demo complaints over {args.years} years…")
    schema.upgrade(get_engine(url))
    dispose_engines()
    demo_seconds = tousu(
        url, "demo", "--complaints", str(args.complaints), "--years", str(args.years), "--replace"
    )
    notes = [
        f"`tousu demo --complaints {args.complaints} --years {args.years}`: {demo_seconds:.1f} s"
    ]
    print(notes[-1])
    engine = get_engine(url)
    if args.import_only:
        notes += _import(engine, url, args, workdir)
        dispose_engines()
        return [], notes
    print("loading the complaints into DuckDB…")
    duck = figures.load_duckdb(engine)
    rows = _pages(engine, duck, url, args) + _rating_tables(engine, duck, args)
    if args.import_rows:
        notes += _import(engine, url, args, workdir)
    if args.browser:
        browser_rows, browser_notes = _browser(url, args, workdir)
        rows, notes = rows + browser_rows, notes + browser_notes
    duck.close()
    dispose_engines()
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--complaints", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--years", type=int, default=7, help="history the complaints span")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--postgres", metavar="URL", help="also run against this PostgreSQL")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work")
    parser.add_argument("--import-rows", type=int, default=100_000, metavar="N")
    parser.add_argument(
        "--import-only", action="store_true", help="build the database, time only the import"
    )
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--no-naive", dest="naive", action="store_false")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)

    backends = []
    if args.sqlite:
        db = args.workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        backends.append(("SQLite", f"sqlite:///{db}"))
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))

    cpuinfo = Path("/proc/cpuinfo").read_text()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor(),
    )
    header = (
        f"Machine: {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.complaints:,} complaints over "
        f"{args.years} years; medians of {args.runs} runs (min–max), in ms unless stated."
    )
    for name, url in backends:
        rows, notes = bench_backend(name, url, args, args.workdir)
        print(f"\n### {name}\n\n{header}\n")
        print(
            "" if not rows else table(
                ["figure", "Tousu (summaries)", "plain SQL (no summaries)", "DuckDB reference",
                 "naive ORM + pandas", "Tousu ÷ DuckDB", "naive ÷ Tousu"],
                rows,
            )
        )  # fmt: skip
        print()
        for note in notes:
            print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
