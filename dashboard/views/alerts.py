"""预警: what rose or fell in the latest complete week or month, before anyone goes looking.

The alerts come from models/alerts (a seasonal count model over the summaries); each one is
said in a sentence, drawn against what was expected, and leads to its complaints.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from models import clock
from models.access.policy import Can
from models.alerts.detect import Alert, When
from models.rules.filters import Filters
from web import charts, data, widgets
from web.chart_memo import vega_spec
from web.markup import literal
from web.viewer import current_viewer

KINDS = {"week": "周", "month": "月"}
#: How far back a reader may look: a year of weeks, two years of months.
OFFERED = {"week": 52, "month": 24}
KIND_NAMES = {
    "rise": "投诉上升",
    "grade": "评级下降",
    "reply_rate": "平台反馈率下降",
    "timeliness": "回复时效性下降",
}
SHOWN = 30  # alerts drawn one by one; the download has them all
#: The download's columns (the command line's, in Chinese).
COLUMNS = (
    *("类型", "赛道", "平台", "问题类型", "地区", "期间"),
    *("实际", "预期", "倍数", "显著程度", "说明"),
)


def render() -> None:
    # Checked here too, not only by the menu (a share link opens it only when it allows).
    if not current_viewer().can(Can.ALERTS):
        st.error("无权访问：此页面需要“消费预警”权限。")
        st.stop()
    st.title("预警")
    # Its own choices, not the sidebar's: the line says them (the sidebar's would mislead).
    line = st.empty()
    when, sectors = _choices()
    scope = [_title(when), "、".join(sectors) or "全部赛道"]
    line.caption(
        " · ".join(
            [
                *(literal(p) for p in scope),
                "投诉异常上升的平台、赛道、问题类型和地区，评级下降、反馈变差的平台",
            ]
        )
    )
    # Every status the viewer may see: a rise shows first in complaints not yet reviewed.
    filters = Filters(statuses=None, sectors=tuple(sectors) or None)
    found = data.alerts(filters, when)
    if not found:
        st.success(
            f"{_title(when)}没有预警：各平台、赛道、问题类型和地区的投诉量都在预期范围内"
            + ("，评级与回复情况没有明显下降。" if when.kind == "month" else "。")
        )
        return
    rises = sum(a.kind == "rise" for a in found)
    st.caption(
        f"{_title(when)}共 {len(found)} 条预警（投诉上升 {rises} 条），按显著程度排列"
        + (f"；下面列出前 {SHOWN} 条，下载包含全部" if len(found) > SHOWN else "")
        + "。"
    )
    widgets.downloads("消费预警", _table(found), "al_list", scope=[when.code])
    for i, alert in enumerate(found[:SHOWN]):
        _card(filters, alert, i)


def _choices() -> tuple[When, list[str]]:
    cols = st.columns([1, 2, 3])
    kind = (
        cols[0].segmented_control(
            "周期", list(KINDS), format_func=KINDS.get, key="al_kind", default="week"
        )
        or "week"
    )
    latest = When.latest(kind, clock.today())
    offered = [latest.step(-i) for i in range(OFFERED[kind])]
    when = cols[1].selectbox("期间", offered, format_func=_title, key=f"al_{kind}")
    known = sorted({p.sector for p in data.platforms(Filters(statuses=None))})
    sectors = cols[2].multiselect("赛道", known, placeholder="全部赛道", key="al_sector")
    return when or latest, sectors


def _title(when: When) -> str:
    if when.kind == "month":
        return f"{when.first.year}年{when.first.month}月"
    year, week, _ = when.first.isocalendar()
    return (
        f"{year}年第{week}周（{when.first.month}月{when.first.day}日至"
        f"{when.last.month}月{when.last.day}日）"
    )


def _series_name(alert: Alert) -> str:
    parts = [alert.platform or (f"{alert.sector}赛道" if alert.sector else None)]
    parts += [alert.problem_type, alert.province]
    return " · ".join(p for p in parts if p) or "全部投诉"


def _card(filters: Filters, alert: Alert, i: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{KIND_NAMES[alert.kind]}** · {literal(_series_name(alert))}")
        st.text(alert.sentence + "。")  # names from data: plain text
        cols = st.columns(4)
        if alert.kind == "rise":
            cols[0].metric("投诉量", f"{alert.actual:,.0f} 件")
            few = alert.expected < 1  # a ratio to almost nothing says nothing
            cols[1].metric("预期", "不到 1 件" if few else f"约 {alert.expected:,.0f} 件")
            cols[2].metric("为预期的", "—" if few else f"{alert.ratio:.1f} 倍")
        else:
            digits = 2 if alert.kind == "reply_rate" else 3
            cols[0].metric("本月", f"{alert.actual:.{digits}f}")
            cols[1].metric("上月", f"{alert.expected:.{digits}f}")
            cols[2].metric("变化", f"{alert.actual - alert.expected:+.{digits}f}")
        cols[3].metric("显著程度", f"{alert.score:.1f}", help="−log10 p：越大越不可能是偶然")
        if alert.kind == "rise":
            trace = data.alert_trace(filters, alert)
            if not trace.empty:
                unit = "周" if alert.period.count("W") else "月"
                chart = charts.alert_band(trace, f"每{unit}投诉量")
                st.vega_lite_chart(vega_spec(chart), width="stretch", key=f"al_c{i}")
                st.caption("灰色带为预期范围（约95%），虚线为预期值，深色点为预警所在期间。")
        st.markdown(f"[{_link_text(alert)}]({_link(alert)})")


def _window(alert: Alert) -> tuple[date, date]:
    when = When.parse(alert.period)
    return when.step(1 - alert.window).first, when.last


def _link_text(alert: Alert) -> str:
    return "查看这些投诉 →" if alert.kind == "rise" else "查看该平台的评级 →"


def _link(alert: Alert) -> str:
    """The complaints behind a rise (典型案例's list, filtered), or a platform's ratings."""
    if alert.kind != "rise":
        return "ratings?" + urlencode({"rp": alert.platform or "", "period": alert.period})
    first, last = _window(alert)
    query = [("period", "custom"), ("from", first.isoformat()), ("to", last.isoformat())]
    query += [("typical", "false")]
    for name, value in (
        ("sector", alert.sector if not alert.platform else None),
        ("platform", alert.platform),
        ("ptype", alert.problem_type),
        ("province", alert.province),
    ):
        if value:
            query.append((name, value))
    return "cases?" + urlencode(query)


def _table(found: list[Alert]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "类型": KIND_NAMES[a.kind],
                "赛道": a.sector or "",
                "平台": a.platform or "",
                "问题类型": a.problem_type or "",
                "地区": a.province or "",
                "期间": a.period,
                "实际": a.actual,
                "预期": a.expected,
                "倍数": a.ratio,
                "显著程度": a.score,
                "说明": a.sentence,
            }
            for a in found
        ],
        columns=list(COLUMNS),
    )


if __name__ == "__main__":
    widgets.live(render)
