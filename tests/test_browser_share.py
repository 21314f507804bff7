"""Share links and the public board in headless Chromium: no personal data anywhere.

Every path a non-staff reader has — each page's HTML, a case's own URL, a search, every
websocket message the server sends, the CSV, Excel and PNG downloads — is checked for the
personal data typed into the complaints' free text, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models.access import sharing
from models.access.roles import CLI
from models.demo import generate_demo
from models.store.db import dispose_engines, get_engine, session_scope
from models.store.tables import Complaint
from tests.browser import (
    ARTIFACTS,
    LOCAL_PREFIXES,
    choose_download,
    streamlit_server,
    wait_idle,
)
from tests.conftest import module_database
from tests.dashboard_helpers import PAGES
from tests.factories import add_complaints

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

# Personal data as people type it, and the forms it must never take on a page.
TYPED = [
    {
        "platform": "分期乐",
        "submitted_at": f"2024-0{m}-15 10:00",
        "province": "广东省",
        "gender": "女",
        "complainant": f"黄丽华{m}",
        "phone": f"1380013800{m}",
        "email": f"huang{m}@example.org",
        "id_number": f"44010619900101123{m}",
        "order_number": f"DD2024061500{m}",
        "title": f"黄丽华{m}投诉分期乐暴力催收，回电1380013800{m}",
        "content": (
            f"我是黄丽华{m}，手机 １３８-００１３-８００{m}，身份证44010619900101123{m}，"
            f"订单号DD2024061500{m}，邮箱 huang{m}@example.org，微信 huanglihua_{m}，"
            f"卡号6222 0212 3456 7890 128。2024年5月19日15点44分被扣款5000元。"
        ),
        "demand": f"请致电黄丽华{m}：+86 138 0013 800{m}",
        "transferred_at": f"2024-0{m}-15 12:00",
        "replied_at": f"2024-0{m}-16 12:00",
        "reply": f"黄丽华{m}您好，已电话1380013800{m}联系",
    }
    for m in range(1, 4)
]


def _secrets() -> set[str]:
    values: set[str] = {"6222 0212 3456 7890 128", "6222021234567890128"}
    for row in TYPED:
        m = row["complainant"][-1]
        values |= {
            row["complainant"],
            row["phone"],
            f"138-0013-800{m}",
            f"１３８-００１３-８００{m}",
            f"138 0013 800{m}",
            row["email"],
            row["id_number"],
            row["order_number"],
            f"huanglihua_{m}",
        }
    return values


SECRETS = _secrets()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"share-{request.param}")
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    generate_demo(engine, complaints=2000, seed=8)
    add_complaints(engine, TYPED)
    with session_scope(engine) as session:
        made = {
            name: sharing.create_link(
                session,
                CLI,
                label=f"金融科技报道{name}",
                sectors=["金融科技"],
                date_from=date(2024, 1, 1),
                date_to=date(2024, 12, 31),
                downloads=downloads,
            )[1]
            for name, downloads in (("open", True), ("closed", False))
        }
        made["visits"] = sharing.create_link(session, CLI, label="访问计数")[1]
        made["spring"] = sharing.create_link(
            session,
            CLI,
            label="金融科技春季",
            sectors=["金融科技"],
            date_from=date(2024, 3, 1),
            date_to=date(2024, 5, 31),
        )[1]
        case_id = session.scalar(select(Complaint.id).where(Complaint.complainant == "黄丽华2"))
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_STATE_DIR": str(folder / "state"),
        "TOUSU_PUBLIC_DASHBOARDS": "1",  # the public board too
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dispose_engines()
    with streamlit_server(env) as base:
        yield {
            "base": base,
            "tokens": made,
            "case": case_id,
            "backend": request.param,
            "url": url,
        }


class Tap:
    """A browser tab that records every websocket message and every request it makes."""

    def __init__(self, browser):
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        self.tab = self.context.new_page()
        self.frames: list[bytes] = []
        self.requests: list[str] = []
        self.tab.on("request", lambda r: self.requests.append(r.url))
        self.tab.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        def keep(payload) -> None:
            self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

        ws.on("framereceived", keep)

    def open(self, url: str) -> str:
        self.tab.goto(url)
        wait_idle(self.tab)
        self.tab.wait_for_timeout(500)
        return self.tab.content()

    def leaks(self, text: str | bytes) -> list[str]:
        if isinstance(text, bytes):
            return [s for s in SECRETS if s.encode() in text]
        return [s for s in SECRETS if s in text]

    def download(self, button: str) -> bytes:
        return Path(choose_download(self.tab, button).path()).read_bytes()


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_share_link_and_public_board_hold_no_personal_data(site, browser):
    base, token = site["base"], site["tokens"]["open"]
    tap = Tap(browser)
    for prefix in (f"?share={token}&", "?"):  # the share link, then the public board
        for page in PAGES:
            path = "" if page == "overview" else page
            html = tap.open(f"{base}/{path}{prefix}period=2024")
            assert tap.leaks(html) == [], (prefix, page)
        # a case's own URL: the complaint in full, scrubbed
        html = tap.open(f"{base}/cases{prefix}case={site['case']}")
        body = tap.tab.inner_text("body")
        assert tap.leaks(html) == []
        assert "我是黄女士，手机 [电话已隐去]" in body and "被扣款5000元" in body, body[-800:]
        assert "2024年5月19日15点44分" in body and "[银行卡号已隐去]" in body
    tap.tab.screenshot(path=ARTIFACTS / "screenshots" / f"shared-case-{site['backend']}.png")

    # downloads of the share link: the case list as CSV and Excel, a chart as PNG
    tap.open(f"{base}/cases?share={token}&period=2024&typical=false&q=暴力催收")
    csv_text = tap.download("下载 CSV").decode("utf-8-sig")
    assert "广东省黄女士" in csv_text and "黄女士投诉分期乐暴力催收" in csv_text
    assert tap.leaks(csv_text) == []
    assert tap.leaks(_xlsx_text(tap.download("下载 Excel"))) == []
    tap.open(f"{base}/?share={token}&period=2024")
    png = tap.download("下载图片 PNG")
    assert png.startswith(b"\x89PNG") and tap.leaks(png) == []

    assert tap.frames, "no websocket messages were recorded"
    assert [s for frame in tap.frames for s in tap.leaks(frame)] == []
    assert [u for u in tap.requests if not u.startswith(LOCAL_PREFIXES)] == []
    tap.context.close()

    # personal data cannot be searched for (a new tab: the search words echo in its messages)
    searcher = Tap(browser)
    for prefix in (f"?share={token}&", "?"):
        for word in ("13800138002", "黄丽华2", "huang2"):
            searcher.open(f"{base}/cases{prefix}period=all&typical=false&q={word}")
            assert "没有找到符合条件的投诉" in searcher.tab.inner_text("body"), word
        searcher.open(f"{base}/cases{prefix}period=all&typical=false&q=暴力催收 5000元")
        assert "共 3 件" in searcher.tab.inner_text("body")  # the grid itself is a canvas
    searcher.context.close()


def _toolbar_shown(tap: Tap) -> bool:
    """Whether hovering the first table shows Streamlit's own toolbar (download, search)."""
    tap.tab.get_by_test_id("stDataFrame").first.hover()
    tap.tab.wait_for_timeout(400)
    toolbars = tap.tab.get_by_test_id("stElementToolbar")
    return any(toolbars.nth(i).is_visible() for i in range(toolbars.count()))


