"""回复录入: the queue of transferred complaints awaiting the platform's reply."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from admin.common import opened, read
from admin.editing import is_open, open_complaint, typed_id
from models.access.policy import Can
from models.clock import local_now
from models.reads import queues
from models.reads.platforms import platforms_in
from models.rules.filters import Filters
from models.rules.text import LONG_TEXT
from models.writes import workflow
from web import frames, widgets
from web.viewer import current_viewer

AGES = [*queues.BANDS, "全部"]
PAGE = "rq"


def _reply_form(who, chosen: int) -> None:
    """The complaint in full and its reply form; a stale save is refused, text kept."""
    edit = open_complaint(PAGE, who, chosen, f"rq_text_{chosen}")
    if edit is None:
        return
    now = local_now()
    backdates = current_viewer().can(Can.BACKDATE_REPLY)
    with st.form(f"reply_{chosen}", clear_on_submit=False):
        # The limit the domain stores and imports allow: a browser drops a whole paste
        # that would pass a field's max_chars, so a lower one lost long replies.
        text = st.text_area("平台回复内容", key=f"rq_text_{chosen}", max_chars=LONG_TEXT)
        if backdates:
            c1, c2 = st.columns(2)
            day = c1.date_input(
                "回复日期", value=now.date(), key=f"rq_day_{chosen}", format="YYYY-MM-DD"
            )
            clock = c2.time_input("回复时间", value=now.time(), key=f"rq_time_{chosen}", step=60)
            st.caption(
                "回复日期和时间默认为现在。若平台较早已回复、现在才录入，请改为平台实际回复的"
                "时间：回复时效性按它计算。"
            )
        else:  # the rated platform's own account: its reply counts from when it is saved
            st.caption("回复时间记为保存的时间，回复时效性按它计算。")
        if st.form_submit_button("保存回复", type="primary", key=f"rq_save_{chosen}"):
            replied_at = (
                datetime.combine(day, clock).replace(second=0, microsecond=0) if backdates else None
            )
            # The time saved, said: a date field left half-edited in the browser keeps its
            # last whole value, which the person should see.
            saved_at = f"{replied_at:%Y-%m-%d %H:%M}" if replied_at else "保存时"
            edit.save(
                workflow.enter_reply,
                f"已保存投诉 {chosen} 的回复（回复时间：{saved_at}）",
                text=text,
                replied_at=replied_at,
            )
    edit.close()


def _label(cid: int, platform: str, title: str | None) -> str:
    """How a complaint is listed in the picker, so that typing its id, platform or title
    finds it (557 · 云集 · 退款迟迟不到账…)."""
    short = (title or "无标题").strip()
    short = short if len(short) <= 20 else short[:20] + "…"
    return f"{cid} · {platform} · {short}"


def _queue(who) -> tuple[list, int, dict[str, int], str]:
    """The queue narrowed by platform and waiting time (the two controls above it), and
    how many wait in each band."""
    names = [p.name for p in read(platforms_in, Filters(statuses=None))]  # the viewer's own
    cols = st.columns([2, 3])
    platform = cols[0].selectbox(
        "平台", ["全部平台", *names], key="rq_platform", placeholder="选择平台"
    )
    chosen = None if platform == "全部平台" else platform
    bands = read(queues.reply_bands, who, platform=chosen)
    band = (
        cols[1].segmented_control(
            "等待时长",
            AGES,
            format_func=lambda b: b if b == "全部" else f"{b}（{bands[b]:,}）",
            key="rq_age",
            default=queues.DEFAULT_BAND,
            required=True,
        )
        or queues.DEFAULT_BAND
    )
    low, high = queues.BANDS.get(band, (0, None))
    items, total = read(queues.reply_queue, who, platform=chosen, min_hours=low, max_hours=high)
    return items, total, bands, band


def render() -> None:
    who = opened(__file__, "回复录入")
    items, total, bands, band = _queue(who)
    late = sum(bands.values()) - bands[queues.DEFAULT_BAND]
    shown = f"（显示前 {len(items):,} 件）" if total > len(items) else ""
    st.caption(
        f"{'全部' if band == '全部' else f'等待{band}的'}待回复投诉 {total:,} 件{shown}，"
        "最先到期的在前。回复时效性：移交后72小时内回复记 1，72–120小时记 0.6，超过120小时"
        f"记 0。默认显示72小时内的（还来得及记 1）；已超过72小时的 {late:,} 件在"
        "“72–120小时”“超过120小时”中。"
    )
    open_id = st.session_state.get("rq_open")
    keep = open_id if is_open(PAGE, open_id, f"rq_text_{open_id}") else None
    typed = typed_id(st, "rq_id")  # any complaint, listed or not (the list stops at 200)
    if typed is not None:
        _reply_form(who, typed)
        return
    if not items and keep is None:
        st.info(f"没有等待{band}的待回复投诉。" if band != "全部" else "没有等待回复的投诉。")
        return
    frame = frames.reply_queue(items)
    rows = widgets.pick_table(frame, "rq_table")
    # Follow the table only when the person changes the selection: when the queue changes
    # under it (someone replied), the same row number is another complaint.
    if rows and rows != st.session_state.get("rq_rows"):
        st.session_state["rq_open"] = int(frame.iloc[rows[0]]["编号"])
    st.session_state["rq_rows"] = rows
    ids = [i.id for i in items]
    labels = {i.id: _label(i.id, i.platform, i.title) for i in items}
    if keep is not None and keep not in ids:
        ids.append(keep)  # replied by someone else meanwhile: keep the open form
    if st.session_state.get("rq_open") not in ids:
        st.session_state["rq_open"] = None
    chosen = st.selectbox(
        "录入回复的投诉（也可在表格中选择）",
        sorted(ids),  # by id: typing 557 offers 557 first, not a longer-waiting 5574
        index=None,
        key="rq_open",
        format_func=lambda cid: labels.get(cid, str(cid)),
        placeholder="输入编号、平台或标题查找",
    )
    if chosen is None:
        return
    _reply_form(who, chosen)


if __name__ == "__main__":
    render()
