"""Share links: tokens, expiry, revocation, and scope enforced whatever the URL says."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from models.access import sharing, users
from models.access.roles import CLI, Actor, Forbidden
from models.demo import generate_demo
from models.store.db import get_engine, session_scope
from models.store.tables import Complaint, ShareLink
from tests.dashboard_helpers import PAGES, app, download_menus, errors, open_page
from tests.factories import add_complaints

PASSWORD = "correct-horse-battery"


def make(engine, **kwargs):
    with session_scope(engine) as session:
        return sharing.create_link(session, CLI, label=kwargs.pop("label", "报道"), **kwargs)


def test_token_is_random_long_and_stored_only_as_a_hash(engine):
    info, token = make(engine)
    other = make(engine)[1]
    assert token != other
    assert len(token) * 6 >= 128 and math.log2(64) * len(token) >= 128
    with session_scope(engine) as session:
        stored = session.execute(select(ShareLink)).scalars().all()
    assert all(token not in (row.token_hash, row.label) for row in stored)
    assert (info.expires_at - info.created_at).days == 30


@pytest.mark.parametrize("days", [0, 366, -5])
def test_expiry_is_bounded(engine, days):
    with pytest.raises(sharing.TousuError):
        make(engine, expires_days=days)


def test_bad_tokens_resolve_to_nothing(engine):
    _, token = make(engine)
    with session_scope(engine) as session:
        assert sharing.resolve(session, token) is not None
        for bad in (
            "",
            "x",
            token[:-1],
            token + "a",
            "'; DROP TABLE share_link; --",
            sharing.secrets.token_urlsafe(24),
        ):
            assert sharing.resolve(session, bad) is None


def test_revoked_and_expired_links_stop_at_once(engine):
    info, token = make(engine)
    info2, token2 = make(engine)
    with session_scope(engine) as session:
        sharing.revoke(session, CLI, info.id)
        session.execute(
            update(ShareLink)
            .where(ShareLink.id == info2.id)
            .values(expires_at=sharing.local_now() - timedelta(seconds=1))
        )
    with session_scope(engine) as session:
        assert sharing.resolve(session, token) is None
        assert sharing.resolve(session, token2) is None
        states = {i.id: i.state for i in sharing.list_links(session, CLI)}
    assert states == {info.id: "已撤销", info2.id: "已过期"}


def test_views_are_counted(engine):
    _info, token = make(engine)
    with session_scope(engine) as session:
        sharing.resolve(session, token, count_view=True)
        sharing.resolve(session, token, count_view=True)
        sharing.resolve(session, token)
        (listed,) = sharing.list_links(session, CLI)
    assert listed.views == 2 and listed.last_used_at is not None


def test_only_admins_manage_links(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    with session_scope(engine) as session, pytest.raises(Forbidden):
        sharing.create_link(session, Actor("clerk"), label="x")
    with session_scope(engine) as session, pytest.raises(Forbidden):
        sharing.list_links(session, Actor("clerk"))


# --- the shared dashboard (AppTest) -------------------------------------------------------


@pytest.fixture
def shared_site(monkeypatch, sqlite_url):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    engine = get_engine(sqlite_url)
    generate_demo(engine, complaints=3000, seed=5)
    add_complaints(
        engine,
        [  # full names, as a real import would hold them
            {
                "platform": "分期乐",
                "submitted_at": f"2024-0{m}-15 10:00",
                "province": "广东省",
                "gender": "女",
                "complainant": f"黄丽华{m}",
                "phone": f"1380013800{m}",
                "email": f"huang{m}@example.org",
                "id_number": f"44010619900101123{m}",
                "order_number": f"ORD-2024-00{m}",
                # people type their own data into free text, in every spelling
                "title": f"黄丽华{m}：分期乐暴力催收，回电1380013800{m}",
                "content": (
                    f"我是黄丽华{m}，手机 138-0013-800{m}，身份证44010619900101123{m}，"
                    f"订单号ORD-2024-00{m}，邮箱 huang{m}＠example.org。频繁骚扰，借款5000元"
                ),
                "demand": f"请联系黄丽华{m}：1380013800{m}",
                "transferred_at": f"2024-0{m}-15 12:00",
                "replied_at": f"2024-0{m}-16 12:00",
                "reply": f"黄丽华{m}您好，已电话1380013800{m}联系",
            }
            for m in range(1, 6)
        ],
    )
    _info, token = make(
        engine,
        sectors=["金融科技"],
        date_from=date(2024, 1, 1),
        date_to=date(2024, 12, 31),
        downloads=False,
        label="金融科技报道",
    )
    return engine, token


def personal_values(engine) -> set[str]:
    """Full names, phones, emails, ID and order numbers held in the database."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Complaint.complainant,
                Complaint.phone,
                Complaint.email,
                Complaint.id_number,
                Complaint.order_number,
            )
        ).all()
    values = {v for row in rows for v in row[1:] if v}
    # Names stored in the masked style (黄女士) are what the reports print; full names are not.
    values |= {row[0] for row in rows if row[0] and not row[0].endswith(("女士", "先生"))}
    return values


