"""Every publication — sector report, 消费评级榜, 投诉榜, company report — for each kind of
period, written as the public sees it and read back from the documents, checked against a
second way of computing each figure: plain SQL over the complaints for counts, the
dashboard's yearly rating table (monthly summaries rolled up) for the ratings the list
takes from whole-period sums. On SQLite and PostgreSQL, over the demo data."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from cli.main import main as tousu
from models.access.policy import PUBLIC
from models.demo import generate_demo
from models.reads import publications as pub
from models.reads import ratings
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.rules.periods import Period, parse_code
from models.settings import get_settings
from models.store.db import dispose_engines, get_engine
from models.store.scope import scoped_session
from models.store.tables import Complaint, Platform
from reports import write_all as write_report
from reports.publish import convert, write_all
from tests.conftest import BACKENDS, module_database

PERIODS = tuple(parse_code(c) for c in ("2024", "2024H1", "2024Q3", "2024-07"))
TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    generate_demo(engine, complaints=1500, now=datetime(2026, 12, 6, 12))
    yield url, engine
    dispose_engines()


def _raw_counts(engine, first: date, last: date, **where) -> dict[str, int]:
    """Complaints per platform name counted with plain SQL (the public's statuses)."""
    stmt = (
        select(Platform.name, func.count())
        .select_from(Complaint)
        .join(Platform, Platform.id == Complaint.platform_id)
        .where(
            Complaint.status.in_(COUNTING_STATUSES),
            Complaint.submitted_at >= datetime.combine(first, datetime.min.time()),
            Complaint.submitted_at
            < datetime.combine(last + timedelta(days=1), datetime.min.time()),
        )
        .group_by(Platform.name)
    )
    if "sector" in where:
        stmt = stmt.where(Platform.sector == where["sector"])
    if "platform" in where:
        stmt = stmt.where(Platform.name == where["platform"])
    with engine.connect() as conn:
        return {name: n for name, n in conn.execute(stmt)}


def _busiest_sector(engine) -> str:
    stmt = (
        select(Platform.sector, func.count())
        .select_from(Complaint)
        .join(Platform, Platform.id == Complaint.platform_id)
        .where(
            Complaint.submitted_at >= datetime(2024, 1, 1),
            Complaint.submitted_at < datetime(2025, 1, 1),
        )
        .group_by(Platform.sector)
        .order_by(func.count().desc(), Platform.sector)
    )
    with engine.connect() as conn:
        return conn.execute(stmt).first()[0]


def _personal(engine) -> set[str]:
    """Full names, phones, emails, ID and order numbers held in the database."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Complaint.complainant,
                Complaint.phone,
                Complaint.email,
                Complaint.id_number,
                Complaint.order_number,
            )
        ).all()
    values = {v for row in rows for v in row[1:] if v}
    return values | {r[0] for r in rows if r[0] and not r[0].endswith(("女士", "先生"))}


def _tables(html: str) -> list[list[list[str]]]:
    return [b.rows for b in convert.blocks(html) if b.kind == "table"]


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.code)
def test_every_publication_of_a_period_matches_a_second_computation(demo, period):
    _url, engine = demo
    sector = _busiest_sector(engine)
    personal = _personal(engine)
    raw = _raw_counts(engine, period.first_day, period.last_day, sector=sector)
    assert raw, "the demo has complaints in every period tested"
    with scoped_session(engine, PUBLIC) as session:
        # 消费评级榜: whole-period sums (platform_inputs) against the yearly table's roll-up
        board = pub.rating_list(session, Filters(), sector, period, today=TODAY)
        yearly = ratings.year_table(session, Filters(sectors=(sector,)), period.year)
        lists = {
            "ratings": board,
            "leaderboard": pub.rank_list(session, Filters(), sector, period, today=TODAY),
        }
        top = max(raw, key=lambda n: (raw[n], n))
        company = pub.company_report(session, Filters(), top, period, today=TODAY)
        report = pub.period_report(session, Filters(), sector, period, today=TODAY)
        previous = period.previous()
        raw_before = _raw_counts(engine, previous.first_day, previous.last_day, sector=sector)
        sub = {p.label: p for p in [period, *_inside(period)]}
        by_sub = {
            label: {r.platform: r for r in ratings.period_ratings(session, Filters(), p)}
            for label, p in sub.items()
        }

    files = {kind: write_all(doc, ("html", "md", "docx")) for kind, doc in lists.items()}
    files["company"] = write_all(company, ("html", "md", "docx"))

    # 消费评级榜
    (table,) = _tables(files["ratings"]["html"].decode())
    head, *rows = table
    assert head == list(board.columns)
    assert head[: len(pub.BOARD_COLUMNS)] == list(pub.BOARD_COLUMNS)
    assert {r[1]: int(r[2]) for r in rows} == raw
    few = {name for name, n in raw.items() if n < get_settings().rating_min_complaints}
    assert (pub.SAMPLE_COLUMN in head) == bool(few)  # marked as pages mark them
    for row in rows:
        (same,) = [r for r in yearly[row[1]] if r.period == period]
        printed = same.report_row()
        assert row[3:8] == [printed[c] for c in pub.BOARD_COLUMNS[3:]], row
        if few:
            assert (row[8] == "样本较少") == (row[1] in few), row
    rated = [float(r[6]) for r in rows if r[0] != "—"]
    assert rated == sorted(rated, reverse=True)
    assert [r[0] for r in rows if r[0] != "—"] == [str(i) for i in range(1, len(rated) + 1)]

    # 投诉榜: counts, order and the movement against the period before
    (table,) = _tables(files["leaderboard"]["html"].decode())
    head, *rows = table
    assert head == list(pub.RANK_COLUMNS)
    expected = sorted(raw.items(), key=lambda item: (-item[1], item[0]))
    assert [(r[1], int(r[2])) for r in rows] == expected
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    for row in rows:
        assert row[4] == str(raw_before.get(row[1], 0))

    # company report: its count, its ratings period by period, distributions summing up
    html = files["company"]["html"].decode()
    assert f"用户有效投诉{raw[top]}件" in html
    tables = _tables(html)
    assert tables[0][0] == list(company.columns)
    assert len(tables[0]) - 1 == len(company.ratings) >= 1
    for row in tables[0][1:]:
        label = row[1].removesuffix("（统计中）")
        printed = by_sub[label][top].report_row()
        assert row == [printed[c] for c in company.columns]
    for distribution in tables[1:]:
        assert sum(int(r[1]) for r in distribution[1:]) == raw[top]

    # sector report of the period: its 投诉榜 is the raw order
    assert report.leaderboard == [name for name, _n in expected[:10]]
    assert period.title in report.title
    sector_md = write_report(report, ("md",))["md"].decode()

    for kind, made in files.items():
        text = made["md"].decode() + _docx_text(made["docx"])
        for cell in re.findall(r"<td>([^<]*)</td>", made["html"].decode()):
            assert cell in text, (kind, cell)  # every format says what the page says
        leaked = [v for v in personal if v in made["html"].decode() or v in text]
        assert leaked == [], kind
    assert [v for v in personal if v in sector_md] == []


def _inside(period: Period) -> list[Period]:
    from reports.publish.site import periods_within

    return [p for p in periods_within(period, TODAY) if p != period]


def test_pdf_is_a4_with_the_cjk_fonts_and_the_pages_words(demo):
    _url, engine = demo
    sector = _busiest_sector(engine)
    with scoped_session(engine, PUBLIC) as session:
        doc = pub.rank_list(session, Filters(), sector, PERIODS[2], today=TODAY)
    data = write_all(doc, ("pdf",))["pdf"]
    assert data.startswith(b"%PDF-")
    plain = data + b"".join(_streams(data))  # objects may sit in compressed streams
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", plain)  # A4 in points
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+Noto-S(ans|erif)-CJK-SC", plain)  # embedded


def _streams(data: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(match.group(1)))
    return out


@pytest.mark.parametrize("kind", pub.KINDS)
def test_tousu_report_writes_each_kind(demo, kind, tmp_path, capsys, monkeypatch):
    url, engine = demo
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    sector = _busiest_sector(engine)
    raw = _raw_counts(engine, date(2024, 7, 1), date(2024, 9, 30), sector=sector)
    top = max(raw, key=lambda n: (raw[n], n))
    subject = ["--platform", top] if kind == "company" else ["--sector", sector]
    out = tmp_path / "out.md"
    args = ["report", "--kind", kind, *subject, "--period", "2024Q3", "--output", str(out)]
    code = tousu(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "2024年第三季度" in out.read_text("utf-8")
    assert tousu([*args[:-2], "--year", "2024", "--output", str(out)]) == 1  # one or the other
    assert "二者选一" in capsys.readouterr().err
