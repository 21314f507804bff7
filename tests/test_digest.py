"""The weekly digest (`tousu digest`): its figures are the week's, its alerts detection's,
its text escaped and masked; the file written and the mail a real SMTP server receives
(aiosmtpd) carry the same digest. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import email
import re
from datetime import datetime
from email import policy
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from cli.main import main as tousu
from models.access.roles import CLI
from models.alerts import digest
from models.alerts.detect import When, detect
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from reports import digest as writer
from tests.browser import free_port
from tests.factories import add_complaints
from tests.test_alerts import RISE, alerts_db  # noqa: F401 (a fixture)

WEEK = When.parse("2026-W48")
HOSTILE = '<img src="https://evil.example/x.png">退款<script>alert(1)</script>'
PHONE = "13912345678"


@pytest.fixture(scope="module")
def db(alerts_db):  # noqa: F811 (the imported fixture, asked for by name)
    """The alerts' demo with its injected rise, and a new typical case of the week."""
    engine = get_engine(alerts_db)
    add_complaints(  # a new typical case of the week, its title hostile, its phone private
        engine,
        [
            {
                "platform": RISE[0],
                "submitted_at": "2026-11-29 23:00",
                "status": "已移交",
                "transferred_at": "2026-11-29 23:30",
                "complainant": "宫晓梅",
                "gender": "女",
                "province": "山东省",
                "phone": PHONE,
                "title": f"{HOSTILE} 电话{PHONE}",
                "typical": "是",
                "headline": f"{HOSTILE} 电话{PHONE}",
            }
        ],
    )
    return alerts_db


@pytest.fixture
def smtp():
    """A real SMTP server on loopback keeping what it receives."""
    received: list[tuple[list[str], bytes]] = []

    class Keep:
        async def handle_DATA(self, _server, _session, envelope):
            received.append((list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}", received
    controller.stop()


TEXT_TAGS = {"h1", "h2", "p", "table", "tr", "th", "td"}


def _tags(page: str) -> list[tuple[str, list]]:
    found: list[tuple[str, list]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Tags().feed(page)
    return found


def _built(url: str) -> digest.Digest:
    with session_scope(get_engine(url)) as session:
        return digest.build(session, CLI, WEEK)


def test_the_figures_are_the_weeks_and_the_alerts_detections(db):
    found = _built(db)
    with session_scope(get_engine(db)) as session:
        counted = session.scalar(
            select(func.count()).where(
                Complaint.status.in_(COUNTING_STATUSES),
                Complaint.submitted_at >= datetime(2026, 11, 23),
                Complaint.submitted_at < datetime(2026, 11, 30),
            )
        )
        rises = [a for a in detect(session, Filters(statuses=None), WEEK) if a.kind == "rise"]
    figures = {f.label: f for f in found.figures}
    assert figures["投诉量"].week == f"{counted:,}"
    assert found.alerts == rises and any(a.platform == RISE[0] for a in rises)
    assert found.month == When.parse("2026-10")  # November had a day left when it ended
    assert sum(found.queue.values()) > 0 and found.overdue <= sum(found.queue.values())
    assert found.cases and found.cases[0].title and PHONE not in found.cases[0].title


def test_the_html_is_escaped_masked_and_self_contained(db):
    page = writer.html(_built(db), "电诉宝")
    assert "<script" not in page and "<img" not in page  # the hostile title shown as text
    assert "&lt;script&gt;" in page
    tags = _tags(page)
    assert {t for t, _ in tags} <= {"html", "head", "meta", "title", "body"} | TEXT_TAGS
    attributes = {name for _t, attrs in tags for name, _v in attrs}
    assert attributes <= {"lang", "charset", "style"}  # nothing to fetch, nothing to run
    assert not any("url(" in (v or "") for _t, attrs in tags for _n, v in attrs)
    assert PHONE not in page and "宫晓梅" not in page and "山东省宫女士" in page


def test_the_file_and_the_mail_carry_the_same_digest(db, smtp, tmp_path, monkeypatch, capsys):
    url, received = smtp
    monkeypatch.setenv("TOUSU_DATABASE_URL", db)
    monkeypatch.setenv("TOUSU_SMTP_URL", url)
    monkeypatch.setenv("TOUSU_DIGEST_TO", "boss@example.org, deputy@example.org")
    monkeypatch.setenv("TOUSU_REPORT_ORG", "电诉宝")
    out = tmp_path / "digest.html"
    assert tousu(["digest", "--week", "2026-W48", "--output", str(out), "--send"]) == 0
    assert "已发送给 2 位收件人" in capsys.readouterr().out
    ((recipients, raw),) = received
    assert recipients == ["boss@example.org", "deputy@example.org"]
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == "消费投诉周报 · 2026年第48周（11月23日至11月29日）"
    html_part = mail.get_body(("html",)).get_content()
    assert html_part == out.read_text(encoding="utf-8")
    text_part = mail.get_body(("plain",)).get_content()
    assert "【消费预警】" in text_part and f"“{RISE[0]}”的“{RISE[2]}”投诉" in text_part
    assert not [p for p in mail.walk() if p.get_content_maintype() == "image"]
    assert PHONE.encode() not in raw


def test_without_a_mail_server_nothing_is_sent_and_it_says_why(db, monkeypatch, capsys):
    monkeypatch.setenv("TOUSU_DATABASE_URL", db)
    monkeypatch.delenv("TOUSU_SMTP_URL", raising=False)
    assert tousu(["digest", "--send"]) == 1
    assert "TOUSU_SMTP_URL" in capsys.readouterr().err
    monkeypatch.setenv("TOUSU_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody there
    monkeypatch.setenv("TOUSU_DIGEST_TO", "boss@example.org")
    assert tousu(["digest", "--week", "2026-W48", "--send"]) == 1
    assert "无法通过 127.0.0.1" in capsys.readouterr().err


def test_the_pdf_is_the_html_on_a4_with_chinese_fonts(db, tmp_path, monkeypatch):
    import zlib

    monkeypatch.setenv("TOUSU_DATABASE_URL", db)
    out = tmp_path / "digest.pdf"
    assert tousu(["digest", "--week", "2026-W48", "--output", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    streams = []
    for start in (m.end() for m in re.finditer(rb"stream\r?\n", data)):
        with contextlib.suppress(zlib.error):
            streams.append(zlib.decompress(data[start : data.find(b"endstream", start)]))
    inside = b"".join(streams) + data
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", inside)  # A4 in points
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9\-]+)", inside))
    assert any(b"CJK" in f for f in fonts), fonts  # the Chinese drawn, not boxes