def rendered_text(at) -> str:
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "text", "info", "metric")
        for e in getattr(at, kind)
        if isinstance(getattr(e, "value", None), str)
    ]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_shared_pages_show_no_personal_data(shared_site, page):
    engine, token = shared_site
    at = open_page(app(share=token), page)
    assert errors(at) == []
    text = rendered_text(at)
    leaked = [v for v in personal_values(engine) if v in text]
    assert leaked == []
    assert not at.download_button  # this link allows no downloads
    assert download_menus(at) == []  # not even a closed 下载 menu


def test_shared_view_shows_exactly_its_scope(shared_site, capsys, monkeypatch):
    _engine, token = shared_site
    at = open_page(app(share=token, period="2024"), "leaderboard")
    frame = at.dataframe[0].value
    assert set(frame["赛道"]) == {"金融科技"}
    from cli.main import main as tousu

    tousu(
        ["stats", "--by", "platform", "--year", "2024", "--sector", "金融科技", "--format", "csv"]
    )
    expected = capsys.readouterr().out.strip().splitlines()[1:]
    assert sum(frame["投诉量"]) == sum(int(line.split(",")[1]) for line in expected)


def test_editing_the_url_cannot_widen_the_scope(shared_site):
    _engine, token = shared_site
    narrow = app(share=token, period="2024")
    wide = app(share=token, period="all", sector=["零售电商"], platform=["淘宝"])
    metrics_narrow = {m.label: m.value for m in narrow.metric}
    metrics_wide = {m.label: m.value for m in wide.metric}
    assert metrics_wide["投诉量"] == metrics_narrow["投诉量"]
    assert "零售电商" not in wide.sidebar.multiselect(key="sector").options


def test_shared_session_cannot_open_admin_or_login_pages(shared_site):
    _, token = shared_site
    at = app(share=token)
    for script in (
        "../admin/views/replies.py",
        "../admin/views/users.py",
        "../admin/views/login.py",
    ):
        with pytest.raises(ValueError):
            at.switch_page(script).run()


@pytest.mark.parametrize("kind", ["random", "revoked", "expired", "malformed"])
def test_invalid_links_show_no_data(shared_site, kind):
    engine, token = shared_site
    if kind == "random":
        token = sharing.secrets.token_urlsafe(24)
    elif kind == "malformed":
        token = "<script>alert(1)</script>"
    else:
        with session_scope(engine) as session:
            (info,) = sharing.list_links(session, CLI)
            if kind == "revoked":
                sharing.revoke(session, CLI, info.id)
            else:
                session.execute(
                    update(ShareLink).values(expires_at=sharing.local_now() - timedelta(minutes=1))
                )
    at = app(share=token)
    assert [t.value for t in at.title] == ["链接无效或已过期"]
    assert not at.metric and not at.dataframe and not at.get("vega_lite_chart")


def _case_id(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Complaint.id).where(Complaint.complainant == "黄丽华3"))


def test_a_case_has_its_own_url_under_a_share_link(shared_site):
    engine, token = shared_site
    case_id = _case_id(engine)
    at = open_page(app(share=token, case=str(case_id)), "cases")
    assert errors(at) == []
    texts = [t.value for t in at.text]
    assert any("我是黄女士，手机 [电话已隐去]" in t and "借款5000元" in t for t in texts), texts
    assert any("黄女士您好，已电话[电话已隐去]联系" in t for t in texts), texts
    assert [v for v in personal_values(engine) if v in rendered_text(at)] == []


def test_a_case_url_outside_the_link_shows_nothing(shared_site):
    engine, token = shared_site
    with session_scope(engine) as session:
        outside = session.scalar(select(Complaint.id).where(Complaint.submitted_month < 202401))
    at = open_page(app(share=token, case=str(outside)), "cases")
    assert any("不在当前可查看的范围内" in i.value for i in at.info)


