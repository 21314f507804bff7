"""Tousu dashboard entry point: `streamlit run dashboard/app.py`.

Resolves who is looking, draws the shared sidebar filters, then runs the chosen page.
Each page body refreshes itself on the configured interval from the shared cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import access, sidebar  # noqa: E402
from models.settings import get_settings  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "views"
# (file in views/, title, URL path)
PAGES = [
    ("overview.py", "总览", "overview"),
    ("regions.py", "地区", "regions"),
    ("demographics.py", "用户画像", "demographics"),
    ("ratings.py", "平台评级", "ratings"),
    ("leaderboard.py", "投诉榜", "leaderboard"),
    ("cases.py", "典型案例", "cases"),
]


def main() -> None:
    st.set_page_config(page_title="Tousu 投诉数据看板", page_icon="📊", layout="wide")
    settings = get_settings()
    if not settings.public_dashboards:
        st.title("Tousu 投诉数据看板")
        st.warning("看板需要登录后查看。管理员可用 `tousu user add` 创建账号。")
        st.stop()
    st.session_state["viewer"] = access.anonymous()
    st.logo(str(ROOT / "dashboard" / "logo.svg"), size="large")
    pages = [
        st.Page(PAGES_DIR / file, title=title, url_path=path, default=path == "overview")
        for file, title, path in PAGES
    ]
    # Navigation first: switching pages resets the URL's query parameters, and the
    # sidebar then writes the filters back, so the URL always describes the view.
    page = st.navigation(pages, position="top")
    sidebar.render()
    page.run()


main()