def test_a_link_without_downloads_offers_no_download_path(site, browser):
    base = site["base"]
    tap = Tap(browser)
    tap.open(f"{base}/cases?share={site['tokens']['open']}&period=2024&typical=false")
    assert _toolbar_shown(tap)  # the control: an ordinary link has the toolbar
    for page in ("", "cases"):
        tap.open(f"{base}/{page}?share={site['tokens']['closed']}&period=2024")
        assert "不提供下载" in tap.tab.inner_text("body")
        assert tap.tab.get_by_role("button", name="下载", exact=True).count() == 0
        assert not _toolbar_shown(tap), page
    tap.context.close()


def test_editing_the_shared_url_does_not_widen_it(site, browser):
    base, token = site["base"], site["tokens"]["open"]
    tap = Tap(browser)
    tap.open(f"{base}/leaderboard?share={token}&sector=零售电商&period=all&platform=淘宝")
    body = tap.tab.inner_text("body")
    assert "零售电商" not in body.split("投诉榜", 1)[-1]
    assert "淘宝" not in body
    tap.context.close()


@pytest.mark.parametrize("token", ["not-a-token", "A" * 32, ""])
def test_bad_links_show_the_invalid_page(site, browser, token):
    tap = Tap(browser)
    tap.open(f"{site['base']}/?share={token}")
    title = tap.tab.locator("h1").first.inner_text()
    assert title in ("链接无效或已过期", "总览")  # an empty token is the public board
    if title == "链接无效或已过期":
        assert tap.tab.get_by_test_id("stMetricValue").count() == 0
    tap.context.close()


