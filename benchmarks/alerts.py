"""python -m benchmarks.alerts — 消费预警: recall, false alerts and speed on demo data.

Builds (or with ``--reuse`` keeps) a database of ``--complaints`` demo complaints over
``--years`` with `tousu demo`, reads the weekly counts of every series once, then:

* **false alerts**: the demo data holds no rise, so every weekly alert over the weeks of
  ``--year`` is a false one: alerts per week, over all series;
* **recall**: known rises injected into the counts of one series (a platform, a problem
  type, a province or a platform × problem type; 1.5× to 5×; sudden: two weeks at the
  size, or gradual: two weeks climbing to it and two at it; some starting in 双11), each
  extra complaint drawn as Poisson around the series' own count that week. A rise counts
  as found when its series is flagged by the end of the week after the rise reached its
  size. Adding complaints to one series changes other series' counts but never the
  evaluated series' own test (a parent enters only through its counts a year before), so
  injecting into the count matrix is the same as inserting the complaints;
* **speed**: a whole year of weekly alerts (one read of the counts, then the model), one
  week (what `tousu alerts` does) and one month, median of ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.__main__ import ROOT, table, tousu
from models.alerts import detect as alerts
from models.alerts.detect import When
from models.alerts.model import BASELINE, PSEUDO, SEASON, WINDOWS, rises
from models.rules.filters import Filters
from models.store.db import get_engine, session_scope

SIZES = (1.5, 2.0, 3.0, 5.0)
SHAPES = {"sudden": (1.0, 1.0), "gradual": (1 / 3, 2 / 3, 1.0, 1.0)}
KINDS = {
    "platform": {"sector", "platform"},
    "problem_type": {"problem_type"},
    "province": {"province"},
    "platform × type": {"sector", "platform", "problem_type"},
}
EVERYTHING = Filters(statuses=None)


def _weeks(year: int) -> list[When]:
    first = When.week(date.fromisocalendar(year, 1, 1))
    return [first.step(k) for k in range(date(year, 12, 28).isocalendar()[1])]


def _timed(fn, runs: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def _series(url: str, targets: list[When]) -> alerts.Series:
    oldest = alerts.history_start(targets[0])
    with session_scope(get_engine(url)) as session:
        by_type, by_province = alerts.counts(
            session, EVERYTHING, "week", oldest.first, targets[-1].last
        )
    return alerts.series(by_type, by_province, oldest.index, targets[-1].index)


def _in_double_eleven(when: When) -> bool:
    return any(day.month == 11 and day.day <= 20 for day in (when.first, when.last))


def recall(data: alerts.Series, targets: list[When], seed: int, per_cell: int) -> list[dict]:
    """One record per injected rise: its kind, size, shape, timing, count and whether found."""
    rng = np.random.default_rng(seed)
    columns = np.array([t.index - data.start for t in targets])
    kind_of = [next((k for k, f in KINDS.items() if set(key) == f), None) for key in data.keys]
    out = []
    for kind in KINDS:
        rows = [i for i, k in enumerate(kind_of) if k == kind]
        for size in SIZES:
            for shape, steps in SHAPES.items():
                for n in range(per_cell):
                    # Every fourth rise starts in the first week of 双11; the rest anywhere.
                    if n % 4 == 0:
                        start = next(j for j, t in enumerate(targets) if t.first.month == 11)
                    else:
                        start = int(rng.integers(0, len(targets) - len(steps) - 1))
                    weeks = columns[start : start + len(steps)]
                    # A series that doubled holds ≥ 30 complaints over two weeks.
                    base = data.counts[rows][:, weeks[-2:]].sum(axis=1)
                    fit = [r for r, b in zip(rows, base, strict=True) if b * 2 >= 30]
                    if not fit:
                        continue
                    i = int(rng.choice(fit))
                    counts = data.counts[i : i + 1].copy()
                    for step, week in zip(steps, weeks, strict=True):
                        extra = (size - 1) * step * counts[0, week]
                        counts[0, week] += rng.poisson(extra)
                    full = start + len(steps) - 2  # the first week at full size
                    looked = columns[start : min(full + 2, len(columns))]
                    found = rises(
                        counts, data.parent[i : i + 1], looked, "week", alerts.thresholds()
                    )
                    out.append(
                        {
                            "kind": kind,
                            "size": size,
                            "shape": shape,
                            "double_eleven": _in_double_eleven(targets[start]),
                            "count": int(counts[0, weeks[-2:]].sum()),
                            "found": bool(found.flagged.any()),
                        }
                    )
    return out


def _rate(records: list[dict]) -> str:
    if not records:
        return "–"
    found = sum(r["found"] for r in records)
    return f"{found / len(records):.0%} ({found}/{len(records)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alerts", description=__doc__)
    parser.add_argument("--complaints", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--years", type=int, default=7, help="history the complaints span")
    parser.add_argument("--year", type=int, default=2025, help="the year of weekly alerts")
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--per-cell", type=int, default=40, help="rises per kind×size×shape")
    parser.add_argument("--database", metavar="URL", help="default: benchmarks/.work/alerts.db")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    args = parser.parse_args(argv)
    workdir = ROOT / "benchmarks" / ".work"
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{workdir / 'alerts.db'}"
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if not (args.reuse and (path is None or path.exists())):
        print(f"building {args.complaints:,} demo complaints over {args.years} years…")
        seconds = tousu(
            url,
            "demo",
            "--complaints",
            str(args.complaints),
            "--years",
            str(args.years),
            "--replace",
        )
        print(f"`tousu demo`: {seconds:.0f} s")
    limits = alerts.thresholds()
    print(
        f"\nsettings: min count {limits.min_count}, min ratio {limits.min_ratio}, "
        f"min score {limits.min_score} (−log10 p); baseline {BASELINE['week']} weeks, "
        f"season {SEASON['week']} weeks back, windows {WINDOWS['week']} weeks, "
        f"pseudo-count {PSEUDO:g}"
    )
    targets = _weeks(args.year)
    engine = get_engine(url)
    with session_scope(engine) as session:
        total = session.connection().exec_driver_sql("SELECT count(*) FROM complaint").scalar()
    print(f"database: {engine.url.render_as_string(hide_password=True)}, {total:,} complaints")

    def year_of_alerts():
        with session_scope(engine) as session:
            return alerts.rise_alerts(session, EVERYTHING, targets)

    def one(when: When):
        def run():
            with session_scope(engine) as session:
                return alerts.detect(session, EVERYTHING, when)

        return run

    year_s, year_alerts = _timed(year_of_alerts, args.runs)
    read_s, data = _timed(lambda: _series(url, targets), args.runs)
    columns = np.array([t.index - data.start for t in targets])
    model_s, _found = _timed(lambda: rises(data.counts, data.parent, columns, "week", limits), 5)
    week_s, _ = _timed(one(targets[-1]), args.runs)
    month_s, _ = _timed(one(When.month(args.year * 100 + 11)), args.runs)
    print(f"\n## Speed ({len(data.keys):,} series)\n")
    print(
        table(
            ["what", "seconds (median)"],
            [
                [f"a year of weekly alerts ({len(targets)} weeks), read + model", f"{year_s:.2f}"],
                ["  of which reading the weekly counts and building the series", f"{read_s:.2f}"],
                ["  of which the model (all series × all weeks)", f"{model_s:.3f}"],
                [f"one week ({targets[-1].code})", f"{week_s:.2f}"],
                [f"one month ({args.year}-11, with the rating alerts)", f"{month_s:.2f}"],
            ],
        )
    )
    weeks = len(targets)
    print(f"\n## False alerts: {args.year}, demo data without injected rises\n")
    fields = {"sector": {"sector"}, **KINDS}
    by_kind = {
        kind: sum(
            1
            for a in year_alerts
            if {f for f in ("sector", "platform", "problem_type", "province") if getattr(a, f)}
            == need
        )
        for kind, need in fields.items()
    }
    print(
        f"{len(year_alerts)} alerts in {weeks} weeks over {len(data.keys):,} series: "
        f"**{len(year_alerts) / weeks:.2f} false alerts per week** "
        f"({', '.join(f'{k} {n}' for k, n in by_kind.items())})"
    )
    records = recall(data, targets, seed=2026, per_cell=args.per_cell)
    print("\n## Recall: flagged by the end of the week after the rise reached its size\n")
    rows = []
    for size in SIZES:
        sized = [r for r in records if r["size"] == size]
        rows.append(
            [
                f"{size:g}×",
                _rate([r for r in sized if r["shape"] == "sudden"]),
                _rate([r for r in sized if r["shape"] == "gradual"]),
                _rate([r for r in sized if r["double_eleven"]]),
                _rate(sized),
            ]
        )
    print(table(["size", "sudden", "gradual", "starting in 双11", "all"], rows))
    print()
    rows = [
        [
            kind,
            *(_rate([r for r in records if r["kind"] == kind and r["size"] == s]) for s in SIZES),
        ]
        for kind in KINDS
    ]
    print(table(["series", *(f"{s:g}×" for s in SIZES)], rows))
    target = [r for r in records if r["size"] >= 2 and r["count"] >= 30]
    print(
        f"\nrises of 2× or more with at least 30 complaints over their two weeks: "
        f"**{_rate(target)}** found"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
