"""消费预警: the count model on generated series, the detection read from the summaries
against the same detection from the complaints, its scope, and `tousu alerts`."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from statsmodels.stats import rates

from cli.main import main
from models.alerts import detect as alerts
from models.alerts.detect import When
from models.alerts.model import Thresholds, rises
from models.demo import generate_demo
from models.rules.filters import Filters
from models.store import summary
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.scope import Scope, scoped_session
from models.store.tables import Complaint, Platform
from tests.conftest import module_database
from tests.factories import add_complaints

FIRST_MONDAY = date(2023, 1, 2)
WEEKS = 204  # to 2026-11-30


# --- the model on generated series ---------------------------------------------------------


def _seasonal_means(level: np.ndarray) -> np.ndarray:
    """Weekly means (series × weeks) with yearly growth, 618 and 双11, like the demo data."""
    days = FIRST_MONDAY + np.arange(WEEKS * 7) * timedelta(days=1)
    weight = np.array(
        [
            1
            + 0.12 * (d.year - 2023)
            + 0.8 * (d.month == 11 and d.day <= 20)
            + 0.4 * (d.month == 6 and d.day <= 20)
            for d in days
        ]
    )
    weekly = weight.reshape(WEEKS, 7).sum(axis=1) / 7
    return level[:, None] * weekly[None, :]


def _series(seed: int, n: int, rise: float = 1.0, target: int = 0) -> tuple:
    """``n`` Poisson series of weekly levels 5–200 and their parent; with ``rise``, the
    two weeks ending at ``target`` are that many times busier."""
    rng = np.random.default_rng(seed)
    means = _seasonal_means(np.exp(rng.uniform(np.log(5), np.log(200), n)))
    parent = rng.poisson(_seasonal_means(np.array([5000.0])))
    means[:, target - 1 : target + 1] *= rise
    return rng.poisson(means).astype(float), np.repeat(parent, n, axis=0).astype(float)


def _week(day: date) -> int:
    return (day - FIRST_MONDAY).days // 7


@pytest.mark.parametrize("day", [date(2026, 11, 9), date(2026, 6, 8), date(2026, 9, 14)])
@pytest.mark.parametrize("seed", range(3))
def test_a_doubling_and_more_over_two_weeks_is_flagged(day, seed):
    """Rises of 2.5× and more over two weeks, in 双11, in 618 and in a plain week, on series
    of every size whose two weeks hold at least 30 complaints: flagged at their end (all but
    a rare small series whose baseline happened to run high)."""
    target = _week(day)
    rng = np.random.default_rng(seed)
    rise = rng.uniform(2.5, 4)
    counts, parent = _series(seed, 300, rise, target)
    found = rises(counts, parent, np.array([target]), "week")
    big = counts[:, target - 1 : target + 1].sum(axis=1) >= 30
    assert big.sum() > 100
    assert found.flagged[big, 0].mean() >= 0.98, found.score[big & ~found.flagged[:, 0], 0]
    assert np.median(found.ratio[big, 0]) == pytest.approx(rise, rel=0.1)  # the size, seen


def test_flat_seasonal_series_are_not_flagged():
    """No rise: over a whole year of weekly targets (双11 and 618 included) on 600 series,
    hardly any flag — about what p ≤ 0.001 allows, not the peaks every year."""
    counts, parent = _series(7, 600)
    targets = np.arange(WEEKS - 52, WEEKS)
    found = rises(counts, parent, targets, "week")
    assert found.flagged.sum() <= 0.001 * found.flagged.size
    assert (found.score[:, :] < 6).all()  # nothing far out, the peaks included


def test_the_score_is_the_exact_conditional_poisson_test():
    """Before a season of history, score = −log10 p of statsmodels' exact conditional test
    of two Poisson rates (the window against its baseline of three months)."""
    rng = np.random.default_rng(3)
    for _ in range(60):
        a, b = (int(x) for x in rng.integers(1, 400, 2))
        counts = np.array([[b / 3, b / 3, b / 3, a]])
        found = rises(counts, np.zeros_like(counts), np.array([3]), "month")
        p = rates.test_poisson_2indep(a, 1, b, 3, method="exact-cond", alternative="larger")
        assert found.score[0, 0] == pytest.approx(-np.log10(p.pvalue), rel=1e-6, abs=1e-9)
        assert found.expected[0, 0] == pytest.approx(b / 3)


def test_a_noisy_season_widens_the_test():
    """The same window and baseline are less surprising when the season ratio rests on few
    complaints a year ago than on many: its noise is counted."""
    few = np.array([[3, 3, 3, 3] + [0] * 8 + [30, 30, 30, 60]], dtype=float)
    many = few * np.array([[100] * 4 + [1] * 12])
    scores = [
        rises(c, np.zeros_like(c), np.array([15]), "month", pseudo=0.0).score[0, 0]
        for c in (few, many)
    ]
    assert 0 < scores[0] < scores[1]


def test_empty_seasons_and_baselines_give_finite_scores():
    """A series (and parent) without complaints a year ago, or before the window: a rise
    from nothing is scored, never divided by zero (warnings are errors in the tests)."""
    counts = np.zeros((3, 16))
    counts[0, 12:] = (0, 0, 0, 25)  # nothing a season ago nor in the baseline
    counts[1, :] = 4  # steady: nothing to flag
    counts[2, 4:] = 0  # nothing at all lately
    parent = np.zeros_like(counts)
    parent[:, :3] = 10  # the parent's season: busy baseline, an empty window
    found = rises(counts, parent, np.array([15]), "month")
    assert np.isfinite(found.score).all() and np.isfinite(found.expected).all()
    assert found.flagged[:, 0].tolist() == [True, False, False]


def test_thresholds_gate_count_and_ratio():
    counts, parent = _series(11, 200, 3.0, _week(date(2026, 3, 16)))
    target = np.array([_week(date(2026, 3, 16))])
    loose = rises(counts, parent, target, "week", Thresholds(1, 1.0, 3.0))
    strict = rises(counts, parent, target, "week", Thresholds(400, 3.5, 3.0))
    assert loose.flagged.sum() > strict.flagged.sum()
    assert (strict.actual[strict.flagged] >= 400).all()
    assert (strict.ratio[strict.flagged] >= 3.5).all()


# --- on a database: demo data with an injected rise ----------------------------------------

NOW = datetime(2026, 12, 6, 12)
RISE = ("拼多多", "零售电商", "任意仅退款")


def _injected() -> list[dict]:
    """60 complaints about 拼多多's 任意仅退款 from Guangdong, 16–29 November 2026."""
    return [
        {
            "platform": RISE[0],
            "problem_type": RISE[2],
            "province": "广东省",
            "submitted_at": f"{date(2026, 11, 16) + timedelta(days=i % 14)} 10:{i % 60:02d}",
        }
        for i in range(60)
    ]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alerts_db(request, tmp_path_factory):
    """Demo complaints of 2023 to today and the injected rise, on each backend."""
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    generate_demo(engine, complaints=6000, years=3, now=NOW)
    add_complaints(engine, _injected())
    yield url
    dispose_engines()


