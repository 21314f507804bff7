"""报告: every publication — the sector report, the 消费评级榜, the 投诉榜 and a company
report, for a month, quarter, half or year — written from the data, previewed, then
downloaded as HTML, DOCX, Markdown or PDF. It follows the viewer's scope like every page."""

from __future__ import annotations

import streamlit as st

from models.errors import TousuError
from models.rules.filters import Filters
from models.rules.months import year_of
from models.rules.periods import Period
from reports import FORMATS, MEDIA_TYPES, publish, write_all
from reports.html import framed
from reports.templating import DEFAULT, available
from web import data, exports, widgets
from web.viewer import current_viewer

LABELS = {
    "html": "下载 HTML",
    "docx": "下载 Word（DOCX）",
    "md": "下载 Markdown",
    "pdf": "下载 PDF",
}
KIND_LABELS = {
    "sector": "数据与案例报告",
    "ratings": "消费评级榜",
    "leaderboard": "投诉榜",
    "company": "企业报告",
}
PERIOD_KINDS = {"year": "年度", "half": "半年度", "quarter": "季度", "month": "月度"}


def _period(col, years: list[int]) -> Period:
    """A month, quarter, half or year of ``years`` (newest first)."""
    left, middle, right = col.columns(3)
    kind = left.selectbox(
        "期间类型",
        list(PERIOD_KINDS),
        key="rep_pkind",
        format_func=PERIOD_KINDS.__getitem__,
        placeholder="选择期间类型",
    )
    year = middle.selectbox(
        "年份", years, key="rep_year", format_func=lambda y: f"{y}年", placeholder="选择年份"
    )
    if kind == "year":
        return Period(int(year), "year", 1)
    if kind == "half":
        return Period(int(year), "half", 1)
    count = 4 if kind == "quarter" else 12
    index = right.selectbox(
        "期间",
        range(1, count + 1),
        key=f"rep_{kind}",
        format_func=lambda i: Period(int(year), kind, i).label,
        placeholder="选择期间",
    )
    return Period(int(year), kind, int(index))


def _choices() -> tuple[str, str, Period, dict] | None:
    """Kind, sector (or platform), period and a sector report's options (top N, sections,
    template, intro); None when there is nothing to report."""
    known = data.platforms(Filters(statuses=None))
    sectors = sorted({p.sector for p in known})
    if not sectors:
        widgets.empty("当前可查看的范围内没有平台，无法生成报告。")
        return None
    kind = st.radio(
        "出版物",
        list(KIND_LABELS),
        key="rep_kind",
        horizontal=True,
        format_func=KIND_LABELS.__getitem__,
    )
    cols = st.columns([2, 3, 1])
    if kind == "company":
        names = sorted(p.name for p in known)
        subject = cols[0].selectbox("平台", names, key="rep_platform", placeholder="选择平台")
        scope = Filters(platforms=(subject,))
    else:
        subject = cols[0].selectbox("赛道", sectors, key="rep_sector", placeholder="选择赛道")
        scope = Filters(sectors=(subject,))
    span = data.data_span(scope)
    if span is None:
        widgets.empty(f"{subject}暂无可用于报告的投诉数据。")
        return None
    years = list(range(year_of(span[1]), year_of(span[0]) - 1, -1))
    period = _period(cols[1], years)
    if kind != "sector":
        return kind, subject, period, {}
    top = cols[2].number_input(
        "投诉榜平台数", 0, 500, 0, key="rep_top", help="0：当期有投诉的平台全部入榜"
    )
    left, right = st.columns([1, 2])
    template = left.selectbox(
        "报告样式",
        available(),
        index=available().index(DEFAULT),
        key="rep_template",
        placeholder="选择报告样式",
    )
    all_sections = right.checkbox(
        "每个投诉榜平台都写一节（默认只写有典型案例的平台）", key="rep_all_sections"
    )
    intro = st.text_area(
        "报告摘要开头（可选）",
        key="rep_intro",
        max_chars=3000,
        placeholder="如：2023年，个性化产品成为了社交电商市场的主流……（留空则不写开头段落）",
    )
    options = {"top": int(top) or None, "all_sections": all_sections, "template": template}
    return kind, subject, period, {**options, "intro": intro.strip() or None}


def _build(kind: str, subject: str, period: Period, options: dict) -> dict[str, bytes] | None:
    """The files in every format (a report's charts rendered once for all), with progress
    while the charts render; None (said) on no data."""
    if kind != "sector":
        return _publication(kind, subject, period)
    template = options.pop("template")
    try:
        report = data.period_report(Filters(), subject, period, **options)
    except TousuError as exc:
        widgets.empty(str(exc))
        return None
    bar = st.progress(0.0, text="正在汇总数据……")

    def step(share: float, text: str) -> None:  # the charts, then the three files
        bar.progress(0.1 + 0.8 * share, text=text if share < 1 else "正在生成文件……")

    try:
        files = write_all(report, FORMATS, step, template)
    except TousuError as exc:  # an added style with a mistake: where, in Chinese
        bar.empty()
        st.error(str(exc))
        return None
    bar.empty()
    st.session_state["rep_title"] = report.title
    return files


def _publication(kind: str, subject: str, period: Period) -> dict[str, bytes] | None:
    """A 消费评级榜, 投诉榜 or company report in every format, from one HTML page."""
    try:
        if kind == "ratings":
            doc = data.rating_list(Filters(), subject, period)
        elif kind == "leaderboard":
            doc = data.rank_list(Filters(), subject, period)
        else:
            doc = data.company_report(Filters(), subject, period)
    except TousuError as exc:
        widgets.empty(str(exc))
        return None
    with st.spinner("正在生成文件……"):
        files = publish.write_all(doc, FORMATS)
    st.session_state["rep_title"] = doc.title
    return files


def render() -> None:
    st.title("报告")
    st.caption(
        "按赛道和期间（月度、季度、半年度、年度）生成投诉数据与典型案例报告、消费评级榜、"
        "投诉榜，或按平台生成企业报告。"
        "所有数字与看板和 tousu 命令行一致；投诉人信息按报告惯例隐去。"
    )
    chosen = _choices()
    if chosen is None:
        return
    key = (repr(chosen), data.data_version()[0])
    if st.button("生成报告", type="primary", key="rep_go"):
        kind, subject, period, options = chosen
        st.session_state["rep_files"] = (key, _build(kind, subject, period, dict(options)))
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