PERIOD_CELL = re.compile(r"^\| 2024年 \| ([^|]+) \|", re.M)


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_date_limited_link_reports_only_its_dates(site, browser):
    """报告 under a link for March–May 2024: rating rows, preview and every download hold
    only periods inside the link (no 全年, no quarter, no month outside it)."""
    tap = Tap(browser)
    tap.open(f"{site['base']}/report?share={site['tokens']['spring']}")
    tap.tab.get_by_role("button", name="生成报告").click()
    wait_idle(tap.tab)
    tap.tab.get_by_role("button", name="下载 Markdown").wait_for(timeout=60_000)
    # st.iframe's frame holds the report in a frame of its own, sandboxed
    preview = tap.tab.frame_locator("iframe").first.frame_locator("iframe").locator("body")
    preview = preview.inner_text()
    md = tap.download("下载 Markdown").decode("utf-8")
    html = tap.download("下载 HTML").decode("utf-8")
    docx = _docx_text(tap.download("下载 Word（DOCX）"))
    periods = set(PERIOD_CELL.findall(md))
    assert periods and periods <= {"3月", "4月", "5月"}, periods
    for text in (preview, md, html, docx):
        flat = re.sub(r"<[^>]+>|[\s|]", "", text)
        assert "统计范围：2024年3月1日至5月31日" in flat
        for outside in ("全年", "第一季度", "第二季度", "上半年", "2月", "6月", "12月"):
            assert f"2024年{outside}" not in flat, outside
    tap.tab.screenshot(path=ARTIFACTS / "screenshots" / f"report-spring-{site['backend']}.png")
    tap.context.close()


def _options(tab, label: str) -> list[str]:
    """The choices a sidebar select box offers (opened, read, closed)."""
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text=label).click()
    options = tab.get_by_role("option").all_inner_texts()
    tab.keyboard.press("Escape")
    return options


def test_inside_a_link_the_sidebar_and_titles_say_the_links_scope(site, browser):
    """Under the March–May 2024 金融科技 link: the sidebar names the link's sector and
    platforms instead of 全部赛道/全部平台, offers only periods inside March–May (no 2024年,
    no quarter, no half), opens on all the link shows, and the title line says it."""
    tap = Tap(browser)
    tap.open(f"{site['base']}/?share={site['tokens']['spring']}")
    tab = tap.tab
    sidebar = tab.get_by_test_id("stSidebar")
    shown = sidebar.locator("input[placeholder]").evaluate_all("es => es.map(e => e.placeholder)")
    sector, platform = shown[:2]  # what an empty choice says it means
    assert sector == "金融科技", shown
    assert re.fullmatch(r"\S+等\d+个平台", platform), platform  # the link's own platforms
    assert "全部赛道" not in shown and "全部平台" not in shown
    kinds = sidebar.get_by_test_id("stRadio").first.inner_text().split()
    assert kinds == ["时间", "全部", "月", "自定义"], kinds
    caption = tab.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    assert caption.inner_text().startswith("2024-03-01 至 2024-05-31 · 金融科技 · "), caption
    sidebar.get_by_text("月", exact=True).click()
    wait_idle(tab)
    assert _options(tab, "期间") == ["2024年5月", "2024年4月", "2024年3月"]
    assert caption.inner_text().startswith("2024年5月 · 金融科技 · ")

    # the year-long link opens on its year, and offers no other
    tap.open(f"{site['base']}/?share={site['tokens']['open']}")
    assert _options(tab, "期间") == ["2024年"]
    assert caption.inner_text().startswith("2024年 · 金融科技 · ")
    tap.context.close()


def test_one_browser_session_is_one_visit(site, browser):
    """A journalist opening pages by their addresses, reloading and opening a second tab
    is one visit; another browser is another."""
    base, token = site["base"], site["tokens"]["visits"]

    def views() -> int:
        with session_scope(get_engine(site["url"])) as session:
            links = sharing.list_links(session, CLI)
        return next(link.views for link in links if link.label == "访问计数")

    journalist = browser.new_context()
    tab = journalist.new_page()
    for path in ("", "regions", "cases", "leaderboard"):
        tab.goto(f"{base}/{path}?share={token}")
        wait_idle(tab)
        # the page's script has set the marker (at once for a reader; a loaded machine lags)
        tab.wait_for_function("() => document.cookie.includes('tousu_share_seen=')")
    tab.reload()
    wait_idle(tab)
    second = journalist.new_page()
    second.goto(f"{base}/demographics?share={token}")
    wait_idle(second)
    assert views() == 1
    other = browser.new_context()
    elsewhere = other.new_page()
    elsewhere.goto(f"{base}/?share={token}")
    wait_idle(elsewhere)
    assert views() == 2
    journalist.close()
    other.close()
