"""分享链接: read-only dashboard links for journalists — scoped, expiring, revocable."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from admin.common import opened, read, run_write
from models.access import sharing
from models.reads.platforms import platforms as all_platforms


def _seen_at() -> str | None:
    """The address this admin opened the app at (scheme and host, no path)."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _create_form(who) -> None:
    """The form for a new link; the URL is shown once, after the rerun."""
    infos = list(read(all_platforms).values())
    with st.form("sh_create"):
        label = st.text_input("标签（显示在页面顶部，如“2024年金融科技报道”）", key="sh_label")
        c1, c2 = st.columns(2)
        sectors = c1.multiselect(
            "限定赛道", sorted({p.sector for p in infos}), key="sh_sectors", placeholder="不限"
        )
        platforms = c2.multiselect(
            "限定平台", sorted(p.name for p in infos), key="sh_platforms", placeholder="不限"
        )
        c3, c4, c5 = st.columns(3)
        date_from = c3.date_input(
            "开始日期（可空）", value=None, key="sh_from", format="YYYY-MM-DD"
        )
        date_to = c4.date_input("结束日期（可空）", value=None, key="sh_to", format="YYYY-MM-DD")
        days = c5.number_input(
            "有效天数",
            min_value=1,
            max_value=sharing.MAX_DAYS,
            value=sharing.DEFAULT_DAYS,
            key="sh_days",
        )
        downloads = st.checkbox("允许下载数据和图片", value=True, key="sh_downloads")
        alerts = st.checkbox(
            "也可查看“预警”页面",
            value=False,
            key="sh_alerts",
            help="预警是内部信息，默认不对链接开放；链接范围同样适用于预警",
        )
        if st.form_submit_button("创建链接", type="primary"):
            done = run_write(
                sharing.create_link,
                who,
                label=label,
                expires_days=int(days),
                sectors=sectors or None,
                platforms=platforms or None,
                date_from=date_from,
                date_to=date_to,
                downloads=downloads,
                alerts=alerts,
                success="分享链接已创建",
            )
            if done:
                _info, token = done.value
                st.session_state["sh_new_url"] = sharing.url_for(token, _seen_at())


def _links(who) -> None:
    """Every link with its scope, state and use; an active one can be revoked at once."""
    links = read(sharing.list_links, who)
    frame = pd.DataFrame(
        [
            {
                "编号": i.id,
                "标签": i.label,
                "范围": i.describe(),
                "下载": "允许" if i.downloads else "不允许",
                "预警": "可查看" if i.alerts else "不可查看",
                "有效期至": f"{i.expires_at:%Y-%m-%d %H:%M}",
                "状态": i.state,
                "访问次数": i.views,
                "最近访问": f"{i.last_used_at:%Y-%m-%d %H:%M}" if i.last_used_at else "",
                "创建人": i.created_by,
            }
            for i in links
        ],
        columns=[
            "编号",
            "标签",
            "范围",
            "下载",
            "有效期至",
            "状态",
            "访问次数",
            "最近访问",
            "创建人",
        ],
    )
    st.subheader("已有链接")
    st.dataframe(frame, hide_index=True, width="stretch", key="sh_table")
    active = [i.id for i in links if i.state == "有效"]
    if active:
        c1, c2 = st.columns([2, 1])
        chosen = c1.selectbox(
            "撤销链接（立即失效）",
            active,
            index=None,
            key="sh_revoke_pick",
            placeholder="选择链接",
            format_func=lambda i: f"{i} · {next(x.label for x in links if x.id == i)}",
        )
        if (
            chosen
            and c2.button("撤销", key="sh_revoke")
            and run_write(sharing.revoke, who, chosen, success=f"分享链接 {chosen} 已撤销")
        ):
            st.rerun()


def render() -> None:
    who = opened(__file__, "分享链接")
    st.caption(
        "记者凭链接只读查看看板：只含已审核的投诉，个人信息一律脱敏，只能看到链接范围内的数据。"
    )
    _create_form(who)
    new_url = st.session_state.pop("sh_new_url", None)
    if new_url:
        st.success("链接只显示这一次，请复制保存：")
        st.code(new_url, language=None)
        if sharing.is_loopback(new_url):
            st.warning(sharing.LOOPBACK_WARNING.format(base=sharing.base_url(_seen_at())))
    _links(who)


if __name__ == "__main__":
    render()
