"""Every dimension of the registry flows from an import file to every place that shows it.

Random complaints, each with random values of every dimension the registry declares, go in
through the real import. Then for each dimension the counts of `stats` (from the summaries
and from the complaints), of `tousu stats --by`, of the 用户画像 page's downloads, of the
report and of the sidebar's filter must equal a count in Python of the rows as generated.
Nothing here names a dimension: one added to the registry is tested without a line added
(one with an open vocabulary needs sample cells in :data:`SAMPLES`).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Column, select
from sqlalchemy.sql import visitors

from cli.main import main as tousu
from models.importing import COMPLAINT_COLUMNS, import_complaints
from models.reads import stats
from models.reads.report import sector_report
from models.rules.dimensions import FILTERED, IMPORTED, REGISTRY, Dimension
from models.rules.filters import Filters
from models.rules.labels import PROBLEM_TYPES, UNKNOWN
from models.rules.months import month_of
from models.store import summary
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from tests.dashboard_helpers import APP, errors
from tests.factories import add_complaints, add_platforms, csv_bytes

PLATFORMS = (
    ("甲平台", "零售电商", True),
    ("乙平台", "金融科技", True),
    ("丙平台", "零售电商", False),
)
#: Cells of the dimensions whose labels are not a closed list (the others: their order).
SAMPLES = {
    "problem_type": PROBLEM_TYPES[:6],
    "province": ("广东", "浙江省", "北京市", "内蒙古", "新疆维吾尔自治区"),
}
FIRST_DAY = date(2024, 1, 1)
YEAR = 2024


def _cells(dimension: Dimension) -> list[str]:
    """Cells a file may hold for ``dimension``: its samples or labels, and empty."""
    spec = dimension.imported
    assert spec is not None
    written = list(SAMPLES.get(dimension.name, dimension.order))
    assert written, f"{dimension.name}: give sample cells in SAMPLES"
    return written if spec.required else [*written, ""]


def _rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        submitted = datetime.combine(FIRST_DAY, datetime.min.time()) + timedelta(
            minutes=rng.randrange(600 * 24 * 60)
        )
        row = {
            "external_id": f"D{i}",
            "platform": rng.choice(PLATFORMS)[0],
            "submitted_at": submitted.isoformat(sep=" "),
            **{d.column: rng.choice(_cells(d)) for d in IMPORTED},
        }
        for d in REGISTRY:
            if d.bands is not None:  # a number read in bands: below, on and above each bound
                bounds = d.bands.bounds
                row[d.column] = rng.choice([None, 0, *bounds, *(b - 1 for b in bounds), 99])
        rows.append(row)
    return rows


def _expected_label(dimension: Dimension, row: dict) -> str:
    """The label a generated row has in ``dimension``, worked out in plain Python."""
    if dimension.on_platform:
        name, sector, _ = next(p for p in PLATFORMS if p[0] == row["platform"])
        raw = {"name": name, "sector": sector}[dimension.column.split(".", 1)[1]]
    elif dimension.column == "submitted_month":
        raw = month_of(datetime.fromisoformat(row["submitted_at"]))
    elif dimension.bands is not None:
        number = row[dimension.column]
        if number is None:
            return UNKNOWN
        bands = zip(dimension.bands.bounds, dimension.bands.groups, strict=False)
        return next((g for bound, g in bands if number < bound), dimension.bands.groups[-1])
    else:
        spec = dimension.imported
        assert spec is not None, f"{dimension.name}: how is it generated?"
        text = row[dimension.column]
        if text:
            raw = spec.parse(text) if spec.parse else text
        elif spec.derive:
            raw = spec.derive[1](row.get(spec.derive[0]))
        else:
            raw = spec.empty
    return dimension.label_of(raw)


def _expected(dimension: Dimension, rows: list[dict]) -> dict[str, int]:
    return dict(Counter(_expected_label(dimension, row) for row in rows))


def _in_year(rows: list[dict], year: int, sector: str | None = None) -> list[dict]:
    sectors = {name: s for name, s, _ in PLATFORMS}
    return [
        r
        for r in rows
        if r["submitted_at"].startswith(str(year)) and sector in (None, sectors[r["platform"]])
    ]


@pytest.fixture
def imported(engine) -> list[dict]:
    rows = _rows(random.Random(23), 400)
    add_platforms(engine, *PLATFORMS)
    add_complaints(engine, rows)
    return rows


def test_every_dimension_counts_what_was_imported(engine, imported, monkeypatch, capsys):
    monkeypatch.setenv("TOUSU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    year = Filters.for_year(YEAR)
    with session_scope(engine) as session:
        assert summary.check(session) == []
        for dimension in REGISTRY:
            expected = _expected(dimension, imported)
            assert stats.counts(session, Filters(), dimension.name) == expected, dimension.name
            in_year = _expected(dimension, _in_year(imported, YEAR))
            assert stats.counts(session, year, dimension.name) == in_year, dimension.name
            with summary.direct():
                assert stats.counts(session, year, dimension.name) == in_year, dimension.name
            capsys.readouterr()
            assert tousu(["stats", "--by", dimension.name, "--format", "json"]) == 0
            printed = {s["label"]: s["count"] for s in json.loads(capsys.readouterr().out)}
            assert printed == expected, dimension.name


def test_a_filtered_dimension_narrows_every_count(engine, imported):
    with session_scope(engine) as session:
        for dimension in FILTERED:
            for label, n in _expected(dimension, imported).items():
                chosen = Filters().choose(dimension.name, (label,))
                assert stats.total(session, chosen) == n, (dimension.name, label)
                rows = [r for r in imported if _expected_label(dimension, r) == label]
                for other in REGISTRY:
                    counts = stats.counts(session, chosen, other.name)
                    assert counts == _expected(other, rows), (dimension.name, other.name)
                both = (
                    Filters()
                    .choose(dimension.name, (label,))
                    .intersect(Filters().choose(dimension.name, ()))
                )
                assert stats.total(session, both) == 0


def test_every_dimension_reaches_the_report(engine, imported):
    sector = "零售电商"
    rows = _in_year(imported, YEAR, sector)
    with session_scope(engine) as session:
        report = sector_report(session, Filters(), sector, YEAR)
    shown = {d.dimension: d for d in report.distributions}
    for dimension in REGISTRY:
        if dimension.reported is None:
            assert dimension.name not in shown
            continue
        distribution = shown[dimension.name]
        assert distribution.heading == dimension.reported.heading
        assert {s.label: s.count for s in distribution.shares} == _expected(dimension, rows)
        assert any(s.label in distribution.sentence for s in distribution.shares), dimension.name


def test_every_profile_dimension_is_drawn_and_downloads(sqlite_url, monkeypatch):
    """用户画像 draws each profile dimension and offers its counts; a filtered dimension
    chosen in the URL narrows them and names itself in the file."""
    from streamlit.testing.v1 import AppTest

    from web import widgets

    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    engine = get_engine(sqlite_url)
    rows = _rows(random.Random(5), 150)
    add_platforms(engine, *PLATFORMS)
    add_complaints(engine, rows)

    def downloads(**query) -> dict[str, tuple]:
        offered = {}
        for tab in (d.label for d in REGISTRY if d.profile):  # one tab per dimension
            at = AppTest.from_file(APP, default_timeout=120)
            for key, value in {"period": "all", "dg_tab": tab, **query}.items():
                at.query_params[key] = value
            at.run()
            at.switch_page("views/demographics.py")
            at.session_state[widgets.DOWNLOAD_LOG] = []
            at.run()
            assert errors(at) == []
            for names, frame in at.session_state[widgets.DOWNLOAD_LOG]:
                frame = frame() if callable(frame) else frame
                if list(frame.columns)[1:] == ["投诉量", "占比"]:
                    offered[frame.columns[0]] = (
                        names,
                        dict(zip(frame.iloc[:, 0], frame["投诉量"], strict=True)),
                    )
        return offered

    profile = [d for d in REGISTRY if d.profile]
    offered = downloads()
    for dimension in profile:
        assert offered[dimension.label][1] == _expected(dimension, rows), dimension.name
    for dimension in FILTERED:
        label = Counter(_expected_label(dimension, r) for r in rows).most_common()[-1][0]
        chosen = [r for r in rows if _expected_label(dimension, r) == label]
        offered = downloads(**{dimension.name: label})
        for other in profile:
            names, counts = offered[other.label]
            assert counts == _expected(other, chosen), (dimension.name, other.name)
            assert label in names.file

    # the case list's download carries each complaint's label in every filtered dimension
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["period"], at.query_params["typical"] = "all", "false"
    at.run()
    at.switch_page("views/cases.py")
    at.session_state[widgets.DOWNLOAD_LOG] = []
    at.run()
    assert errors(at) == []
    (cases,) = [
        f() if callable(f) else f
        for _names, f in at.session_state[widgets.DOWNLOAD_LOG]
        if "编号" in (f() if callable(f) else f).columns
    ]
    assert len(cases) == len(rows)
    for dimension in FILTERED:
        expected = Counter(_expected_label(dimension, r) for r in rows)
        assert Counter(cases[dimension.label]) == expected, dimension.name


@pytest.mark.parametrize(
    "dimension", [d for d in IMPORTED if d.imported.parse], ids=lambda d: d.name
)
def test_a_cell_a_dimension_does_not_know_is_reported_with_its_column(engine, dimension):
    """In a file of good rows, the one with a nonsense cell is refused with the
    dimension's Chinese column name and its reason; nothing is written."""
    spec = dimension.imported
    rows = _rows(random.Random(3), 30)
    rows[7][dimension.column] = "不知所云"
    add_platforms(engine, *PLATFORMS)
    header = {key: name for key, (name, _required) in COMPLAINT_COLUMNS.items()}
    data = csv_bytes([{header[k]: v for k, v in row.items()} for row in rows], header.values())
    with session_scope(engine) as session:
        report = import_complaints(session, data, "c.csv")
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(9, spec.header, spec.problem)]
    with session_scope(engine) as session:
        assert stats.total(session, Filters(statuses=None)) == 0


def test_the_recount_reads_only_indexed_columns():
    """A dimension's column joins the covering index, or recounts read the whole table."""
    read = {
        element.name
        for expression in select(*summary._SOURCE.values()).selected_columns
        for element in visitors.iterate(expression)
        if isinstance(element, Column)
    }
    (index,) = [i for i in Complaint.__table__.indexes if i.name == "ix_complaint_month_platform"]
    assert read <= {c.name for c in index.columns}
    assert {d.column for d in REGISTRY if d.summarised} <= read


def test_every_summarised_name_and_label_fits_the_summary_table():
    """summary_count keys rows by the dimension's name and its labels: each must fit its
    column (PostgreSQL refuses a longer value, SQLite would keep it silently)."""
    from models.store.tables import SummaryCount

    columns = SummaryCount.__table__.c
    for dimension in REGISTRY:
        if not dimension.summarised:
            continue
        assert len(dimension.name) <= columns.dimension.type.length, dimension.name
        labels = [*dimension.order, *(dimension.bands.groups if dimension.bands else ()), UNKNOWN]
        assert all(len(label) <= columns.value.type.length for label in labels), dimension.name
