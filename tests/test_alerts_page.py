"""The 预警 page in AppTest: who may open it, and what it shows is what detection finds.

Demo complaints with an injected rise (tests/test_alerts.py's), the clock pinned to the
Sunday the rise's second week ends.
"""

from __future__ import annotations

import shutil
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from models import clock
from models.access import users
from models.access.roles import CLI
from models.alerts.detect import When, detect
from models.demo import generate_demo
from models.rules.filters import Filters
from models.store.db import dispose_engines, get_engine, session_scope
from tests.dashboard_helpers import app, errors
from tests.factories import add_complaints
from tests.test_alerts import NOW, RISE, _injected

PASSWORD = "correct-horse-battery"
TODAY = date(2026, 11, 30)  # the Monday after the rise's weeks (W47, W48)


@pytest.fixture(scope="module")
def template(tmp_path_factory, sqlite_template) -> str:
    path = tmp_path_factory.mktemp("alerts_page") / "tousu.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    generate_demo(engine, complaints=6000, years=3, now=NOW)
    add_complaints(engine, _injected())
    with session_scope(engine) as session:
        for name, role in (("boss", "viewer"), ("clerk", "staff"), ("pdd", "platform")):
            platforms = ("拼多多",) if role == "platform" else ()
            users.add_user(session, CLI, name, role, PASSWORD, platforms=platforms)
    dispose_engines()
    return str(path)


@pytest.fixture
def site(template, tmp_path, monkeypatch) -> str:
    path = tmp_path / "tousu.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return url


def logged_in(name: str):
    at = app(period="all")
    at.switch_page("../admin/views/login.py").run()
    at.text_input(key="lg_user").input(name)
    at.text_input(key="lg_password").input(PASSWORD)
    at.button[0].click().run()
    return at


def open_alerts(at):
    at.switch_page("views/alerts.py")
    return at.run()


@pytest.mark.parametrize("who", ["boss", "clerk"])
def test_management_and_staff_see_what_detection_finds(site, who):
    at = open_alerts(logged_in(who))
    assert errors(at) == []
    when = When.latest("week", TODAY)
    assert when.code == "2026-W48"
    scope = at.session_state["viewer"].read_scope
    with session_scope(get_engine(site)) as session:
        found = detect(session, Filters(statuses=None).intersect(scope.filters), when)
    assert found, "the injected rise is an alert"
    shown = [t.value for t in at.text]
    assert shown[: len(found)] == [a.sentence + "。" for a in found][: len(shown)]
    assert any(f"“{RISE[0]}”的“{RISE[2]}”投诉" in s for s in shown)
    assert any(f"共 {len(found)} 条预警" in c.value for c in at.caption)
    # each rise is drawn against its band, and leads to its complaints
    assert len(at.get("vega_lite_chart")) == sum(a.kind == "rise" for a in found[:30])
    links = [m.value for m in at.markdown if "查看这些投诉" in m.value]
    hit = next(a for a in found if a.platform == RISE[0] and a.problem_type == RISE[2])
    query = parse_qs(urlsplit(links[found.index(hit)].split("](", 1)[1][:-1]).query)
    assert query["platform"] == [RISE[0]] and query["ptype"] == [RISE[2]]
    assert query["period"] == ["custom"] and query["to"] == ["2026-11-29"]


@pytest.mark.parametrize("month", ["2025-06", "2025-11", "2026-10"])
def test_any_month_shows_its_own_alerts_or_says_there_are_none(site, month):
    at = open_alerts(logged_in("boss"))
    at.segmented_control(key="al_kind").set_value("month").run()
    when = When.parse(month)
    at.selectbox(key="al_month").set_value(when).run()
    assert errors(at) == []
    scope = at.session_state["viewer"].read_scope
    with session_scope(get_engine(site)) as session:
        found = detect(session, Filters(statuses=None).intersect(scope.filters), when)
    shown = [t.value for t in at.text]
    assert shown == [a.sentence + "。" for a in found[:30]]
    said = " ".join(s.value for s in at.success)
    assert (f"{when.first.year}年{when.first.month}月没有预警" in said) == (not found)


@pytest.mark.parametrize("who", [None, "pdd"])
def test_the_public_and_platform_accounts_are_not_offered_it(site, who):
    at = app(period="all") if who is None else logged_in(who)
    with pytest.raises(ValueError):  # not a registered page for them
        open_alerts(at)


@pytest.mark.parametrize("alerts", [False, True])
def test_a_share_link_opens_it_only_when_it_allows(site, alerts):
    """Off by default; a link that allows it shows the alerts of its own scope only."""
    from models.access import sharing

    with session_scope(get_engine(site)) as session:
        _info, token = sharing.create_link(
            session, CLI, label="记者", sectors=["金融科技"], alerts=alerts
        )
    at = app(share=token)
    assert errors(at) == []
    if not alerts:
        with pytest.raises(ValueError):
            open_alerts(at)
        return
    at = open_alerts(at)
    assert errors(at) == []
    shown = [t.value for t in at.text if t.value.endswith("。")]
    assert not any(RISE[0] in s for s in shown)  # 拼多多 is not 金融科技
    with session_scope(get_engine(site)) as session:
        scope = at.session_state["viewer"].scope
        found = detect(session, Filters(statuses=None).intersect(scope), When.latest("week", TODAY))
    assert shown == [a.sentence + "。" for a in found[:30]]