def _rise_of(found, **series) -> list:
    return [
        a for a in found if a.kind == "rise" and all(getattr(a, k) == v for k, v in series.items())
    ]


def test_the_injected_rise_is_found(alerts_db):
    with session_scope(get_engine(alerts_db)) as session:
        weekly = alerts.detect(session, Filters(statuses=None), When.parse("2026-W48"))
        monthly = alerts.detect(session, Filters(statuses=None), When.parse("2026-11"))
    for found, injected in ((weekly, 28), (monthly, 60)):  # 32 in W47, 28 in W48
        hit = _rise_of(found, platform=RISE[0], problem_type=RISE[2])
        assert hit and hit[0].actual >= injected and hit[0].ratio > 3, found
        assert "“拼多多”的“任意仅退款”投诉" in hit[0].sentence
    hit = _rise_of(weekly, platform=RISE[0], problem_type=RISE[2])[0]
    span = "近一周（11月23日至11月29日）" if hit.window == 1 else "近两周（11月16日至11月29日）"
    assert hit.sentence.startswith(span)
    assert _rise_of(monthly, platform=RISE[0])[0].sentence.startswith("2026年11月")


def test_summaries_and_complaints_give_the_same_alerts(alerts_db):
    """Alerts read from the summary tables (summary_count for months, summary_week for
    weeks) equal those counted from the complaints."""
    engine = get_engine(alerts_db)
    seen = {}
    for code in ("2026-11", "2026-10", "2025-11", "2026-W48", "2026-W45", "2025-W47"):
        when = When.parse(code)
        with session_scope(engine) as session:
            fast = alerts.detect(session, Filters(statuses=None), when)
            with summary.direct():
                slow = alerts.detect(session, Filters(statuses=None), when)
        assert fast == slow, code
        seen[code] = fast
    assert len(seen["2026-11"]) >= 3 and len(seen["2026-W48"]) >= 3  # the rise, its type …


