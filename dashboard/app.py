"""Tousu entry point: `streamlit run dashboard/app.py` (or `tousu serve`).

Resolves who is looking, registers only the pages that viewer may open, draws the shared
sidebar filters (here, so that they live across page switches), then runs the chosen page.
Admin pages check the role again themselves.

The same file also starts the server: `streamlit run` finds the ``st.App`` at the
bottom, imports this module (as ``app``) only to serve it, and runs the file as
``__main__`` for every script run. The App adds the two endpoints that set and clear
the HttpOnly login cookie (:mod:`dashboard.cookie_routes`), behind a middleware that
decides each request's client address (:mod:`web.proxies`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

if __name__ == "__main__":  # a script run; the server's import needs none of this
    from admin.views import login
    from dashboard import elsewhere, sidebar
    from models.settings import get_settings
    from web import auth, outage, share_session, widgets
    from web.markup import literal
    from web.viewer import Viewer, anonymous, nothing

VIEWS = ROOT / "dashboard" / "views"
ADMIN = ROOT / "admin" / "views"
# (script, title, URL path)
DASHBOARD_PAGES = [
    (VIEWS / "overview.py", "总览", "overview"),
    (VIEWS / "regions.py", "地区", "regions"),
    (VIEWS / "demographics.py", "用户画像", "demographics"),
    (VIEWS / "ratings.py", "平台评级", "ratings"),
    (VIEWS / "leaderboard.py", "投诉榜", "leaderboard"),
    (VIEWS / "cases.py", "典型案例", "cases"),
    (VIEWS / "report.py", "报告", "report"),
]
# Pages with their own choices, where the sidebar's filters would only mislead.
WITHOUT_SIDEBAR = {"report"}
WITH_SIDEBAR = {title for _s, title, path in DASHBOARD_PAGES if path not in WITHOUT_SIDEBAR}
# Pages choosing platforms themselves: the sidebar leaves out its 投诉平台 there.
OWN_PLATFORM_PICKER = {"平台评级"}
STAFF_PAGES = [
    (ADMIN / "replies.py", "回复录入", "replies"),
    (ADMIN / "scores.py", "满意度录入", "scores"),
    (ADMIN / "review.py", "投诉审核", "review"),
    (ADMIN / "imports.py", "数据导入", "imports"),
]
ADMIN_PAGES = [
    (ADMIN / "platforms.py", "平台管理", "platforms"),
    (ADMIN / "users.py", "用户管理", "users"),
    (ADMIN / "shares.py", "分享链接", "shares"),
    (ADMIN / "audit_log.py", "审计日志", "audit"),
]
ACCOUNT_PAGE = (ADMIN / "account.py", "我的账号", "account")
LOGIN_PAGE = (ADMIN / "login.py", "登录", "login")
EVERY_PAGE = [*DASHBOARD_PAGES, *STAFF_PAGES, *ADMIN_PAGES, ACCOUNT_PAGE, LOGIN_PAGE]
# The default page is served at "/"; its own address then leads there (dashboard/elsewhere.py).
HOME = "home"


#: Whether this run has called st.navigation (the script runs afresh each time).
_navigated = False


def _navigate(sections: dict, position: str = "top"):
    global _navigated
    _navigated = True
    return st.navigation(sections, position=position)


def _keep_page() -> None:
    """During an outage, register every page (none runs) so the URL keeps naming the page
    asked for: when the database is back, the rerun shows that page, not the default."""
    if _navigated:
        return
    query = st.query_params.to_dict()
    _navigate(_answering({"": _pages(EVERY_PAGE, "overview")}), position="hidden")
    st.query_params.from_dict(query)


def _pages(specs, default: str | None = None) -> list:
    return [
        st.Page(
            script,
            title=title,
            url_path=HOME if path == default else path,
            default=path == default,
        )
        for script, title, path in specs
    ]


def _answering(sections: dict, reason=lambda _path: None, login_form=None) -> dict:
    """``sections`` plus hidden pages answering every other known address."""
    hidden = elsewhere.hidden_pages(sections, EVERY_PAGE, reason, login_form)
    return {**sections, "": [*sections.get("", []), *hidden]} if hidden else sections


def why_not(viewer: Viewer | None, shared: bool = False):
    """Why this viewer cannot open the page at a path (None: nothing to say, go home)."""
    staff_only = {p for _s, _t, p in STAFF_PAGES}
    admin_only = {p for _s, _t, p in ADMIN_PAGES}

    def reason(path: str) -> str | None:
        if shared:
            return "分享链接只能查看看板页面。"
        if viewer is None:
            return "此页面需要登录后查看。" if path != LOGIN_PAGE[2] else None
        if viewer.must_change_password:
            return "请先修改初始密码，然后才能打开其他页面。"
        if path in admin_only and viewer.has_role("staff"):
            return "此页面仅限管理员使用，您的账号没有打开它的权限。"
        if path in staff_only | admin_only:
            return "此页面仅限工作人员使用，您的账号没有打开它的权限。"
        return None

    return reason


def _sidebar_for(page) -> None:
    """The sidebar's filters, on the dashboard pages that use them (not on the hidden
    pages answering other addresses: a login form needs no filters)."""
    if page.visibility == "visible" and page.title in WITH_SIDEBAR:
        sidebar.render(platforms=page.title not in OWN_PLATFORM_PICKER)


def _handle_requests() -> None:
    """Login, logout and renewal asked for by the login and account pages last run."""
    request = st.session_state.pop("login_request", None)
    if request:
        error = auth.login(*request)
        if error:
            st.session_state["login_error"] = error
    if st.session_state.pop("logout_requested", False):
        auth.logout()
    if st.session_state.pop("renew_requested", False):
        auth.renew()


def navigation_for(viewer: Viewer | None, public: bool) -> dict:
    """The pages this viewer may open, by section. Unlisted pages cannot be reached."""
    if viewer is None:
        if public:
            return {"看板": _pages(DASHBOARD_PAGES, "overview"), "账号": _pages([LOGIN_PAGE])}
        return {"账号": _pages([LOGIN_PAGE], "login")}
    if viewer.must_change_password:
        return {"账号": _pages([ACCOUNT_PAGE], "account")}
    sections = {"看板": _pages(DASHBOARD_PAGES, "overview")}
    if viewer.has_role("staff"):
        sections["工作台"] = _pages(STAFF_PAGES + (ADMIN_PAGES if viewer.has_role("admin") else []))
    sections["账号"] = _pages([ACCOUNT_PAGE])
    return sections


def _shared_view() -> bool:
    """Serve a share link if this session came with one; True when it did."""
    token = st.query_params.get("share") or st.session_state.get("share_token")
    if not token:
        return False
    link = share_session.resolve(token, first_view=st.session_state.get("share_token") != token)
    if link is None:
        st.session_state.pop("share_token", None)
        st.session_state["viewer"] = Viewer("share", scope=nothing())
        st.title("链接无效或已过期")
        st.error("此分享链接无效、已过期或已被撤销。请联系提供链接的管理员获取新的链接。")
        st.stop()
    st.session_state["share_token"] = token
    st.session_state["viewer"] = Viewer(
        "share", scope=link.filters, downloads=link.downloads, label=link.label
    )
    if not link.downloads:
        widgets.hide_download_paths()
    page = _navigate(
        _answering({"看板": _pages(DASHBOARD_PAGES, "overview")}, why_not(None, shared=True))
    )
    st.query_params["share"] = token  # navigation resets the URL; keep the link working
    with st.container(border=True):  # the label is typed by an admin: shown as plain text
        st.text(
            f"{link.label}（只读分享）　{link.describe()}　"
            f"有效期至 {link.expires_at:%Y-%m-%d %H:%M}"
            + ("" if link.downloads else "　不提供下载")
        )
    _sidebar_for(page)
    page.run()
    return True


def main() -> None:
    st.set_page_config(page_title="Tousu 投诉数据看板", page_icon="📊", layout="wide")
    st.logo(str(ROOT / "dashboard" / "logo.svg"), size="large")
    widgets.page_style()
    # The first run creates or upgrades the schema; while the database cannot be used the
    # page says so and comes back by itself.
    with outage.guard(before=_keep_page):
        outage.ready()
        _run()


def _run() -> None:
    if _shared_view():
        return
    settings = get_settings()
    _handle_requests()
    viewer = auth.resolve()
    st.session_state["viewer"] = viewer or anonymous()

    sections = navigation_for(viewer, settings.public_dashboards)
    # Navigation first: switching pages resets the URL's query parameters, and the
    # sidebar then writes the period back, so the URL always describes the view.
    page = _navigate(_answering(sections, why_not(viewer), None if viewer else login.render))
    _sidebar_for(page)
    if viewer is not None:
        st.sidebar.caption(f"已登录：{literal(viewer.username)}")
    auth.browser_requests()
    page.run()


if __name__ == "__main__":
    main()
else:  # imported by `streamlit run` (and `tousu serve`) to serve this script
    from starlette.middleware import Middleware

    from web import cookie_routes, proxies

    # Outermost: every request's client and scheme as TOUSU_TRUSTED_PROXIES allows.
    app = st.App(
        __file__, routes=cookie_routes.routes(), middleware=[Middleware(proxies.TrustedProxies)]
    )
