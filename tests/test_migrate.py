"""`tousu migrate --to URL`: SQLite → PostgreSQL and back, everything copied and usable,
the same figures on every page, a target that holds data refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cli.main import main
from models.access import sharing, users
from models.access.roles import CLI
from models.store.db import get_engine, session_scope
from tests.dashboard_helpers import PAGES, app, chart_frames, errors, open_page
from tests.factories import add_complaints
from tests.ops_helpers import PASSWORD, figures, login_sessions, rows

SECRET = "pw_a"  # the test server's password: never printed


def tousu(capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TOUSU_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def empty_postgres(postgres_url) -> str:
    with get_engine(postgres_url).begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return postgres_url


def test_sqlite_moves_to_postgres_and_back_with_everything(
    deployment, empty_postgres, tmp_path, capsys, monkeypatch
):
    code, out, err = tousu(capsys, monkeypatch, deployment, "migrate", "--to", empty_postgres)
    assert code == 0, err
    assert "复制 complaint：" in err and "汇总表与重新计数一致" in out
    assert SECRET not in out + err
    pg = get_engine(empty_postgres)
    assert rows(pg) == rows(get_engine(deployment))
    assert figures(pg) == figures(get_engine(deployment))
    # Logins are not data: the old database's sessions stay behind.
    assert login_sessions(get_engine(deployment)) > 0 and login_sessions(pg) == 0

    # Everything works on the new database: the same passwords, new rows with new ids.
    assert users.log_in(pg, "clerk", PASSWORD).ok
    with session_scope(pg, write=True) as session:
        users.add_user(session, CLI, "newcomer", "viewer", PASSWORD)
        sharing.create_link(session, CLI, label="新链接")
    add_complaints(pg, [{"platform": "小红书", "submitted_at": "2025-04-01 10:00"}])

    back = f"sqlite:///{tmp_path / 'back.db'}"
    code, _out, err = tousu(capsys, monkeypatch, empty_postgres, "migrate", "--to", back)
    assert code == 0, err
    assert rows(get_engine(back)) == rows(pg)


def test_a_target_that_holds_data_is_refused(deployment, db_url, capsys, monkeypatch):
    target = get_engine(db_url)
    add_complaints(target, [{"platform": "别的平台", "submitted_at": "2024-05-01 10:00"}])
    before = rows(target, skip=())
    code, out, err = tousu(capsys, monkeypatch, deployment, "migrate", "--to", db_url)
    assert code == 1 and out == "" and "已有数据" in err and "没有写入任何内容" in err
    assert rows(target, skip=()) == before


def test_the_current_database_is_not_a_target(deployment, capsys, monkeypatch):
    code, _, err = tousu(capsys, monkeypatch, deployment, "migrate", "--to", deployment)
    assert code == 1 and "目标就是当前数据库" in err


def _page_content(at) -> list:
    """What a page shows as data: metrics, tables, charts' data, text."""
    shown: list = [("metric", m.label, m.value, m.delta) for m in at.metric]
    shown += [("table", t.value.to_csv()) for t in at.dataframe]
    shown += [("chart", [f.to_csv() for f in chart_frames(c)]) for c in at.get("vega_lite_chart")]
    shown += [("text", m.value) for m in [*at.markdown, *at.text, *at.subheader]]
    return shown


def test_every_page_shows_the_same_after_moving_to_postgres(
    deployment, empty_postgres, capsys, monkeypatch
):
    assert tousu(capsys, monkeypatch, deployment, "migrate", "--to", empty_postgres)[0] == 0
    monkeypatch.setenv("TOUSU_PUBLIC_DASHBOARDS", "1")
    for page in PAGES:
        seen = []
        for url in (deployment, empty_postgres):
            monkeypatch.setenv("TOUSU_DATABASE_URL", url)
            at = open_page(app(period="2024"), page)
            if page == "report":  # the page shows a report once asked to write one
                at.button(key="rep_go").click().run()
                _key, files = at.session_state["rep_files"]
                seen.append([("report", files["md"].decode())])
            else:
                seen.append(_page_content(at))
            assert errors(at) == []
        assert seen[0] == seen[1], page
        assert seen[0], page  # the page showed something to compare
