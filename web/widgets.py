"""Small building blocks the pages share: figures with downloads, empty states, captions.

Titles carry data (platform, sector, province names): headings show them through
:func:`web.markup.literal`, so they are never read as Markdown.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from pathlib import Path

import altair as alt
import pandas as pd
import pyarrow as pa
import streamlit as st

from models.settings import get_settings
from models.store import faults
from web import exports, frames, share_session
from web.chart_memo import memoized, vega_spec
from web.data import data_version
from web.markup import literal
from web.viewer import current_viewer

EMPTY = "没有符合当前筛选条件的投诉数据。可以放宽赛道、平台、地区或时间范围后再看。"


def empty(message: str = EMPTY) -> None:
    st.info(message)


def card_row():
    """A row of figure cards (st.metric): one horizontal container whose cards share the
    width and wrap onto more rows when it is narrow (a phone) — one element for the row,
    where st.columns made a block and a column per card."""
    return st.container(horizontal=True, gap="small")


#: A list under this session-state key receives every (names, frame) offered for download
#: (tests check every export's headers and number types).
DOWNLOAD_LOG = "downloads_offered"
FrameSource = pd.DataFrame | Callable[[], pd.DataFrame]


def scope_parts() -> list[str]:
    """Every filter the page's figures are under, as titles and download names say them:
    the sidebar's choice narrowed to the viewer's scope (a share link's sectors and dates)."""
    selection = st.session_state.get("selection")  # drawn by dashboard/sidebar.py
    if selection is None:
        return []
    return selection.filters.intersect(current_viewer().scope).parts(selection.period)


def title_line(what: str) -> None:
    """The line under a page's title: every active filter, then what the page shows. A
    printed or photographed page says its own scope (names from data shown as text), and
    a period in progress says so (2026年统计中（截至12月6日）)."""
    parts = scope_parts()
    selection = st.session_state.get("selection")
    comparison = selection.comparison() if selection is not None else None
    if parts and comparison is not None and comparison.in_progress:
        parts[0] += comparison.note
    st.caption(" · ".join([*(literal(p) for p in parts), what]))


#: The one download control of a figure: a menu (Streamlit's popover) of its files.
DOWNLOAD_MENU = "下载"


def menu_key(key: str) -> str:
    """The session-state key of a figure's 下载 menu: True while it is open (a test opens
    it so)."""
    return f"{key}_downloads"


def downloads(
    title: str,
    frame: FrameSource,
    key: str,
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin] | None = None,
    *,
    scope: list[str] | None = None,
) -> None:
    """One 下载 menu offering CSV, XLSX and (for a chart, or a function making one) PNG of
    a figure — if this viewer may download. Files and sheets are named after the title
    plus the period and filters (``scope``: the sidebar's by default). A file is built
    when chosen; ``frame`` and ``chart`` may be functions, then they run only then too.

    One menu, not a row of three buttons: a page sends a third of the elements for its
    downloads (a row was a block, three columns and three buttons per figure). The menu's
    buttons are made only while it is open (Streamlit's lazy popover: opening or closing it
    reruns the page), so a page run sends one element per figure for its downloads, not
    four — a download button was the dearest element of a run.
    A click does not rerun the page: a rerun would replace the other buttons' deferred
    files while the browser still holds their old ids ("Deferred file … not found").
    """
    if not current_viewer().downloads or (isinstance(frame, pd.DataFrame) and frame.empty):
        return
    log = st.session_state.get(DOWNLOAD_LOG)
    if isinstance(log, list):
        log.append((exports.labelled(title, scope_parts() if scope is None else scope), frame))
    menu = st.popover(DOWNLOAD_MENU, key=menu_key(key), on_change="rerun")
    if not menu.open:
        return
    names = exports.labelled(title, scope_parts() if scope is None else scope)
    table = frame if callable(frame) else lambda: frame
    files = [
        (
            "下载 CSV",
            lambda: exports.csv_bytes(table()),  # built when chosen, not on every run
            "csv",
            "text/csv",
        ),
        (
            "下载 Excel",
            lambda: exports.xlsx_bytes(table(), names.sheet, title=names.caption),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    if chart is not None:
        files.append(
            (
                "下载图片 PNG",
                lambda: exports.chart_png(chart() if callable(chart) else chart, names.caption),
                "png",
                "image/png",
            )
        )
    with menu:
        for label, data, suffix, mime in files:
            st.download_button(
                label,
                data,
                f"{names.file}.{suffix}",
                mime,
                key=f"{key}_{suffix}",
                width="stretch",
                on_click="ignore",
            )


def figure(
    title: str,
    chart: alt.TopLevelMixin,
    frame: pd.DataFrame,
    key: str,
    caption: str | None = None,
    export: FrameSource | None = None,
) -> None:
    """A titled chart with its numbers downloadable (``export``: the download's table with
    the reports' column names, when the chart's own frame has other columns, or a function
    making it when a file is chosen); an empty state when there is no data."""
    st.subheader(literal(title))
    if frame.empty:
        empty()
        return
    # The spec made once per chart (web/chart_memo.py), not validated again on every run.
    st.vega_lite_chart(vega_spec(chart), width="stretch", key=f"{key}_chart")
    if caption:
        st.caption(caption)
    downloads(title, frame if export is None else export, key, chart)


def small_multiples(
    title: str,
    charts: dict[str, alt.TopLevelMixin],
    export: pd.DataFrame,
    key: str,
    caption: str | None = None,
    picture: alt.TopLevelMixin | None = None,
) -> None:
    """A titled set of small charts, two to a row, each as wide as its column: on a narrow
    screen (a phone, a narrow window) the columns stack, so the charts follow the width.
    Downloads as :func:`figure`, with ``picture`` (all of them in one chart) as the PNG."""
    st.subheader(literal(title))
    if export.empty:
        empty()
        return
    names = list(charts)
    for row in range(0, len(names), 2):
        columns = st.columns(2)
        for i, name in enumerate(names[row : row + 2]):
            with columns[i]:
                spec = vega_spec(charts[name])
                st.vega_lite_chart(spec, width="stretch", key=f"{key}_{row + i}")
    if caption:
        st.caption(caption)
    downloads(title, export, key, picture)


#: How the grid shows each kind of number (exports.column_kind), as the cards and the
#: reports print them: counts and decimals with thousands separators (1,573; 2,317.41),
#: shares as percent numbers (24.65%), indexes with three decimals.
GRID_FORMATS = {"count": "%,d", "decimal": "%,.2f", "percent": "%.2f%%", "index": "%.3f"}


def number_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """How the grid shows a table's numbers (:data:`GRID_FORMATS`); shares, kept as
    fractions for downloads, become percent numbers on screen only (Streamlit's own
    percent format drops the zeros of 100.00%)."""
    shown, config = frame.copy(), {}
    for name in frame.columns:
        kind = exports.column_kind(str(name), frame[name])
        if kind in GRID_FORMATS:
            if kind == "percent":
                shown[name] = frame[name] * 100
            config[name] = st.column_config.NumberColumn(format=GRID_FORMATS[kind])
    return shown, config


def table(
    title: str, frame: pd.DataFrame, key: str, missing: dict[str, str] | None = None, **kwargs
) -> None:
    """A titled table with its downloads. ``missing`` names what an empty cell of a column
    means on screen (用户满意度 → 无评分); downloads keep the empty cell."""
    st.subheader(literal(title))
    if frame.empty:
        empty()
        return
    extra = kwargs.pop("column_config", None) or {}
    shown, config = _shown_table(frame, tuple(sorted((missing or {}).items())), tuple(extra))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=f"{key}_table",
        column_config={**config, **extra},  # Streamlit copies each column's own settings
        placeholder=frames.MISSING,  # a number's gap reads —, not "None"
        **kwargs,
    )
    downloads(title, frame, key)


@memoized
def _shown_table(
    frame: pd.DataFrame, missing: tuple[tuple[str, str], ...], configured: tuple[str, ...]
) -> tuple[pa.Table | pd.DataFrame, dict]:
    """What :func:`table` sends for ``frame``, made once per data (web/chart_memo.py): the
    grid's numbers and gaps, as an Arrow table — converting a frame on every run cost
    a few milliseconds a table. ``configured``: columns the caller formats itself."""
    shown, config = number_columns(frame)
    for name, text in missing:
        if name in shown.columns and shown[name].isna().any():
            # A grid cell shows a number or text, not both: the column becomes text, its
            # numbers written as the column's number format would write them.
            shown[name] = [text if pd.isna(v) else f"{v:.3f}" for v in shown[name]]
            config[name] = st.column_config.TextColumn(alignment="right")
    shown = frames.for_display(shown, keep=[*config, *configured])
    try:
        return pa.Table.from_pandas(shown, preserve_index=False), config
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: Streamlit's own conversion
        return shown, config


def pick_table(frame: pd.DataFrame | pa.Table, key: str) -> list[int]:
    """A table in which one row can be picked; the positions of the picked rows (none or one)."""
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    return list(event.selection.rows) if event and event.selection else []


shares_frame = frames.shares_frame  # the pages' name for it


# Streamlit's own element toolbars offer "Download as CSV", "Show data" and fullscreen on
# every table and chart; a link without downloads hides them (our CSS, no user text).
NO_TOOLBARS_CSS = """<style>
[data-testid="stElementToolbar"], [data-testid="stElementToolbarButtonContainer"],
.vega-embed details, .vega-actions { display: none !important; }
</style>"""


# Streamlit leaves about 6rem above the first element for its header; with the menu in that
# header (st.navigation at the top) the title would sit under a blank band. Our CSS, no data.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem !important; }
</style>"""


# The file uploader's button and hint are English text drawn by the browser ("Upload",
# "50MB per file • CSV, XLSX"): shown in Chinese by CSS. Our text, no data.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "%(hint)s"; font-size: 0.875rem; }
</style>"""


def uploader_in_chinese(hint: str) -> None:
    """The file uploaders on this page say 选择文件 and ``hint`` (每个文件最多 …)."""
    st.html(UPLOADER_CSS % {"hint": hint.replace('"', "")})


def page_style() -> None:
    """Layout fixes every page shares."""
    st.html(PAGE_CSS)


def logo(path: Path) -> None:
    """The logo at the top of the sidebar, from an SVG file."""
    st.logo(_svg_url(path), size="large")


@functools.cache
def _svg_url(path: Path) -> str:
    # As a data URL made once per process: given a file, st.logo read, checked and
    # encoded it on every run (about 7% of a page run's time at capacity).
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def hide_download_paths() -> None:
    """Remove every download path from the page (share links made with --no-downloads)."""
    st.html(NO_TOOLBARS_CSS)


def live(render, *, follow_data: bool = True) -> None:
    """Run a page, and run it again when the data changes or its share link ends.

    A small fragment looks at the data version every refresh interval (one cached read
    shared by all viewers) and reruns the page only if it moved: an open dashboard whose
    data did not change costs the server nothing but that look. The same look checks the
    share link the page is seen through: revoked or expired, the page reruns and clears
    itself (app.py then shows 链接无效或已过期), even in a tab no one touches. If the
    database cannot be read, the page reruns too, and says so (web/outage.py) instead of
    an error box. Without ``follow_data`` (a report built on request) only the link counts.
    """
    shown = data_version()[0]
    render()

    @st.fragment(run_every=get_settings().refresh_seconds)
    def watch() -> None:
        try:
            moved = follow_data and data_version()[0] != shown
            moved = moved or not share_session.still_valid(st.session_state.get("share_token"))
        except faults.CANDIDATES as exc:
            if faults.describe(exc) is None:
                raise
            moved = True
        if moved:
            st.rerun(scope="app")

    watch()
