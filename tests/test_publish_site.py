"""`tousu publish`: the static site of the demo data, crawled in headless Chromium from a
plain HTTP server — every link resolves, nothing is fetched from outside, no personal datum
appears — then published again: unchanged publications are the same files, new data
rewrites only what it changes, and a build that fails half-way leaves the site served whole.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import threading
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import main as tousu
from cli.publish import Bar
from models.demo import generate_demo
from models.rules.periods import parse_code
from models.rules.privacy import scrub
from models.store.db import dispose_engines, get_engine
from reports.publish import site
from tests.factories import add_complaints
from tests.test_publications import _personal, _raw_counts

pytestmark = pytest.mark.browser
PORT = 8620  # this helper's ports: 8620-8629
SECTORS = ("社交电商", "金融科技")
PERIOD = "2024Q3"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def published(tmp_path_factory, sqlite_template):
    """The demo's 2024Q3 publications of two sectors, by `tousu publish`, served on PORT."""
    root = tmp_path_factory.mktemp("publish")
    path = root / "tousu.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    generate_demo(engine, complaints=2000, now=datetime(2026, 12, 6, 12))
    out = root / "www" / "site"
    out.parent.mkdir()
    mp = pytest.MonkeyPatch()
    mp.setenv("TOUSU_DATABASE_URL", url)
    # The server serves the symlink: each request resolves it, as nginx does.
    server = ThreadingHTTPServer(("127.0.0.1", PORT), partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield engine, out
    server.shutdown()
    server.server_close()
    mp.undo()
    dispose_engines()


def _publish(out: Path, capsys) -> tuple[str, str]:
    args = ["publish", "--period", PERIOD, "--output", str(out), "--top", "2"]
    for sector in SECTORS:
        args += ["--sector", sector]
    code = tousu(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out, captured.err


def _inodes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_ino
        for p in folder.rglob("*")
        if p.is_file() and p.name not in ("index.html", site.MANIFEST)
    }


def test_the_site_is_crawled_whole_with_nothing_outside_and_nothing_personal(
    published, browser, capsys
):
    engine, out = published
    said, progress = _publish(out, capsys)
    assert "已发布" in said and re.search(r"\[#+\] \d+/\d+ 完成", progress)  # the bar
    personal = _personal(engine)
    base = f"http://127.0.0.1:{PORT}/"
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    pages, files, queue = set(), set(), [base + "index.html"]
    while queue:
        url = queue.pop()
        if url in pages:
            continue
        pages.add(url)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        text = page.inner_text("body")
        assert [v for v in personal if v in text] == [], url
        # each paragraph and cell as the scrubber reads a text (tabs join cells here)
        assert [t for t in re.split(r"[\t\n]", text) if scrub(t) != t] == [], url
        assert page.locator("script").count() == 0, url
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = href.split("#")[0]
            assert target.startswith(base), href  # links stay on the site
            if target.endswith(".html"):
                queue.append(target)
            else:
                files.add(target)
    for url in files:
        response = context.request.get(url)
        assert response.status == 200, url
        assert len(response.body()) > 1000, url
    context.close()
    assert outside == []
    # every publication is linked: each file of the site was reached
    served = out.resolve()
    reached = {unquote(urlsplit(u).path).lstrip("/") for u in pages | files}
    on_disk = {str(p.relative_to(served)) for p in served.rglob("*") if p.suffix != ".json"}
    assert on_disk - {p for p in on_disk if (served / p).is_dir()} == reached
    kinds = {p.rsplit("/", 1)[-1] for p in reached}
    assert {"report.html", "report.pdf", "report.docx", "ratings.html", "leaderboard.html"} <= kinds
    assert any("/company/" in p and p.endswith(".pdf") for p in reached)
    for sector in SECTORS:  # a 消费评级榜 and a 投诉榜 for every period with complaints
        for period in site.periods_within(parse_code(PERIOD), datetime(2026, 12, 6).date()):
            if _raw_counts(engine, period.first_day, period.last_day, sector=sector):
                assert f"{sector}/{period.code}/ratings.html" in reached
                assert f"{sector}/{period.code}/leaderboard.html" in reached


def test_publishing_again_rewrites_only_what_changed(published, capsys):
    engine, out = published
    _publish(out, capsys)
    first = out.resolve()
    said, _ = _publish(out, capsys)
    second = out.resolve()
    assert second != first
    assert "新写入 0 个文件" in said
    assert _inodes(first) == _inodes(second)  # the same files, linked

    # one new complaint in one sector in August: only that sector's pages of August, the
    # quarter and its reports can change; the other sector's files stay the same files
    add_complaints(
        engine,
        [
            {
                "external_id": "NEW-1",
                "platform": _platform_of(engine, SECTORS[0]),
                "submitted_at": "2024-08-15 10:00",
                "problem_type": "退款问题",
            }
        ],
    )
    _publish(out, capsys)
    third = out.resolve()
    before, after = _inodes(second), _inodes(third)
    assert set(after) >= set(before)
    changed = {p for p in after if before.get(p) != after[p]}
    assert changed, "the new complaint shows"
    assert all(p.startswith(f"{SECTORS[0]}/") for p in changed), changed
    assert f"{SECTORS[0]}/2024-08/leaderboard.html" in changed
    assert f"{SECTORS[0]}/2024-07/leaderboard.html" not in changed
    assert not os.path.exists(first)  # older builds are removed, the last two kept


def _platform_of(engine, sector: str) -> str:
    from sqlalchemy import select

    from models.store.tables import Platform

    with engine.connect() as conn:
        return conn.execute(
            select(Platform.name).where(Platform.sector == sector).order_by(Platform.name)
        ).first()[0]


def test_a_build_that_fails_half_way_leaves_the_site_served_whole(published, capsys, monkeypatch):
    import urllib.request

    _engine, out = published
    _publish(out, capsys)
    served = out.resolve()
    index = (served / "index.html").read_bytes()
    builds = set(served.parent.iterdir())
    calls = []

    def failing(self, item, files):
        calls.append(item.path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, item, files)

    real = site._Writer.write
    monkeypatch.setattr(site._Writer, "write", failing)
    monkeypatch.setattr(site, "_code_version", lambda: "changed")  # everything re-rendered
    code = tousu(["publish", "--period", PERIOD, "--output", str(out), "--sector", SECTORS[0]])
    assert code != 0
    assert "发布失败，原站点保持不变：No space left" in capsys.readouterr().err
    assert len(calls) == 3
    assert out.resolve() == served
    assert set(served.parent.iterdir()) == builds  # the half-written build is gone
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/index.html") as response:
        assert response.read() == index
    assert html.unescape(index.decode()).count("消费评级榜") > 0


def test_deploys_nginx_serves_the_site_beside_the_dashboard(published, capsys, tmp_path):
    """deploy/nginx.conf as shipped (only its port and the site's folder changed)."""
    import shutil as sh
    import urllib.request
    from urllib.parse import quote

    from benchmarks.proxy import nginx

    if not sh.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is needed for this test: apt-get install nginx-light")
    _engine, out = published
    _publish(out, capsys)
    served = out.resolve()
    wanted = {
        "index.html": "text/html; charset=utf-8",
        next(str(p.relative_to(served)) for p in served.rglob("report.pdf")): "application/pdf",
        next(str(p.relative_to(served)) for p in served.rglob("report.docx")): (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
    }
    with nginx(tmp_path / "nginx", ["http://127.0.0.1:9"], PORT + 1, site=out) as base:
        for path, kind in wanted.items():
            with urllib.request.urlopen(f"{base}/publications/{quote(path)}") as response:
                assert response.headers["Content-Type"] == kind, path
                assert "default-src 'none'" in response.headers["Content-Security-Policy"]
                assert response.read() == (served / path).read_bytes()


def test_a_second_publish_at_the_same_time_is_refused(published, capsys):
    """Two builds at once: the second would prune the first's folder as an old build."""
    import fcntl

    _engine, out = published
    _publish(out, capsys)
    served = out.resolve()
    builds = out.parent / f".{out.name}.builds"
    with open(builds / site.LOCK, "w") as held:  # a build in progress holds this
        fcntl.flock(held, fcntl.LOCK_EX)
        code = tousu(["publish", "--period", PERIOD, "--output", str(out), "--sector", SECTORS[0]])
    assert code == 1
    assert "另一个 tousu publish 正在写入该站点" in capsys.readouterr().err
    assert out.resolve() == served
    assert {p.name for p in builds.iterdir()} >= {served.name, site.LOCK}


@given(total=st.integers(0, 3000), tty=st.booleans())
@settings(max_examples=60, deadline=None)
def test_the_progress_bar_writes_a_line_per_tenth_without_a_terminal(total, tty):
    """Without a terminal (a log, a CI job) the bar writes at most eleven lines whatever the
    number of publications, the last one always; on a terminal it redraws every step."""
    stream = io.StringIO()
    stream.isatty = lambda: tty  # the one property of a stream the bar asks about
    bar = Bar(stream)
    for done in range(total + 1):
        bar(done, total, "出版物")
    out = stream.getvalue()
    last = f"{total}/{total} 出版物"
    if tty:
        assert out.count("\r") == total + 1 and out.endswith(last + "\n")
    else:
        lines = out.splitlines()
        assert 1 <= len(lines) <= 11 and lines[-1].endswith(last)
        shown = [int(line.split("] ")[1].split("/")[0]) for line in lines]
        assert shown == sorted(set(shown))  # each step at most once, in order