def test_weekly_counts_equal_a_count_of_the_rows(alerts_db):
    """Weekly counts from summary_week, and counted from the complaints in SQL, against the
    complaints counted one by one in Python."""
    first, last = date(2024, 1, 1), date(2026, 11, 29)  # the typical cases: no province
    with session_scope(get_engine(alerts_db)) as session:
        by_type, by_province = alerts.counts(session, Filters(statuses=None), "week", first, last)
        with summary.direct():
            direct = alerts.counts(session, Filters(statuses=None), "week", first, last)
        rows = session.execute(
            select(
                Complaint.submitted_at,
                Platform.sector,
                Platform.name,
                Complaint.problem_type,
                Complaint.province,
            ).join(Platform, Platform.id == Complaint.platform_id)
        ).all()
    types: Counter = Counter()
    provinces: Counter = Counter()
    for at, sector, platform, problem, province in rows:
        if first <= at.date() <= last:
            week = When.week(at.date() - timedelta(days=at.weekday())).index
            types[(week, sector, platform, problem)] += 1
            provinces[(week, province or "未知")] += 1
    for frames in ((by_type, by_province), direct):
        assert {tuple(r[:-1]): r[-1] for r in frames[0].itertuples(index=False)} == types
        assert {tuple(r[:-1]): r[-1] for r in frames[1].itertuples(index=False)} == provinces


def test_a_sector_scope_never_yields_another_sectors_alert(alerts_db):
    engine = get_engine(alerts_db)
    with session_scope(engine) as session:
        sectors = sorted(set(session.execute(select(Platform.sector)).scalars()))
    seen = {}
    for sector in sectors:
        scope = Scope(Filters(sectors=(sector,), statuses=None))
        with scoped_session(engine, scope) as session:
            found = [
                *alerts.detect(session, Filters(statuses=None), When.parse("2026-W48")),
                *alerts.detect(session, Filters(statuses=None), When.parse("2026-11")),
            ]
        assert {a.sector for a in found} <= {sector, None}, sector
        seen[sector] = found
    assert _rise_of(seen[RISE[1]], platform=RISE[0])
    assert not any(_rise_of(found, province="广东省") for s, found in seen.items() if s != RISE[1])


# --- the command line ------------------------------------------------------------------------


def _run(capsys, monkeypatch, url, *argv) -> tuple[int, str, str]:
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    code = main(["alerts", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_json_csv_and_a_table_that_agree(alerts_db, capsys, monkeypatch):
    code, out, _err = _run(capsys, monkeypatch, alerts_db, "--week", "2026-W48", "--format", "json")
    assert code == 0
    objects = json.loads(out)
    keys = {"kind", "sector", "platform", "problem_type", "province", "period", "window"}
    assert all(keys | {"actual", "expected", "ratio", "score"} <= set(o) for o in objects)
    hit = [o for o in objects if o["platform"] == RISE[0] and o["problem_type"] == RISE[2]]
    assert hit and hit[0]["kind"] == "rise" and hit[0]["period"] == "2026-W48"
    assert isinstance(hit[0]["actual"], float) and hit[0]["actual"] >= 60
    code, out, _err = _run(capsys, monkeypatch, alerts_db, "--week", "2026-W48", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["kind"], r["platform"], float(r["score"])) for r in rows] == [
        (o["kind"], o["platform"] or "", o["score"]) for o in objects
    ]
    code, out, _err = _run(capsys, monkeypatch, alerts_db, "--week", "2026-W48")
    assert code == 0 and out.splitlines()[0].split()[:2] == ["kind", "sector"]
    assert len(out.splitlines()) == len(objects) + 2
    assert "“拼多多”的“任意仅退款”投诉" in out


def test_the_command_limits_to_a_sector_and_refuses_unknown_ones(alerts_db, capsys, monkeypatch):
    code, out, _err = _run(
        capsys,
        monkeypatch,
        alerts_db,
        "--month",
        "2026-11",
        "--sector",
        "金融科技",
        "--format",
        "json",
    )
    assert code == 0 and all(o["sector"] in ("金融科技", None) for o in json.loads(out))
    assert not [o for o in json.loads(out) if o["platform"] == RISE[0]]
    code, out, err = _run(capsys, monkeypatch, alerts_db, "--sector", "不存在")
    assert code == 2 and out == "" and "不存在" in err and "零售电商" in err
    with pytest.raises(SystemExit) as exited:
        _run(capsys, monkeypatch, alerts_db, "--week", "2026-11")
    assert exited.value.code == 2 and "2026-W48" in capsys.readouterr().err
