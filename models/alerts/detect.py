"""消费预警: what changed in the latest week or month, found before anyone goes looking.

Two kinds of alert:

* ``rise``: a series' complaints in the latest week (or two) or month are an unusual rise
  against its own level and season (:mod:`models.alerts.model`). Series: each platform,
  sector, problem type, province and platform × problem type. Counted as the filters
  say (the command line counts every status, 待审核 included: a rise shows first in
  complaints not yet reviewed).
* ``grade``, ``reply_rate``, ``timeliness`` (months only: ratings are monthly): a platform
  whose 评级 falls, or whose 平台反馈率 or 回复时效性 drops by at least the minimum drop,
  against the month before (and unlikely by chance: the minimum score, as for rises),
  both months resting on at least ``TOUSU_RATING_MIN_COMPLAINTS`` complaints.

Counts come from the summary tables: months from ``summary_count``
(:func:`models.store.summary.plan`; what it cannot answer, from the complaints), weeks from
``summary_week`` (:func:`models.store.summary.weekly`; a scope cutting weeks or choosing
provinces, from the complaints). Every read goes through the session's scope.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.stats import norm
from sqlalchemy import func, select
from sqlmodel import Session

from models import clock
from models.alerts.model import BASELINE, SEASON, WINDOWS, Thresholds, expectations, rises
from models.errors import TousuError
from models.reads.platforms import platforms
from models.reads.ratings import monthly_inputs
from models.rules import dimensions as registry
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES, GRADES
from models.rules.months import first_day, last_day, month_of, next_month, previous_month
from models.rules.periods import Period
from models.rules.rating import Rating, RatingInputs
from models.settings import get_settings
from models.store import scope, summary
from models.store.tables import Complaint, Platform

EPOCH = date(2000, 1, 3)  # a Monday: weeks are counted from it
KINDS = ("rise", "grade", "reply_rate", "timeliness")
#: The series fields of an alert, in the order they are printed.
SERIES_FIELDS = ("sector", "platform", "problem_type", "province")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# --- periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """The period alerts are for: an ISO week (Monday to Sunday) or a calendar month."""

    kind: str  # "week" | "month"
    first: date
    last: date

    @property
    def code(self) -> str:
        """2026-W48 or 2026-11."""
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.year}-{self.first.month:02d}"

    @property
    def index(self) -> int:
        """Weeks since :data:`EPOCH`, or months since year 0."""
        if self.kind == "week":
            return (self.first - EPOCH).days // 7
        return self.first.year * 12 + self.first.month - 1

    @classmethod
    def week(cls, monday: date) -> When:
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def month(cls, yyyymm: int) -> When:
        return cls("month", first_day(yyyymm), last_day(yyyymm))

    @classmethod
    def parse(cls, text: str) -> When:
        """2026-W48 or 2026-11; TousuError for anything else."""
        text = text.strip()
        if found := _WEEK.match(text):
            try:
                return cls.week(date.fromisocalendar(int(found[1]), int(found[2]), 1))
            except ValueError:
                pass
        elif (found := _MONTH.match(text)) and 1 <= int(found[2]) <= 12:
            return cls.month(int(found[1]) * 100 + int(found[2]))
        raise TousuError(f"不是周或月份（应为如 2026-W48 或 2026-11）：{text!r}")

    @classmethod
    def latest(cls, kind: str, today: date | None = None) -> When:
        """The latest complete week or month as of ``today``."""
        today = today or clock.today()
        if kind == "week":
            return cls.week(today - timedelta(days=today.weekday() + 7))
        return cls.month(previous_month(month_of(today)))

    def step(self, periods: int) -> When:
        """The period ``periods`` later (earlier when negative)."""
        if self.kind == "week":
            return When.week(self.first + timedelta(weeks=periods))
        month = month_of(self.first)
        for _ in range(abs(periods)):
            month = next_month(month) if periods > 0 else previous_month(month)
        return When.month(month)


# --- alerts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """One alert: what rose or fell, where, when, by how much, and how surely.

    For a rise, ``actual`` and ``expected`` are complaint counts of the window (``window``
    weeks or months ending with the period). For a rating alert they are this month's and
    last month's 综合指数, 平台反馈率 (percent) or 回复时效性. ``score`` is −log10 of the
    one-sided p-value of the change.
    """

    kind: str
    period: str
    sector: str | None
    platform: str | None
    problem_type: str | None
    province: str | None
    actual: float
    expected: float
    ratio: float
    score: float
    window: int
    sentence: str

    def row(self) -> dict[str, object]:
        """The alert as the command line prints it (JSON keeps the numbers)."""
        return {
            "kind": self.kind,
            **{f: getattr(self, f) for f in SERIES_FIELDS},
            "period": self.period,
            "window": self.window,
            "actual": round(self.actual, 3),
            "expected": round(self.expected, 3),
            "ratio": round(self.ratio, 2),
            "score": round(self.score, 1),
            "sentence": self.sentence,
        }


def thresholds() -> Thresholds:
    """The rise thresholds from the settings."""
    s = get_settings()
    return Thresholds(s.alert_min_count, s.alert_min_ratio, s.alert_min_score)


def detect(
    session: Session, filters: Filters, when: When, limits: Thresholds | None = None
) -> list[Alert]:
    """Every alert for ``when`` within ``filters`` (and the session's scope), surest first."""
    found = rise_alerts(session, filters, [when], limits)
    if when.kind == "month":
        found += rating_alerts(session, filters, when)
    return sorted(found, key=lambda a: (-a.score, -a.ratio, a.kind, a.sentence))


# --- counting ----------------------------------------------------------------------------


_BY_TYPE = ("sector", "platform", "problem_type")
_BY_PROVINCE = ("province",)


def counts(
    session: Session, filters: Filters, kind: str, first: date, last: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complaints per (period index, sector, platform, problem type) and per (period
    index, province) on the days ``first``..``last`` within ``filters``."""
    f = filters.with_dates(first, last)
    if kind == "month":
        return _monthly(session, f, _BY_TYPE), _monthly(session, f, _BY_PROVINCE)
    if summary.weekly(session, f):
        infos = platforms(session)  # ids to names here: no join to group by
        named = [
            (week, infos[pid].sector, infos[pid].name, value, n)
            for week, pid, value, n in summary.week_rows(
                session, "problem_type", f, by_platform=True
            )
        ]
        frames = [
            _frame(named, _BY_TYPE),
            _frame(summary.week_rows(session, "province", f, by_platform=False), _BY_PROVINCE),
        ]
    else:
        week = summary.week_sql(session.connection().dialect.name).label("period")
        frames = [
            _frame(session.connection().execute(_grouped(session, f, week, dims)).all(), dims)
            for dims in (_BY_TYPE, _BY_PROVINCE)
        ]
    for frame in frames:  # Mondays (YYYYMMDD) as weeks since EPOCH
        mondays = pd.to_datetime(frame["period"].astype(str), format="%Y%m%d")
        frame["period"] = (mondays - pd.Timestamp(EPOCH)).dt.days // 7
    return frames[0], frames[1]


def _grouped(session: Session, f: Filters, period, dims: Sequence[str]):
    """SELECT period, dims…, count(*) over the complaints ``f`` selects."""
    declared = [registry.get(d) for d in dims]
    groups = [period, *(d.expression() for d in declared)]
    stmt = select(*groups, func.count()).select_from(Complaint)
    if any(d.on_platform for d in declared):
        stmt = stmt.join(Platform, Platform.id == Complaint.platform_id)
    return stmt.where(*scope.where(session, f)).group_by(*groups)


def _monthly(session: Session, f: Filters, dims: tuple[str, ...]) -> pd.DataFrame:
    """Monthly counts: whole months from the summaries, the rest from the complaints."""
    plan = summary.plan(session, f, ("month", *dims))
    rows = list(
        summary.count_rows(session, ("month", *dims), f, plan.months)
        if plan.months is not None
        else []
    )
    for part in plan.direct:
        stmt = _grouped(session, part, Complaint.submitted_month, dims)
        rows += session.connection().execute(stmt).all()
    frame = _frame(rows, dims)
    month = frame["period"]
    frame["period"] = (month // 100) * 12 + month % 100 - 1
    return frame.groupby(["period", *dims], sort=False)["n"].sum().reset_index()


def _frame(rows: Sequence, dims: Sequence[str]) -> pd.DataFrame:
    # Plain tuples: pandas inspects every SQLAlchemy Row for fields, a second per 60,000.
    frame = pd.DataFrame(list(map(tuple, rows)), columns=["period", *dims, "n"])
    for d in dims:  # labels_of: an empty value (None, read as NaN) is 未知, as summarised
        frame[d] = registry.get(d).labels_of(frame[d]).astype(object)
    return frame.astype({"period": "int64", "n": "int64"})


# --- series ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Count matrices: one row per series, one column per period from ``start``."""

    keys: list[dict[str, str]]
    counts: np.ndarray
    parent: np.ndarray
    start: int


def series(by_type: pd.DataFrame, by_province: pd.DataFrame, start: int, stop: int) -> Series:
    """Every series, and its parent: a platform's sector, else all complaints."""
    width = stop - start + 1

    def matrix(frame: pd.DataFrame, dims: list[str]) -> tuple[list[tuple], np.ndarray]:
        if frame.empty:
            return [], np.zeros((0, width))
        table = frame.pivot_table(index=dims, columns="period", values="n", aggfunc="sum")
        table = table.reindex(columns=range(start, stop + 1)).fillna(0)
        keys = [k if isinstance(k, tuple) else (k,) for k in table.index]
        return keys, table.to_numpy(dtype=float)

    _none, totals = matrix(by_type.assign(all=""), ["all"])
    total = totals[0] if len(totals) else np.zeros(width)
    sectors, sector_counts = matrix(by_type, ["sector"])
    of_sector = {key[0]: row for key, row in zip(sectors, sector_counts, strict=True)}
    keys: list[dict[str, str]] = []
    rows: list[np.ndarray] = []
    parents: list[np.ndarray] = []

    def add(frame: pd.DataFrame, dims: list[str], parent: Callable[[dict], np.ndarray]) -> None:
        found, matrix_rows = matrix(frame, dims)
        for key, row in zip(found, matrix_rows, strict=True):
            named = dict(zip(dims, key, strict=True))
            keys.append(named)
            rows.append(row)
            parents.append(parent(named))

    def everything(_named: dict) -> np.ndarray:
        return total

    def own_sector(named: dict) -> np.ndarray:
        return of_sector[named["sector"]]

    add(by_type, ["sector"], everything)
    add(by_type, ["sector", "platform"], own_sector)
    add(by_type, ["problem_type"], everything)
    add(by_province, ["province"], everything)
    add(by_type, ["sector", "platform", "problem_type"], own_sector)
    if not rows:
        return Series([], np.zeros((0, width)), np.zeros((0, width)), start)
    return Series(keys, np.vstack(rows), np.vstack(parents), start)


def history_start(first_target: When) -> When:
    """The earliest period the model reads for targets from ``first_target`` on."""
    kind = first_target.kind
    return first_target.step(-(SEASON[kind] + BASELINE[kind] + max(WINDOWS[kind])))


# --- rises -------------------------------------------------------------------------------


def rise_alerts(
    session: Session,
    filters: Filters,
    targets: Sequence[When],
    limits: Thresholds | None = None,
) -> list[Alert]:
    """Rise alerts for each of ``targets`` (periods of one kind), from one read."""
    if not targets:
        return []
    ordered = sorted(targets, key=lambda w: w.first)
    oldest, newest = history_start(ordered[0]), ordered[-1]
    by_type, by_province = counts(session, filters, newest.kind, oldest.first, newest.last)
    data = series(by_type, by_province, oldest.index, newest.index)
    return alerts_of(data, list(targets), limits or thresholds())


def alerts_of(data: Series, targets: list[When], limits: Thresholds) -> list[Alert]:
    """The flagged rises of ``data`` at ``targets``."""
    if not data.keys:
        return []
    columns = np.array([t.index - data.start for t in targets])
    found = rises(data.counts, data.parent, columns, targets[0].kind, limits)
    out = []
    for i, j in zip(*np.nonzero(found.flagged), strict=True):
        key, when = data.keys[i], targets[j]
        window = int(found.window[i, j])
        actual, expected = float(found.actual[i, j]), float(found.expected[i, j])
        out.append(
            Alert(
                kind="rise",
                period=when.code,
                sector=key.get("sector"),
                platform=key.get("platform"),
                problem_type=key.get("problem_type"),
                province=key.get("province"),
                actual=actual,
                expected=expected,
                ratio=actual / expected,
                score=float(found.score[i, j]),
                window=window,
                sentence=_rise_sentence(key, when, window, actual, expected),
            )
        )
    return out


def _span(when: When, window: int) -> str:
    first = when.step(1 - window).first
    if when.kind == "month":
        return f"{first.year}年{first.month}月"
    ahead = "近一周" if window == 1 else "近两周"
    return f"{ahead}（{first.month}月{first.day}日至{when.last.month}月{when.last.day}日）"


def _rise_sentence(key: dict[str, str], when: When, window: int, actual, expected) -> str:
    """近两周（11月16日至11月29日）“拼多多”的“任意仅退款”投诉 126 件，为此前同期预期的 3.1 倍."""
    if "platform" in key:
        who = f"“{key['platform']}”的"
    elif "province" in key:
        who = f"{key['province']}的"
    elif "problem_type" not in key:
        who = f"{key['sector']}赛道的"
    else:
        who = ""
    what = f"“{key['problem_type']}”" if "problem_type" in key else ""
    said = f"{_span(when, window)}{who}{what}投诉 {actual:,.0f} 件，"
    if expected < 1:  # a ratio to almost nothing says nothing
        return said + "而此前同期预期不到 1 件"
    return said + f"为此前同期预期（约 {expected:,.0f} 件）的 {actual / expected:.1f} 倍"


# --- ratings -----------------------------------------------------------------------------


def _drop_score(before: float, now: float, variance: float) -> float:
    """−log10 of the one-sided p-value (normal approximation) that ``now`` fell below
    ``before``."""
    if variance <= 0:
        return 0.0
    p = float(norm.sf((before - now) / math.sqrt(variance)))
    return -math.log10(max(p, 1e-300))


def _variances(inputs: RatingInputs) -> tuple[float, float, float]:
    """Sampling variances of 平台反馈率, 回复时效性 and 综合指数 from the counts (the
    score's taken at its largest, 25 on the 0–10 scale, since only its sum is kept)."""
    n, replied = inputs.complaints, inputs.replied
    r = float(inputs.reply_rate)
    reply = r * (1 - r) / n if n else 0.0
    timely = 0.0
    if replied:
        t = float(inputs.timeliness)
        timely = max((inputs.fast + 0.36 * inputs.slow) / replied - t * t, 0.0) / replied
    score = 0.25 / inputs.scored if inputs.scored else 0.0  # (25 / 10²) / scored
    return reply, timely, 0.25 * reply + 0.09 * timely + 0.04 * score


def rating_alerts(session: Session, filters: Filters, when: When) -> list[Alert]:
    """Platforms whose 评级 fell, or whose 平台反馈率 or 回复时效性 dropped, in month ``when``."""
    before = when.step(-1)
    f = Filters(statuses=COUNTING_STATUSES).intersect(filters).with_dates(before.first, when.last)
    inputs = monthly_inputs(session, f)
    infos = platforms(session)
    month, last = month_of(when.first), month_of(before.first)
    minimum = get_settings().rating_min_complaints
    out = []
    for pid in sorted({pid for pid, m in inputs if m == month}):
        now, then = inputs[(pid, month)], inputs.get((pid, last))
        if then is not None and min(now.complaints, then.complaints) >= minimum:
            info = infos[pid]
            ratings = [
                Rating(info.name, info.sector, info.onboarded, Period.for_month(m), value)
                for m, value in ((month, now), (last, then))
            ]
            out += _rating_changes(when, ratings[0], ratings[1])
    return out


def _rating_changes(when: When, now: Rating, then: Rating) -> list[Alert]:
    """A platform's alerts for ``now`` against ``then`` (the month before)."""
    settings = get_settings()
    v_now, v_then = _variances(now.inputs), _variances(then.inputs)
    label = f"“{now.platform}”{when.first.year}年{when.first.month}月"

    def alert(kind: str, a: float, e: float, variance: float, text: str) -> Alert:
        return Alert(
            kind=kind,
            period=when.code,
            sector=now.sector,
            platform=now.platform,
            problem_type=None,
            province=None,
            actual=a,
            expected=e,
            ratio=a / e if e else 0.0,
            score=_drop_score(e, a, variance),
            window=1,
            sentence=label + text,
        )

    out = []
    if now.onboarded and GRADES.index(now.grade) > GRADES.index(then.grade):
        text = (
            f"消费评级由“{then.grade}”降为“{now.grade}”"
            f"（综合指数 {then.composite} → {now.composite}）"
        )
        a, e = float(now.composite), float(then.composite)
        out.append(alert("grade", a, e, v_now[2] + v_then[2], text))
    drop = float(then.inputs.reply_rate - now.inputs.reply_rate)
    if drop >= settings.alert_min_drop:
        text = (
            f"平台反馈率 {now.reply_rate}%，较上月 {then.reply_rate}% "
            f"下降 {drop * 100:.1f} 个百分点"
        )
        a, e = float(now.reply_rate), float(then.reply_rate)
        out.append(alert("reply_rate", a, e, (v_now[0] + v_then[0]) * 1e4, text))  # in %²
    drop = float(then.inputs.timeliness - now.inputs.timeliness)
    if drop >= settings.alert_min_drop:
        text = f"回复时效性 {now.timeliness}，较上月 {then.timeliness} 下降 {drop:.3f}"
        a, e = float(now.inputs.timeliness), float(then.inputs.timeliness)
        out.append(alert("timeliness", a, e, v_now[1] + v_then[1], text))
    # A fallen grade is news in itself; a drop in a rate only when it is not chance.
    return [a for a in out if a.kind == "grade" or a.score >= settings.alert_min_score]


# --- a series over time (the 预警 page's chart) ---------------------------------------------


def trace(session: Session, filters: Filters, alert: Alert, periods: int = 26) -> pd.DataFrame:
    """The series an alert is about, period by period up to the alert's: its count, what
    the model expected and a band of about 95 % around it (columns period, first, actual,
    expected, low, high, flagged — the alert's own window). Empty for a rating alert, or
    a series with no complaints in the scope."""
    columns = ["period", "first", "actual", "expected", "low", "high", "flagged"]
    if alert.kind != "rise":
        return pd.DataFrame(columns=columns)
    when = When.parse(alert.period)
    oldest = when.step(1 - periods)
    by_type, by_province = counts(
        session, filters, when.kind, history_start(oldest).first, when.last
    )
    data = series(by_type, by_province, history_start(oldest).index, when.index)
    key = {f: getattr(alert, f) for f in SERIES_FIELDS if getattr(alert, f) is not None}
    if key not in data.keys:
        return pd.DataFrame(columns=columns)
    row = data.keys.index(key)
    shown = [oldest.step(i) for i in range(periods)]
    targets = np.array([w.index - data.start for w in shown])
    actual, expected, low, high = expectations(
        data.counts[row : row + 1], data.parent[row : row + 1], targets, when.kind
    )
    in_window = {when.step(-i).code for i in range(alert.window)}
    return pd.DataFrame(
        {
            "period": [w.code for w in shown],
            "first": pd.to_datetime([w.first for w in shown]),
            "actual": actual[0],
            "expected": expected[0],
            "low": low[0],
            "high": high[0],
            "flagged": [w.code in in_window for w in shown],
        },
        columns=columns,
    )
