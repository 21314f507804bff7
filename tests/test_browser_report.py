"""The report's HTML in headless Chromium: hostile case text runs nothing and fetches
nothing — escaped as text, and, were it not, stopped by the file's Content-Security-Policy
(a copy with the same markup pasted in unescaped) and, in the 报告 page's preview, by a
frame sandboxed with no permission."""

from __future__ import annotations

from html import escape

import pytest

from models.reads.report import sector_report
from models.rules.filters import Filters
from models.store import schema
from models.store.db import dispose_engines, get_engine, session_scope
from reports import write
from reports.html import CSP, framed
from tests.factories import add_complaints, add_platforms

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

# Each would run a script, open a dialog or fetch from outside if it were markup.
HOSTILE = (
    "<script>window.pwned = 'script'; alert(1)</script>"
    "<img src=x onerror=\"window.pwned = 'onerror'\">"
    "<img src=http://evil.test/i.png>"
    "<link rel=stylesheet href=http://evil.test/s.css>"
    "<style>@import url(http://evil.test/i.css); body { background: url(http://evil.test/b.png) }"
    " @font-face { font-family: x; src: url(http://evil.test/f.woff) } p { font-family: x }</style>"
    "<div style=\"background-image: url('http://evil.test/d.png')\">背景</div>"
    "<iframe src=http://evil.test/frame></iframe>"
    "<object data=http://evil.test/o.swf></object>"
    "<svg onload=\"window.pwned = 'svg'\"></svg>"
    "<form action=http://evil.test/f><button id=send>提交</button></form>"
    "<base href=http://evil.test/>"
)

SHORT = HOSTILE[: HOSTILE.index("<img src=http")]  # for the one-line fields (titles)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> str:
    """A 社交电商 report whose typical case, reply and intro carry HOSTILE."""
    url = f"sqlite:///{tmp_path_factory.mktemp('csp') / 'tousu.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    add_platforms(engine, ("云集", "社交电商", True))
    add_complaints(
        engine,
        [
            {
                "external_id": "X1",
                "platform": "云集",
                "submitted_at": "2024-05-10 09:00",
                "title": f"标题{SHORT}",
                "content": f"内容{HOSTILE}",
                "typical": "是",
                "headline": f"案例{SHORT}",
                "replied_at": "2024-05-11 09:00",
                "reply": f"回复{HOSTILE}",
            },
            {"external_id": "X2", "platform": "云集", "submitted_at": "2024-06-10 09:00"},
        ],
    )
    with session_scope(engine) as session:
        report = sector_report(session, Filters(), "社交电商", 2024, intro=f"开头{HOSTILE}")
    dispose_engines()
    return write(report, "html").decode("utf-8")


class Reader:
    """A Chromium tab that records what reached the network (only file: and data: are let
    through), what the policy refused, dialogs, and the policy's console reports."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1000, "height": 1400})
        self.page = self.context.new_page()
        self.sent: list[str] = []  # requests that left the page for the network
        self.refused: list[str] = []  # requests the page's policy stopped before that
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.context.route("**/*", self._network)
        self.page.on(
            "requestfailed",
            lambda r: self.refused.append(r.url) if r.failure == "csp" else None,
        )
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on(
            "console",
            lambda m: (
                self.violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )

    def _network(self, route) -> None:
        url = route.request.url
        self.sent.append(url)
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    def open(self, path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_timeout(500)

    def outside(self) -> list[str]:
        return [u for u in self.sent if not u.startswith(("file:", "data:"))]

    def pwned(self) -> list:
        """window.pwned in every frame (a script that ran sets it)."""
        return [f.evaluate("window.pwned") for f in self.page.frames if f.evaluate("window.pwned")]

    def close(self) -> None:
        self.context.close()


def test_hostile_case_text_is_text_and_the_report_needs_nothing_its_policy_forbids(
    browser, report_html, tmp_path
):
    path = tmp_path / "report.html"
    path.write_text(report_html, encoding="utf-8")
    reader = Reader(browser)
    reader.open(path)
    page = reader.page
    assert (
        page.evaluate("document.head.firstElementChild.outerHTML")
        == f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    )
    body = page.inner_text("body")
    assert "<script>window.pwned" in body and "<img src=x onerror" in body  # shown as typed
    assert reader.pwned() == [] and reader.dialogs == [] and reader.outside() == []
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.src.slice(0, 5), i.naturalWidth])"
    )
    assert images and all(src == "data:" and width > 0 for src, width in images)  # charts drawn
    assert reader.violations == []  # the report itself asks for nothing the policy forbids
    reader.close()


def test_the_policy_alone_stops_markup_that_escaped_escaping(browser, report_html, tmp_path):
    """As if a text were ever written unescaped: the same markup, pasted into the body."""
    path = tmp_path / "injected.html"
    path.write_text(report_html.replace("<body>", f"<body>{HOSTILE}", 1), encoding="utf-8")
    reader = Reader(browser)
    reader.open(path)
    assert reader.pwned() == [] and reader.dialogs == [] and reader.outside() == []
    # The policy, not luck, refused them: every outside address, and the scripts.
    assert {u for u in reader.refused if "evil.test" in u} >= {
        f"http://evil.test/{name}" for name in ("i.png", "s.css", "i.css", "b.png", "d.png")
    }
    assert any("inline script" in v for v in reader.violations)
    reader.page.click("#send", no_wait_after=True)  # a form may not post anywhere either
    reader.page.wait_for_timeout(300)
    assert reader.page.url == path.as_uri() and reader.outside() == []
    reader.close()


def test_the_preview_frame_is_sandboxed_as_the_report_page_shows_it(browser, report_html, tmp_path):
    """The 报告 page's preview: framed() inside a frame like st.iframe's (scripts and
    same-origin allowed), with the markup pasted in unescaped: still nothing runs."""
    injected = report_html.replace("<body>", f"<body>{HOSTILE}", 1)
    streamlit_frame = (
        "allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox "
        "allow-same-origin allow-scripts allow-downloads"
    )
    path = tmp_path / "app.html"
    path.write_text(
        f'<!DOCTYPE html><html><body><iframe sandbox="{streamlit_frame}" '
        f'style="width:900px;height:900px" srcdoc="{escape(framed(injected))}"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    reader = Reader(browser)
    reader.open(path)
    inner = reader.page.frame_locator("iframe").frame_locator("iframe")
    assert inner.locator("h1").inner_text() == "2024年中国社交电商投诉数据与典型案例报告"
    assert reader.page.frame_locator("iframe").locator("iframe").get_attribute("sandbox") == ""
    assert reader.pwned() == [] and reader.dialogs == [] and reader.outside() == []
    reader.close()
