"""典型案例: search and read complaints. Personal data masked for all but staff;
user-written text is always shown as plain text."""

from __future__ import annotations

import streamlit as st

from admin.common import flash
from admin.editing import typical_form
from dashboard import sidebar
from models.access.policy import Can
from models.reads.cases import COUNT_CAP, CaseQuery
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES, PROBLEM_TYPES, STATUSES
from models.rules.periods import Period
from models.rules.search import LIMIT_NOTE, MAX_CHARS, search_words
from models.settings import get_settings
from web import data, frames, params, widgets
from web.case_panel import case_panel
from web.viewer import actor, current_viewer

PAGE_SIZE = 50


def render() -> None:
    selection = sidebar.current()
    st.title("典型案例")
    widgets.title_line("按投诉时间从新到旧")
    if current_viewer().can(Can.MARK_TYPICAL):
        flash()  # the outcome of a 典型案例 save
    text, types, typical, filters = _search_widgets(selection.filters)
    if typical and sidebar.period_is_default():
        _open_on_typical_cases(filters, selection)
    page = params.get(params.PAGE)
    query = CaseQuery(text.strip(), tuple(types), typical)
    rows, total = data.search_cases(filters, query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    if not rows and total and page > 1:  # past the end (an old link, a hand-typed page)
        page = (min(total, COUNT_CAP) + PAGE_SIZE - 1) // PAGE_SIZE
        params.put(params.PAGE, str(page))
        rows, total = data.search_cases(
            filters, query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    case_id = params.get(params.CASE)
    if case_id is not None:  # a case URL (/cases?case=ID) is a citation: the case first
        _detail(case_id)
    if not rows and typical and not text.strip() and not types:
        _no_typical_here(filters)
        return
    if not rows:
        widgets.empty("没有找到符合条件的投诉。")
        return
    _case_list(rows, total, page, case_id)
    _export(filters, query, total)


def _open_on_typical_cases(filters: Filters, selection: sidebar.Selection) -> None:
    """Readers come for typical cases, and the sidebar's own period (this year) may have
    none yet: the page opens on the latest year that has them, and says so."""
    rows, _total = data.search_cases(
        filters.with_dates(None, None), CaseQuery(typical_only=True), limit=1
    )  # newest first
    if not rows:
        return
    latest = Period(rows[0].submitted_at.year, "year", 1)
    sidebar.open_on(latest)  # reruns unless it is the period already (or not offered)
    if selection.period == latest:
        st.caption(f"显示最近有典型案例的时期：{latest.title}")


def _no_typical_here(filters) -> None:
    """The empty state of 仅典型案例, with one click to every period's typical cases."""
    widgets.empty(
        "所选期间内没有工作人员选定的典型案例。关闭上方“仅典型案例”可查看全部投诉，"
        "或在侧栏选择其他期间。"
    )
    _rows, elsewhere = data.search_cases(
        filters.with_dates(None, None), CaseQuery(typical_only=True), limit=1
    )
    if elsewhere and filters.date_from is not None:
        st.button(
            f"查看全部期间的典型案例（{_count(elsewhere)} 件）",
            on_click=sidebar.show_all_time,  # the sidebar is drawn: changed before the next run
            key="cs_all_time",
        )


def _case_list(rows: list, total: int, page: int, case_id: int | None) -> None:
    """One page of the list and the pager; a picked row opens its case."""
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    st.caption(f"共 {_count(total)} 件，第 {page}/{pages} 页 · 点选一行查看详情")
    picked = widgets.pick_table(frames.cases_table(rows), "cs_table")
    if pages > 1:  # no empty row of columns under a list of one page
        nav = st.columns([1, 1, 4])
        if page > 1 and nav[0].button("上一页", key="cs_prev"):
            params.put(params.PAGE, str(page - 1))
            st.rerun()
        if page < pages and nav[1].button("下一页", key="cs_next"):
            params.put(params.PAGE, str(page + 1))
            st.rerun()
    if picked:
        chosen = rows[picked[0]].id
        if chosen != case_id:
            params.put(params.CASE, str(chosen))
            st.rerun()


def _count(total: int) -> str:
    return f"超过 {COUNT_CAP:,}" if total > COUNT_CAP else f"{total:,}"


def _export(filters: Filters, query: CaseQuery, total: int) -> None:
    """Every matching case as CSV and Excel — not just this page — up to the export cap,
    read only when a button is clicked; masked exactly as the list is for this viewer."""
    if not current_viewer().downloads:
        return
    cap = get_settings().export_max_rows
    fetch = data.case_export(filters, query, limit=cap)
    if total > cap:
        st.caption(
            f"下载最多包含 {cap:,} 件：符合条件的共 {_count(total)} 件，下载其中最新的 "
            f"{cap:,} 件。缩小筛选范围可下载其余的投诉。"
        )
    else:
        st.caption(f"下载包含全部 {total:,} 件符合条件的投诉，不只本页。")
    title = "典型案例列表" if query.typical_only else "投诉列表"
    widgets.downloads(title, lambda: frames.case_export(fetch()), "cs_list")


def _search_widgets(filters: Filters) -> tuple[str, list[str], bool, Filters]:
    """Words, problem types, statuses and 仅典型案例, kept in the URL (?q=…&ptype=…)."""
    viewer = current_viewer()
    statuses_allowed = STATUSES if viewer.can(Can.REVIEW) else COUNTING_STATUSES
    typical = st.toggle(
        "仅典型案例",
        value=not viewer.can(Can.MARK_TYPICAL),  # readers' interest; staff look for cases to mark
        key="typical",
        bind="query-params",
        help="工作人员选定、用于报告的典型案例",
    )
    cols = st.columns([3, 2, 2])
    text = cols[0].text_input(
        "搜索标题和内容",
        key="q",
        max_chars=MAX_CHARS,  # a longer ?q= is cut to this by Streamlit
        placeholder=f"如：退款 客服（{LIMIT_NOTE}）",
        help=f"标题或内容中同时含有每个词的投诉；空格分隔多个词，{LIMIT_NOTE}。",
        bind="query-params",
    )
    if search_words(text).cut:
        cols[0].caption(f"搜索{LIMIT_NOTE}，超出的部分没有用于搜索。")
    types = cols[1].multiselect(
        "问题类型",
        PROBLEM_TYPES,
        key="ptype",
        placeholder="全部类型",
        accept_new_options=True,  # types outside the reports' list are kept as typed
        max_selections=params.MAX_VALUES,
        bind="query-params",
    )
    types = params.clean(params.PROBLEM_TYPE, types)  # typed, or from the URL: any text
    statuses = cols[2].multiselect(
        "状态", statuses_allowed, key="status", placeholder="全部状态", bind="query-params"
    )
    if statuses:
        filters = data.with_statuses(filters, tuple(statuses))
    elif viewer.can(Can.REVIEW):
        filters = data.with_statuses(filters, None)
    return text, types, typical, filters


def _detail(case_id: int) -> None:
    """One case, within the viewer's scope whatever the sidebar's period: a case URL
    keeps working for everyone allowed to see the case."""
    detail = data.case_detail(Filters(statuses=None), case_id)
    with st.container(border=True):
        if detail is None:
            widgets.empty("该投诉不存在，或不在当前可查看的范围内。")
        else:
            case_panel(detail, reveal=current_viewer().reveal_personal)
            who = actor()
            if who is not None and current_viewer().can(Can.MARK_TYPICAL):
                typical_form(who, case_id)
        if st.button("关闭详情", key="cs_close"):
            params.put(params.CASE, None)
            st.rerun()


if __name__ == "__main__":
    widgets.live(render)
