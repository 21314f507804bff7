"""No read can see past its reader's scope: every read, two databases, many random scopes.

Database A holds random complaints; database B is a copy of A (``tousu migrate``'s own
transfer) from which every complaint and platform outside a random scope was deleted. Every
read the pages, downloads, report and command line use runs on A and on B under the same
scope, through the same doors the app uses (``web/data.py`` for pages and downloads, the
domain layer's scoped session for the rest) — and must give equal results. A read that
builds SQL past the scope (a forgotten condition, ``with_dates(None, None)``, a fresh
``Filters()``) sees A's extra rows and fails here, without a case written for it.

Which reads run is found, not listed: every public function of ``web/data.py`` and of
``models/reads/*`` whose first parameters are (session,) filters. Their arguments come
from :data:`ARGUMENTS` by parameter name; a new parameter name fails until values are given.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import shutil
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import delete, select, text

import models.reads
from models.access import policy
from models.alerts.detect import Alert, When
from models.errors import TousuError
from models.ops import transfer
from models.reads.cases import CaseQuery
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES, STATUSES
from models.rules.periods import Period
from models.store import schema, summary
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.scope import Scope, scoped_session
from models.store.tables import Complaint, Platform
from tests.factories import add_complaints, add_platforms
from web import data
from web.viewer import Viewer

SCOPES_PER_BACKEND = 50

PLATFORMS = (
    ("小红书", "社交电商", True),
    ("云集", "社交电商", True),
    ("微店", "社交电商", False),
    ("分期乐", "金融科技", True),
    ("拍拍贷", "金融科技", True),
    ("1688", "产业电商", True),
    ("找钢网", "产业电商", False),
)
SECTORS = sorted({s for _n, s, _o in PLATFORMS})
#: Platforms are imported in this order into a new database: ids 1, 2, … (checked below).
PLATFORM_IDS = {name: i for i, (name, _s, _o) in enumerate(PLATFORMS, 1)}
PROVINCES = ("广东省", "浙江省", "北京市", "四川省", "")
PROBLEMS = ("退款问题", "虚假促销", "信息泄露", "网络欺诈")
WORDS = ("退款", "客服", "骚扰", "发货", "利息", "冻结")
FIRST_DAY, LAST_DAY = date(2023, 11, 1), date(2025, 2, 28)


@dataclass(frozen=True)
class Row:
    """One generated complaint and what the scope rule needs to know of it."""

    external_id: str
    platform: str
    sector: str
    province: str
    day: date
    status: str
    csv: dict


def _complaints(rng: random.Random, n: int) -> list[Row]:
    rows = []
    span = (LAST_DAY - FIRST_DAY).days
    for i in range(n):
        name, sector, _onboarded = rng.choice(PLATFORMS)
        at = datetime.combine(FIRST_DAY + timedelta(days=rng.randint(0, span)), datetime.min.time())
        at += timedelta(seconds=rng.randint(0, 86_399))
        status = rng.choice(STATUSES)
        row = {
            "external_id": f"G{i:05d}",
            "platform": name,
            "submitted_at": at.strftime("%Y-%m-%d %H:%M:%S"),
            "province": rng.choice(PROVINCES),
            "gender": rng.choice(("男", "女", "")),
            "amount": rng.choice(("", "50", "300", "2000", "12000")),
            "problem_type": rng.choice(PROBLEMS),
            "title": f"{rng.choice(WORDS)}问题{i}",
            "content": f"平台{rng.choice(WORDS)}，电话13800138{i % 1000:03d}，请处理",
            "complainant": rng.choice(("陈晓明", "李娜", "王芳")),
            "phone": f"139{i:08d}",
            "status": status,
        }
        if status != "待审核" and status != "不予受理":
            transferred = at + timedelta(hours=rng.randint(1, 48))
            row["transferred_at"] = transferred.strftime("%Y-%m-%d %H:%M:%S")
            if status in ("已回复", "已评价"):
                replied = transferred + timedelta(hours=rng.choice((5, 80, 130)))
                row["replied_at"] = replied.strftime("%Y-%m-%d %H:%M:%S")
                row["reply"] = f"已联系{row['complainant']}处理"
            if status == "已评价":
                row["satisfaction"] = str(rng.randint(0, 10))
        if rng.random() < 0.15:
            row["typical"] = "是"
            row["headline"] = f"典型案例{i}"
        rows.append(Row(row["external_id"], name, sector, row["province"], at.date(), status, row))
    return rows


def _random_scope(rng: random.Random) -> tuple[str, Scope]:
    """A viewer kind and its scope: a platform account's (the policy's own scope for one or
    two platforms), or a share link's or an account's: sectors, platforms, dates cutting
    months or one day, provinces, statuses; masked or not."""
    if rng.random() < 0.2:
        ids = tuple(sorted(rng.sample(range(1, len(PLATFORMS) + 1), rng.randint(1, 2))))
        return "platform", policy.scope_for("platform", ids)
    sectors = tuple(rng.sample(SECTORS, rng.randint(1, 2))) if rng.random() < 0.5 else None
    names = [n for n, s, _o in PLATFORMS if sectors is None or s in sectors]
    platforms = tuple(rng.sample(names, rng.randint(1, len(names)))) if rng.random() < 0.4 else None
    date_from = date_to = None
    shape = rng.random()
    if shape < 0.3:  # a window cutting months
        date_from = FIRST_DAY + timedelta(days=rng.randint(0, 300))
        date_to = date_from + timedelta(days=rng.randint(0, 200))
    elif shape < 0.45:  # one day
        date_from = date_to = FIRST_DAY + timedelta(days=rng.randint(0, 400))
    elif shape < 0.6:  # open-ended
        date_from = FIRST_DAY + timedelta(days=rng.randint(0, 400))
    provinces = tuple(rng.sample(PROVINCES[:-1], 2)) if rng.random() < 0.15 else None
    staff = rng.random() < 0.25
    return "staff" if staff else "share", Scope(
        Filters(
            sectors=sectors,
            platforms=platforms,
            provinces=provinces,
            date_from=date_from,
            date_to=date_to,
            statuses=STATUSES if staff else COUNTING_STATUSES,
        ),
        reveal_personal=staff,
    )


def _inside(row: Row, scope: Filters) -> bool:
    """The scope rule written out again, independently of the SQL (the oracle)."""
    return (
        (scope.platform_ids is None or PLATFORM_IDS[row.platform] in scope.platform_ids)
        and (scope.sectors is None or row.sector in scope.sectors)
        and (scope.platforms is None or row.platform in scope.platforms)
        and (scope.provinces is None or row.province in scope.provinces)
        and (scope.date_from is None or row.day >= scope.date_from)
        and (scope.date_to is None or row.day <= scope.date_to)
        and (scope.statuses is None or row.status in scope.statuses)
    )


# --- the two databases ------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory, sqlite_template):
    """Database A with random complaints, and where database B goes (a fresh one per scope)."""
    rng = random.Random(20261206)
    rows = _complaints(rng, 360)
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("scope")
        a_url = f"sqlite:///{folder / 'a.db'}"
        shutil.copy(sqlite_template, folder / "a.db")

        def fresh_b() -> str:
            path = folder / f"b{random.random()}.db"
            shutil.copy(sqlite_template, path)
            return f"sqlite:///{path}"
    else:
        # B is a second schema of the same server database, first on B's search path
        # (public after it for pg_trgm's operators). B's tables are made first: with A's
        # already there, B's migration would find A's through that path and do nothing.
        pg = request.getfixturevalue("postgres_url")
        a_url = pg
        with get_engine(pg).begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("DROP SCHEMA IF EXISTS scope_b CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            conn.execute(text("CREATE SCHEMA scope_b"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        sep = "&" if "?" in pg else "?"
        b = f"{pg}{sep}options=-csearch_path%3Dscope_b%2Cpublic"
        schema.upgrade(get_engine(b))
        schema.upgrade(get_engine(pg))
        request.addfinalizer(lambda: _drop_schema(pg, "scope_b"))

        def fresh_b() -> str:
            return b

    a = get_engine(a_url)
    add_platforms(a, *PLATFORMS)
    add_complaints(a, [r.csv for r in rows])
    with session_scope(a) as session:
        ids = dict(session.execute(select(Complaint.external_id, Complaint.id)).all())
        assert dict(session.execute(select(Platform.name, Platform.id)).all()) == PLATFORM_IDS
    yield a_url, fresh_b, rows, ids
    dispose_engines()


def _drop_schema(url: str, name: str) -> None:
    dispose_engines()
    with get_engine(url).begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    dispose_engines()


def _only_inside(a_url: str, b_url: str, rows: list[Row], ids: dict, scope: Filters) -> None:
    """Database B: A copied, then everything outside ``scope`` deleted, summaries recounted."""
    b = get_engine(b_url)
    with transfer.snapshot(get_engine(a_url)) as source_connection:
        transfer.load(b, transfer.database_source(source_connection), replace=True)
    outside = [ids[r.external_id] for r in rows if not _inside(r, scope)]
    kept = {
        n
        for n, s, _o in PLATFORMS
        if (scope.sectors is None or s in scope.sectors)
        and (scope.platforms is None or n in scope.platforms)
        and (scope.platform_ids is None or PLATFORM_IDS[n] in scope.platform_ids)
    }
    with session_scope(b, write=True) as session:
        for start in range(0, len(outside), 500):
            session.execute(delete(Complaint).where(Complaint.id.in_(outside[start : start + 500])))
        session.execute(delete(Platform).where(Platform.name.not_in(kept)))
        summary.rebuild(session)


# --- the reads and their arguments --------------------------------------------------------

ASKED = (  # what a page or a command asks for, before the scope narrows it
    Filters(),
    Filters.for_year(2024),
    Filters(date_from=date(2024, 2, 10), date_to=date(2024, 8, 20)),
    Filters(sectors=("金融科技",), statuses=None),
    Filters(provinces=("广东省",)),
)
PERIODS = (
    Period(2024, "year", 1),
    Period(2024, "half", 1),
    Period(2024, "quarter", 2),
    Period(2024, "month", 3),
    Period(2025, "month", 1),
)

ARGUMENTS: dict[str, tuple] = {
    "filters": ASKED,
    "current": ASKED[:3],
    "previous": (None, Filters.for_year(2023)),
    "by": ("problem_type", "province", "gender", "amount_bracket", "platform", "month", "sector"),
    "split": ("sector",),
    "dimensions": ((), ("problem_type",), ("sector", "province"), ("platform", "month")),
    "platform": tuple(n for n, _s, _o in PLATFORMS),
    "sector": tuple(SECTORS),
    "year": (2023, 2024, 2025),
    "period": PERIODS,
    "limit": (5, 1000),
    "offset": (0, 3),
    "text": ("", "退款", "客服 问题"),
    "problem_types": ((), ("退款问题",)),
    "typical_only": (False, True),
    "query": (
        CaseQuery(),
        CaseQuery("退款"),
        CaseQuery("客服 问题", ("退款问题",)),
        CaseQuery(typical_only=True),
    ),
    "top": (3, None),
    "least": (1, 2),
    "all_sections": (False, True),
    "intro": (None,),
    "reveal": (True, False),
    "case_id": "every complaint",
    "today": (None, date(2024, 6, 15), date(2025, 12, 31)),
    "when": (When.parse("2024-W48"), When.parse("2024-11"), When.parse("2025-02")),
    # the series a chart of 预警 draws: one per kind of series, weekly and monthly
    "alert": tuple(
        Alert("rise", period, *series, 0, 0, 0, 0, window, "")
        for period, window, series in (
            ("2024-W48", 2, ("社交电商", "小红书", None, None)),
            ("2024-11", 1, (None, None, "退款问题", None)),
            ("2025-02", 1, (None, None, None, "广东省")),
            ("2024-W20", 1, ("金融科技", "分期乐", "网络欺诈", None)),
            ("2024-08", 1, ("产业电商", None, None, None)),
        )
    ),
    "periods": (6,),
}
#: Parameters that are not the reader's choice (set by the door itself).
FIXED = {"org", "data_org"}


def _reads_of(module) -> list:
    found = []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != module.__name__:
            continue
        params = list(inspect.signature(fn).parameters)
        if params[:2] == ["session", "filters"] or params[:2] == ["session", "current"]:
            found.append(fn)
    return found


def domain_reads() -> list:
    modules = [
        importlib.import_module(f"models.reads.{m.name}")
        for m in pkgutil.iter_modules(models.reads.__path__)
    ]
    return [fn for module in modules for fn in _reads_of(module)]


def door_reads() -> list:
    return [
        fn
        for name, fn in inspect.getmembers(data, inspect.isfunction)
        if not name.startswith("_")
        and fn.__module__ == data.__name__
        and list(inspect.signature(fn).parameters)[:1] == ["filters"]
        and name not in {"comparable", "with_statuses"}  # not reads: filter arithmetic
    ]


def _calls(fn, rng: random.Random, case_ids: list[int], skip: int) -> list[dict]:
    """A few argument sets for ``fn``: every value of its first varying parameter in turn,
    the other parameters drawn at random."""
    params = [p for p in inspect.signature(fn).parameters.values()][skip:]
    choices: dict[str, tuple] = {}
    for p in params:
        if p.name in FIXED or p.kind is p.VAR_KEYWORD:  # **options: the named ones are swept
            continue
        if p.name not in ARGUMENTS:
            raise AssertionError(f"{fn.__qualname__}: give test values for {p.name!r} in ARGUMENTS")
        values = ARGUMENTS[p.name]
        choices[p.name] = tuple(rng.sample(case_ids, 8)) if values == "every complaint" else values
    widest = max(choices, key=lambda k: len(choices[k]))
    return [
        {
            name: (value if name == widest else rng.choice(options))
            for name, options in choices.items()
        }
        for value in choices[widest]
    ]


def _outcome(call) -> Any:
    try:
        result = call()
    except TousuError as exc:  # an unknown name is an outcome too (equal on both)
        return (type(exc).__name__, str(exc))
    return result() if callable(result) else result  # case_export returns its fetch


def _comparable(value: Any) -> Any:
    """Results with the fields that identify rows by database id kept (ids are equal on
    both databases: B is a copy of A)."""
    if isinstance(value, pd.DataFrame):  # NaN equal to NaN: as JSON
        return ("DataFrame", value.to_json(orient="split", date_format="iso"))
    if is_dataclass(value):
        return (type(value).__name__, *(_comparable(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    return value


# --- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(SCOPES_PER_BACKEND))
def test_no_read_sees_past_its_scope(backend, seed, monkeypatch):
    a_url, fresh_b, rows, ids = backend
    rng = random.Random(seed)
    kind, scope = _random_scope(rng)
    b_url = fresh_b()
    _only_inside(a_url, b_url, rows, ids, scope.filters)
    case_ids = sorted(ids.values())
    st.session_state["viewer"] = Viewer(kind, scope=scope.filters)
    checked = 0
    try:
        for fn in door_reads():
            for kwargs in _calls(fn, rng, case_ids, skip=0):
                results = []
                for url in (a_url, b_url):
                    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
                    data.clear()
                    results.append(_comparable(_outcome(lambda fn=fn, kw=kwargs: fn(**kw))))
                assert results[0] == results[1], f"web.data.{fn.__name__}({kwargs}) under {scope}"
                checked += 1
        for fn in domain_reads():
            for kwargs in _calls(fn, rng, case_ids, skip=1):
                if "actor" in kwargs:
                    continue
                results = []
                for url in (a_url, b_url):
                    with scoped_session(get_engine(url), scope) as session:
                        results.append(
                            _comparable(_outcome(lambda fn=fn, s=session, kw=kwargs: fn(s, **kw)))
                        )
                assert results[0] == results[1], (
                    f"{fn.__module__}.{fn.__name__}({kwargs}) under {scope}"
                )
                checked += 1
    finally:
        st.session_state.pop("viewer", None)
        data.clear()
    assert checked > 40


def test_every_read_is_swept():
    """The sweep finds the reads the pages use (a rename must not silently drop them)."""
    door = {fn.__name__ for fn in door_reads()}
    assert {"distribution", "headline", "year_ratings", "period_report", "case_export"} <= door
    assert {"alerts", "alert_trace"} <= door
    domain = {fn.__name__ for fn in domain_reads()}
    assert {
        "distribution",
        "year_ratings",
        "sector_report",
        "search_cases",
        "leaderboard",
    } <= domain
