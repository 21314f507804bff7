"""Helpers for driving the dashboard with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGES = ["overview", "regions", "demographics", "ratings", "leaderboard", "cases", "report"]


def app(**query) -> AppTest:
    """A fresh AppTest of the dashboard with ``query`` as URL parameters, already run."""
    from web import data, outage

    st.cache_data.clear()
    data.clear()  # the read results (a process LRU) and the data version
    outage._prepared.clear()  # as in a new process: the schema is checked on the first run
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    return at.run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def download_menus(at: AppTest) -> list:
    """The 下载 menus (web/widgets.py: a lazy popover per figure) the page drew."""
    from web import widgets

    return [p for p in at.get("popover") if p.proto.popover.label == widgets.DOWNLOAD_MENU]


def open_download_menu(at: AppTest, key: str) -> AppTest:
    """Open the 下载 menu of the figure keyed ``key``, as a click on it does (its buttons are
    made only while it is open)."""
    from web import widgets

    at.session_state[widgets.menu_key(key)] = True
    return at.run()


def chart_frames(element) -> list:
    """The data frames a vega-lite chart element carries (Arrow-encoded in the proto)."""
    import pyarrow as pa

    frames = [
        pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for ds in element.proto.datasets
    ]
    if element.proto.data.data:
        frames.append(pa.ipc.open_stream(element.proto.data.data).read_all().to_pandas())
    return frames
