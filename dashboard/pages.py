"""Every page of the app, declared once: its address, title, script, menu section, the
capability it needs (models/access/policy.py) and whether the sidebar filters apply.

Navigation, the pages' own guards and the "not for you" answers (dashboard/elsewhere.py)
all read this list; nothing else names a page's role.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from models.access.policy import Can

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ROOT / "dashboard" / "views"
ADMIN = ROOT / "admin" / "views"

DASHBOARDS, WORKBENCH, ACCOUNT = "看板", "工作台", "账号"


@dataclass(frozen=True)
class PageSpec:
    path: str  # the URL path
    title: str
    script: Path
    section: str
    #: What a viewer needs to open it; None: open to everyone it is offered to (账号 pages).
    needs: Can | None
    #: The sidebar's filters apply (dashboards that take their selection from it).
    sidebar: bool = False
    #: The page chooses platforms itself: the sidebar leaves out its 投诉平台.
    own_platform_picker: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "总览", VIEWS / "overview.py", DASHBOARDS, Can.VIEW, sidebar=True),
    PageSpec("regions", "地区", VIEWS / "regions.py", DASHBOARDS, Can.VIEW, sidebar=True),
    PageSpec(
        "demographics", "用户画像", VIEWS / "demographics.py", DASHBOARDS, Can.VIEW, sidebar=True
    ),
    PageSpec(
        "ratings",
        "平台评级",
        VIEWS / "ratings.py",
        DASHBOARDS,
        Can.VIEW,
        sidebar=True,
        own_platform_picker=True,
    ),
    PageSpec("leaderboard", "投诉榜", VIEWS / "leaderboard.py", DASHBOARDS, Can.VIEW, sidebar=True),
    PageSpec("cases", "典型案例", VIEWS / "cases.py", DASHBOARDS, Can.VIEW, sidebar=True),
    # 预警 chooses its own week or month; management and staff only, never the public.
    PageSpec("alerts", "预警", VIEWS / "alerts.py", DASHBOARDS, Can.ALERTS),
    # 报告 has its own choices (sector, year), where the sidebar's would only mislead.
    PageSpec("report", "报告", VIEWS / "report.py", DASHBOARDS, Can.VIEW),
    PageSpec("replies", "回复录入", ADMIN / "replies.py", WORKBENCH, Can.REPLY),
    PageSpec("scores", "满意度录入", ADMIN / "scores.py", WORKBENCH, Can.SCORE),
    PageSpec("review", "投诉审核", ADMIN / "review.py", WORKBENCH, Can.REVIEW),
    PageSpec("imports", "数据导入", ADMIN / "imports.py", WORKBENCH, Can.IMPORT),
    PageSpec("platforms", "平台管理", ADMIN / "platforms.py", WORKBENCH, Can.MANAGE_PLATFORMS),
    PageSpec("users", "用户管理", ADMIN / "users.py", WORKBENCH, Can.MANAGE_USERS),
    PageSpec("shares", "分享链接", ADMIN / "shares.py", WORKBENCH, Can.SHARE),
    PageSpec("audit", "审计日志", ADMIN / "audit_log.py", WORKBENCH, Can.AUDIT),
    PageSpec("account", "我的账号", ADMIN / "account.py", ACCOUNT, None),
    PageSpec("login", "登录", ADMIN / "login.py", ACCOUNT, None),
)
BY_PATH = {spec.path: spec for spec in PAGES}
DASHBOARD_PAGES = tuple(spec for spec in PAGES if spec.section == DASHBOARDS)
#: The dashboards of the public board and of share links (what Can.VIEW alone opens).
PUBLIC_DASHBOARDS = tuple(spec for spec in DASHBOARD_PAGES if spec.needs is Can.VIEW)
WORKBENCH_PAGES = tuple(spec for spec in PAGES if spec.section == WORKBENCH)
ACCOUNT_PAGE, LOGIN_PAGE = BY_PATH["account"], BY_PATH["login"]
#: The page served at "/" for a logged-in or public viewer.
DEFAULT = "overview"


def by_script(script: str | Path) -> PageSpec:
    """The spec of a page's own script (pages guard themselves with it)."""
    name = Path(script).resolve()
    return next(spec for spec in PAGES if spec.script == name)


@functools.cache
def streamlit_page(spec: PageSpec, url_path: str, default: bool):
    """The ``st.Page`` of ``spec``, made once per process: app.py runs afresh on every page
    run, so a cache there would be new each time (st.Page resolves and checks its file)."""
    import streamlit as st

    return st.Page(spec.script, title=spec.title, url_path=url_path, default=default)