def test_comparisons_never_reach_outside_the_links_dates(shared_site):
    _engine, token = shared_site
    at = app(share=token, period="2024")
    assert at.metric and all(m.delta in (None, "") for m in at.metric), [
        (m.label, m.delta) for m in at.metric
    ]
    board = open_page(app(share=token, period="2024"), "leaderboard")
    assert set(board.dataframe[0].value["变化"]) == {""}
    # inside the link's dates a comparison is fine: Q2 against Q1 2024
    quarter = app(share=token, period="2024Q2")
    assert any(m.delta not in (None, "") for m in quarter.metric)


def test_cached_results_are_keyed_by_masking(shared_site, monkeypatch):
    """Staff open a case first; a masked viewer right after gets the scrubbed text."""
    from streamlit.testing.v1 import AppTest

    from tests.dashboard_helpers import APP

    engine, _token = shared_site
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", "correct-horse-battery")
    case_id = _case_id(engine)
    staff = app()
    staff.text_input(key="lg_user").input("clerk")
    staff.text_input(key="lg_password").input("correct-horse-battery")
    staff.button[0].click().run()
    staff.query_params["case"] = str(case_id)
    staff = open_page(staff, "cases")
    assert any("我是黄丽华3，手机 138-0013-8003" in t.value for t in staff.text)

    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    viewer = AppTest.from_file(APP, default_timeout=120)  # the cache is not cleared
    viewer.query_params["case"] = str(case_id)
    viewer.run()
    viewer = open_page(viewer, "cases")
    shown = "\n".join(t.value for t in viewer.text)
    assert "我是黄女士，手机 [电话已隐去]" in shown
    assert [v for v in personal_values(engine) if v in shown] == []


def test_a_share_link_reports_only_its_scope_and_downloads_nothing(shared_site):
    engine, token = shared_site
    at = open_page(app(share=token), "report")
    assert at.selectbox(key="rep_sector").options == ["金融科技"]
    assert at.selectbox(key="rep_year").options == ["2024年"]
    at.button(key="rep_go").click().run()
    assert errors(at) == []
    assert not at.download_button  # a --no-downloads link
    preview = at.get("iframe")[0].proto.srcdoc
    assert "2024年中国金融科技投诉数据与典型案例报告" in preview  # the 2024 style
    assert [v for v in personal_values(engine) if v in preview] == []


def test_cases_page_shows_typical_cases_first_to_readers(shared_site):
    _engine, token = shared_site
    at = open_page(app(share=token), "cases")
    assert at.toggle(key="typical").value is True
    listed = at.dataframe[0].value
    assert len(listed) > 0
    at.toggle(key="typical").set_value(False).run()
    assert len(at.dataframe[0].value) > len(listed)


def test_a_share_link_writes_every_publication_only_within_its_scope(shared_site):
    """The 报告 page's other publications under the link (金融科技, 2024): each names only
    the link's platforms, shows no personal datum, and the company list is the link's."""
    from models.reads.platforms import platforms_in
    from models.rules.filters import Filters
    from models.store.db import session_scope

    engine, token = shared_site
    with session_scope(engine) as session:
        everyone = {p.name: p.sector for p in platforms_in(session, Filters())}
    outside = sorted(n for n, s in everyone.items() if s != "金融科技" and len(n) > 2)
    at = open_page(app(share=token), "report")
    at.radio(key="rep_kind").set_value("company").run()
    assert set(at.selectbox(key="rep_platform").options) == {
        n for n, s in everyone.items() if s == "金融科技"
    }
    for kind, title in (
        ("ratings", "2024年第三季度金融科技消费评级榜"),
        ("leaderboard", "2024年第三季度金融科技投诉榜"),
        ("company", "2024年第三季度“分期乐”投诉数据与消费评级报告"),
    ):
        at.radio(key="rep_kind").set_value(kind).run()
        if kind == "company":
            at.selectbox(key="rep_platform").set_value("分期乐").run()
        at.selectbox(key="rep_pkind").set_value("quarter").run()
        at.selectbox(key="rep_quarter").set_value(3).run()
        at.button(key="rep_go").click().run()
        assert errors(at) == []
        preview = at.get("iframe")[0].proto.srcdoc
        assert title in preview, kind
        assert [n for n in outside if n in preview] == [], kind
        assert [v for v in personal_values(engine) if v in preview] == [], kind
        assert not at.download_button  # a --no-downloads link
