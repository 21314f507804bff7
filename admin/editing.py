"""One complaint (or account) open in a form while someone else may change it.

A save sends the version the person saw, and the domain refuses it if the complaint has
moved on (no lost update). That version must be the one on screen when the form was
drawn, not one re-read in the run that handles the click: the page keeps it in
session_state while the form stays on screen. Streamlit forgets a widget's state when
the widget is not drawn, so ``form_key`` (a widget of the form) tells whether the form
was on screen in the previous run; if not, this is a fresh opening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from admin.common import read, run_write
from models.access.roles import Actor
from models.errors import NotFound
from models.reads import cases
from models.reads.cases import CaseDetail
from models.rules.labels import COUNTING_STATUSES
from models.writes import workflow
from models.writes.workflow import describe_changes
from web.case_panel import case_panel
from web.markup import literal


def _seen_key(page: str, item_id: Any) -> str:
    return f"{page}_seen_{item_id}"


def is_open(page: str, complaint_id: int | None, form_key: str) -> bool:
    """Whether the form for ``complaint_id`` was on screen in the previous run (and not
    just saved): the page keeps it open even if the complaint left its list meanwhile."""
    return (
        complaint_id is not None
        and form_key in st.session_state
        and _seen_key(page, complaint_id) in st.session_state
    )


def seen_version(page: str, item_id: Any, current: int, form_key: str) -> int:
    """The item's version when this person's form for it was drawn (a complaint's, or an
    account's on 用户管理); kept until a successful save (:func:`forget_seen`) or a reload
    (:func:`changed_notice`)."""
    key = _seen_key(page, item_id)
    if form_key not in st.session_state or key not in st.session_state:
        st.session_state[key] = current
    return st.session_state[key]


def forget_seen(page: str, item_id: Any) -> None:
    """After a successful save: the next drawing starts from the saved version."""
    st.session_state.pop(_seen_key(page, item_id), None)


def changed_notice(
    page: str,
    who: Actor,
    item_id: Any,
    seen: int,
    current: int,
    *,
    explain: bool = True,
    describe: Callable[..., str] = describe_changes,
    subject: str | None = None,
) -> None:
    """If the item (a complaint, or an account with ``describe`` and ``subject`` given)
    changed since the form was drawn: say who changed what, keep what the person typed,
    and offer to load the latest version (a deliberate choice)."""
    if current == seen:
        return
    if explain:
        what = read(describe, who, item_id, seen)
        st.warning(
            literal(f"你打开{subject or f'投诉 {item_id}'}之后，{what}。")
            + "上方显示的是最新内容；你填写的内容仍在表单中，现在保存会被拒绝。"
            "请核对后点“载入最新内容”，再决定是否保存。"
        )
    if st.button("载入最新内容", key=f"{page}_reload_{item_id}"):
        st.session_state[_seen_key(page, item_id)] = current
        st.rerun()


@dataclass
class Editing:
    """A complaint drawn for editing: its detail, the version seen, the notice slot."""

    page: str
    who: Actor
    id: int
    detail: CaseDetail
    seen: int
    notice: DeltaGenerator
    refused: bool = False

    def save(self, write: Callable[..., Any], success: str, **values: Any) -> None:
        """Run ``write`` with the version seen; a success starts afresh, a refusal keeps
        what was typed on screen."""
        if run_write(write, self.who, self.id, seen_version=self.seen, success=success, **values):
            forget_seen(self.page, self.id)
            st.rerun()
        self.refused = True

    def close(self) -> None:
        """Say, above the form, if the complaint changed since it was drawn."""
        with self.notice:
            changed_notice(
                self.page,
                self.who,
                self.id,
                self.seen,
                self.detail.version,
                explain=not self.refused,
            )


def _staff_detail(who: Actor, complaint_id: int):
    """The complaint in full, or None when there is none the person may open: one that
    does not exist and one outside their scope (another platform's) look the same."""
    try:
        return read(cases.complaint_for_staff, who, complaint_id)
    except NotFound:
        return None


def typed_id(column, key: str) -> int | None:
    """The "或输入投诉编号" box beside a picker: a picker lists the first
    :data:`models.reads.queues.LISTED`, any other complaint opens by its number."""
    typed = column.number_input(
        "或输入投诉编号", min_value=1, max_value=2**53 - 1, step=1, value=None, key=key
    )
    return int(typed) if typed else None


def open_complaint(page: str, who: Actor, complaint_id: int, form_key: str) -> Editing | None:
    """Show the complaint in full for staff, ready for a form; None (said) if it is gone."""
    detail = _staff_detail(who, complaint_id)
    if detail is None:
        st.warning(f"投诉 {complaint_id} 不存在。")
        return None
    seen = seen_version(page, complaint_id, detail.version, form_key)
    case_panel(detail, reveal=True)
    return Editing(page, who, complaint_id, detail, seen, st.container())


def keep_open(page: str, options: list[int], picked: int | None, form_prefix: str) -> list[int]:
    """``options`` plus the complaint whose form is open, if it left the list meanwhile
    (handled by someone else): the person's form stays on screen."""
    if picked not in options and is_open(page, picked, f"{form_prefix}{picked}"):
        return [*options, picked]
    return options


def typical_form(who: Actor, complaint_id: int) -> None:
    """典型案例: mark the complaint for reports, with its headline (案例标题); saved like every
    staff write (role checked, version checked, audited)."""
    page = "tc"
    detail = _staff_detail(who, complaint_id)
    if detail is None:
        return
    row = detail.row
    if row.status not in COUNTING_STATUSES:  # the domain refuses it too; say so first
        st.caption(f"“{row.status}”的投诉不能作为典型案例：审核移交之后才能标记。")
        return
    form_key = f"tc_headline_{complaint_id}"
    seen = seen_version(page, complaint_id, detail.version, form_key)
    edit = Editing(page, who, complaint_id, detail, seen, st.container())
    with st.form(f"typical_{complaint_id}"):
        st.markdown("**典型案例**（报告“评级数据与典型案例”一节引用）")
        mark = st.checkbox("标为典型案例", value=row.typical, key=f"tc_mark_{complaint_id}")
        headline = st.text_input(
            "案例标题",
            value=row.headline or row.title or "",
            max_chars=workflow.HEADLINE_LENGTH,
            key=form_key,
            placeholder="如：“爱库存”生鲜产品竟无保鲜措施？用户要求补发被拒",
        )
        handling = st.text_area(
            "处理情况（报告中案例之后的一段）",
            value=detail.handling or "",
            key=f"tc_handling_{complaint_id}",
            placeholder=f"留空则用默认：有回复时引用{row.platform}的回复，否则写“但截至发稿前，"
            f"尚未收到{row.platform}平台工作人员的回复。”",
        )
        if st.form_submit_button("保存典型案例设置", key=f"tc_save_{complaint_id}"):
            done = f"投诉 {complaint_id} 已{'标为' if mark else '取消'}典型案例"
            edit.save(
                workflow.mark_typical, done, typical=mark, headline=headline, handling=handling
            )
    edit.close()
