"""Every string a reader meets on the dashboard is Chinese: a scan of each page's rendered
text (titles, text, captions, notices, metric labels, widget labels and placeholders, table
headers and cells) for English words outside the data (platform names and the like)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.demo import generate_demo
from models.store.db import get_engine, session_scope
from models.store.tables import Platform
from tests.dashboard_helpers import PAGES, app, errors, open_page

#: ASCII words a Chinese reader meets in Chinese reports too: file formats, units, TOP10.
ALLOWED = {
    "CSV",
    "Excel",
    "XLSX",
    "PNG",
    "TOP",
    "Tousu",
    "tousu",
    "HTML",
    "DOCX",
    "Word",
    "Markdown",
}
TEXT_ELEMENTS = (
    "title", "header", "subheader", "markdown", "caption", "text", "info", "warning",
    "success", "error", "toast",
)  # fmt: skip
WIDGETS = (
    "selectbox", "multiselect", "text_input", "text_area", "number_input", "date_input",
    "time_input", "radio", "checkbox", "toggle", "button", "slider", "select_slider",
)  # fmt: skip


@pytest.fixture
def demo(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    engine = get_engine(sqlite_url)
    generate_demo(engine, complaints=3000, seed=11)
    with session_scope(engine) as session:
        names = session.execute(select(Platform.name, Platform.sector)).all()
    return {part for row in names for part in row}


def visible_texts(at) -> list[str]:
    """What the page shows as text: elements, metric labels, widget labels, placeholders,
    options (formatted), and table headers and cells."""
    texts: list[str] = []
    for kind in TEXT_ELEMENTS:
        texts += [str(e.value) for e in at.get(kind)]
    texts += [f"{m.label} {m.value} {m.proto.delta}" for m in at.metric]
    for kind in WIDGETS:
        for widget in at.get(kind):
            texts.append(widget.label)
            texts.append(getattr(widget.proto, "placeholder", ""))
            texts += [str(o) for o in getattr(widget, "options", [])]
    texts += [tab.label for tab in at.tabs]
    for frame in at.dataframe:
        value = frame.value
        texts += [str(c) for c in value.columns]
        texts += [str(v) for v in value.astype(object).to_numpy().ravel()]
    return texts


def english_words(text: str, data: set[str]) -> set[str]:
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(
        r"<[^>]+>|\]\([^)]*\)|:[a-z]+(?:-[a-z]+)?\[|:material/\w+:", " ", text
    )  # markup (:gray-badge[)
    text = re.sub(r"https?://\S+", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}


def unset_placeholders(at) -> list[str]:
    """Choice widgets without a placeholder: the browser shows "Choose an option" there."""
    return [
        w.label for kind in ("selectbox", "multiselect") for w in at.get(kind) if not w.placeholder
    ]


@pytest.mark.parametrize("query", [{}, {"period": "2024"}], ids=["all", "2024"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_only_chinese_outside_the_data(demo, page, query):
    at = open_page(app(**query), page)
    assert errors(at) == []
    assert unset_placeholders(at) == []
    found = {}
    for text in visible_texts(at):
        words = english_words(text, demo)
        if words:
            found[text[:80]] = words
    assert not found, found


ADMIN_PAGES = [
    "replies",
    "scores",
    "review",
    "imports",
    "platforms",
    "users",
    "shares",
    "audit_log",
]


def test_staff_pages_show_only_chinese_outside_the_data(demo, monkeypatch):
    from models.access import users
    from models.access.roles import CLI
    from models.settings import get_settings

    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS")
    with session_scope(get_engine(get_settings().database_url)) as session:
        users.add_user(session, CLI, "boss", "admin", "correct-horse-battery")
    at = app()
    at.text_input(key="lg_user").input("boss")
    at.text_input(key="lg_password").input("correct-horse-battery")
    at.button[0].click().run()
    data = demo | {"boss", "cli"}  # the account's name, the command line as actor
    for page in ADMIN_PAGES:
        at.switch_page(f"../admin/views/{page}.py")
        at.run()
        assert errors(at) == [], page
        assert unset_placeholders(at) == [], page
        found = {t[:80]: w for t in visible_texts(at) if (w := english_words(t, data))}
        assert not found, (page, found)
