"""Tousu entry point: `streamlit run dashboard/app.py` (or `tousu serve`).

Resolves who is looking, registers only the pages that viewer may open, draws the shared
sidebar filters (here, so that they live across page switches), then runs the chosen page.
Admin pages check the role again themselves.

The same file also starts the server: `streamlit run` finds the ``st.App`` at the
bottom, imports this module (as ``app``) only to serve it, and runs the file as
``__main__`` for every script run. The App adds the two endpoints that set and clear
the HttpOnly login cookie (:mod:`web.cookie_routes`), behind a middleware that
decides each request's client address (:mod:`web.proxies`).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

if __name__ == "__main__":  # a script run; the server's import needs none of this
    from admin.views import login
    from dashboard import elsewhere, pages, sidebar
    from models.access.policy import who_may
    from models.settings import get_settings, pinned
    from web import auth, outage, params, share_session, widgets
    from web.markup import literal
    from web.viewer import Viewer, anonymous, nothing

# The default page is served at "/"; its own address then leads there (dashboard/elsewhere.py).
HOME = "home"


#: Whether this run has called st.navigation (the script runs afresh each time).
_navigated = False


def _navigate(sections: dict, position: str = "top"):
    global _navigated
    _navigated = True
    return st.navigation(sections, position=position)


APP_TITLE = "Tousu 投诉数据看板"


def _titled(page):
    """The browser tab names the page shown (总览 · Tousu 投诉数据看板), so it follows the
    person from 登录 to the page they land on, and history and bookmarks tell pages apart."""
    _page_config(f"{page.title} · {APP_TITLE}")
    return page


def _page_config(title: str) -> None:
    """The tab's title, icon and the wide layout, in one message (a run sends each anew)."""
    st.set_page_config(page_title=title, page_icon="📊", layout="wide")


def _keep_page() -> None:
    """During an outage, register every page (none runs) so the URL keeps naming the page
    asked for: when the database is back, the rerun shows that page, not the default."""
    if _navigated:
        return
    query = params.snapshot()
    _titled(_navigate(_answering({"": _pages(pages.PAGES, pages.DEFAULT)}), position="hidden"))
    params.restore(query)


def _pages(specs, default: str | None = None) -> list:
    return [copy.copy(_page(spec, spec.path == default)) for spec in specs]


def _page(spec, default: bool):
    """The page of ``spec``, made once per process (st.Page resolves and checks its file):
    each run navigates with a copy, as st.navigation sets flags on the pages it is given.
    Kept by dashboard/pages.py: this script runs afresh each time, its own caches with it."""
    return pages.streamlit_page(spec, HOME if default else spec.path, default)


def _answering(sections: dict, reason=lambda _path: None, login_form=None) -> dict:
    """``sections`` plus hidden pages answering every other known address."""
    hidden = elsewhere.hidden_pages(sections, pages.PAGES, reason, login_form)
    return {**sections, "": [*sections.get("", []), *hidden]} if hidden else sections


def why_not(viewer: Viewer | None, shared: bool = False):
    """Why this viewer cannot open the page at a path (None: nothing to say, go home)."""

    def reason(path: str) -> str | None:
        if shared:
            return "分享链接只能查看看板页面。"
        if viewer is None:
            return "此页面需要登录后查看。" if path != pages.LOGIN_PAGE.path else None
        if viewer.must_change_password:
            return "请先修改初始密码，然后才能打开其他页面。"
        needs = pages.BY_PATH[path].needs
        if needs is not None and not viewer.can(needs):
            return f"此页面仅限{who_may(needs)}使用，您的账号没有打开它的权限。"
        return None

    return reason


def _sidebar_for(page) -> None:
    """The sidebar's filters, on the dashboard pages that use them (not on the hidden
    pages answering other addresses: a login form needs no filters). A dashboard page
    without them still keeps them in its URL, so the next page finds them there."""
    spec = next((p for p in pages.PAGES if p.title == page.title), None)
    if page.visibility != "visible" or spec is None:
        return
    if spec.sidebar:
        sidebar.render(platforms=not spec.own_platform_picker)
    elif spec.section == pages.DASHBOARDS:
        sidebar.keep()


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


def _dashboards(viewer: Viewer) -> list:
    """The dashboard pages ``viewer`` may open (预警 only with its capability)."""
    return [spec for spec in pages.DASHBOARD_PAGES if viewer.can(spec.needs)]


def navigation_for(viewer: Viewer | None, public: bool) -> dict:
    """The pages this viewer may open, by section. Unlisted pages cannot be reached."""
    if viewer is None:
        if public:
            return {
                pages.DASHBOARDS: _pages(pages.PUBLIC_DASHBOARDS, pages.DEFAULT),
                pages.ACCOUNT: _pages([pages.LOGIN_PAGE]),
            }
        return {pages.ACCOUNT: _pages([pages.LOGIN_PAGE], "login")}
    if viewer.must_change_password:
        return {pages.ACCOUNT: _pages([pages.ACCOUNT_PAGE], "account")}
    sections = {pages.DASHBOARDS: _pages(_dashboards(viewer), pages.DEFAULT)}
    workbench = [spec for spec in pages.WORKBENCH_PAGES if viewer.can(spec.needs)]
    if workbench:
        sections[pages.WORKBENCH] = _pages(workbench)
    sections[pages.ACCOUNT] = _pages([pages.ACCOUNT_PAGE])
    return sections


def _shared_view() -> bool:
    """Serve a share link if this session came with one; True when it did."""
    token = params.get(params.SHARE) or st.session_state.get("share_token")
    if not token:
        return False
    first_run = st.session_state.get("share_token") != token  # of this Streamlit session
    link = share_session.resolve(token, first_run=first_run)
    if link is None:
        st.session_state.pop("share_token", None)
        st.session_state["viewer"] = Viewer("share", scope=nothing())
        _page_config(f"链接无效或已过期 · {APP_TITLE}")
        st.title("链接无效或已过期")
        st.error("此分享链接无效、已过期或已被撤销。请联系提供链接的管理员获取新的链接。")
        st.stop()
    st.session_state["share_token"] = token
    viewer = Viewer(
        "share", scope=link.filters, downloads=link.downloads, label=link.label, alerts=link.alerts
    )
    st.session_state["viewer"] = viewer
    if not link.downloads:
        widgets.hide_download_paths()
    page = _titled(
        _navigate(
            _answering(
                {pages.DASHBOARDS: _pages(_dashboards(viewer), pages.DEFAULT)},
                why_not(None, shared=True),
            )
        )
    )
    params.put(params.SHARE, token)  # navigation resets the URL; keep the link working
    share_session.remember(token)  # every run until a new session brings the cookie back
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
    widgets.logo(ROOT / "dashboard" / "logo.svg")
    widgets.page_style()
    # The first run creates or upgrades the schema; while the database cannot be used the
    # page says so and comes back by itself. The run reads the settings once (pinned).
    with pinned(), outage.guard(before=_keep_page):
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
    page = _titled(
        _navigate(_answering(sections, why_not(viewer), None if viewer else login.render))
    )
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
