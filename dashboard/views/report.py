"""报告: the annual sector report written from the data, previewed, then downloaded as
HTML, DOCX or Markdown. It follows the viewer's scope like every page."""

from __future__ import annotations

import streamlit as st

from models.errors import TousuError
from models.rules.filters import Filters
from models.rules.months import year_of
from reports import FORMATS, MEDIA_TYPES, write_all
from reports.html import framed
from web import data, exports, widgets
from web.viewer import current_viewer

LABELS = {"html": "下载 HTML", "docx": "下载 Word（DOCX）", "md": "下载 Markdown"}


def _choices() -> tuple[str, int, int, str | None] | None:
    """Sector, year, top N and the optional intro; None when there is nothing to report."""
    sectors = sorted({p.sector for p in data.platforms(Filters(statuses=None))})
    if not sectors:
        widgets.empty("当前可查看的范围内没有平台，无法生成报告。")
        return None
    cols = st.columns([2, 1, 1])
    sector = cols[0].selectbox("赛道", sectors, key="rep_sector", placeholder="选择赛道")
    span = data.data_span(Filters(sectors=(sector,)))
    if span is None:
        widgets.empty(f"{sector}暂无可用于报告的投诉数据。")
        return None
    years = list(range(year_of(span[1]), year_of(span[0]) - 1, -1))
    year = cols[1].selectbox(
        "年份", years, key="rep_year", placeholder="选择年份", format_func=lambda y: f"{y}年"
    )
    top = cols[2].number_input("投诉榜平台数", 1, 50, 10, key="rep_top")
    intro = st.text_area(
        "报告摘要开头（可选）",
        key="rep_intro",
        max_chars=3000,
        placeholder="如：2023年，个性化产品成为了社交电商市场的主流……（留空则不写开头段落）",
    )
    return sector, int(year), int(top), intro.strip() or None


def _build(sector: str, year: int, top: int, intro: str | None) -> dict[str, bytes] | None:
    """The three files (the charts rendered once for all), with progress while the charts
    render; None (said) on no data."""
    try:
        report = data.sector_report(Filters(), sector, year, top=top, intro=intro)
    except TousuError as exc:
        widgets.empty(str(exc))
        return None
    bar = st.progress(0.0, text="正在汇总数据……")

    def step(share: float, text: str) -> None:  # the charts, then the three files
        bar.progress(0.1 + 0.8 * share, text=text if share < 1 else "正在生成文件……")

    files = write_all(report, FORMATS, step)
    bar.empty()
    st.session_state["rep_title"] = report.title
    return files


def render() -> None:
    st.title("报告")
    st.caption(
        "按赛道和年份生成年度投诉数据与典型案例报告：投诉榜、四项分布、各平台评级与典型案例。"
        "所有数字与看板和 tousu 命令行一致；投诉人信息按报告惯例隐去。"
    )
    chosen = _choices()
    if chosen is None:
        return
    key = (chosen, data.data_version()[0])
    if st.button("生成报告", type="primary", key="rep_go"):
        st.session_state["rep_files"] = (key, _build(*chosen))
    built = st.session_state.get("rep_files")
    if not built or built[0] != key or built[1] is None:
        if built and built[0] != key:
            st.caption("选择已改变或数据已更新，请重新生成。")
        return
    files = built[1]
    title = st.session_state.get("rep_title", "报告")
    if current_viewer().downloads:
        cols = st.columns(len(FORMATS))
        for col, fmt in zip(cols, FORMATS, strict=True):
            col.download_button(
                LABELS[fmt],
                files[fmt],
                f"{exports.file_name(title)}.{fmt}",
                MEDIA_TYPES[fmt],
                key=f"rep_dl_{fmt}",
                width="stretch",
                on_click="ignore",
            )
    else:
        st.caption("此分享链接不提供下载。")
    st.subheader("预览")
    # The file itself: every text in it is escaped, its own Content-Security-Policy
    # forbids loading or running anything, and it is shown in a frame sandboxed with no
    # permission (st.iframe's own frame may run scripts with the app's origin).
    with st.container(border=True):
        st.iframe(framed(files["html"].decode("utf-8")), height=900, alt="报告预览")


if __name__ == "__main__":
    # Not rerun when the data changes (the preview is built on request and says when it is
    # out of date), but cleared when its share link ends.
    widgets.live(render, follow_data=False)
