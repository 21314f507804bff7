"""Ratings as the 平台评级 page shows and exports them: numbers as numbers, the sample each
rating rests on beside it, and 不予评级 never given a place on the index axis.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from models.rules.numbers import fraction
from models.rules.rating import NO_SCORE, REPORT_COLUMNS, SMALL_SAMPLE, Rating
from web.chart_memo import memoized_frame
from web.frames import with_status

NOTE = """\
**评级说明**

- **依据**：只计入已移交、已回复、已评价的投诉（待审核和不予受理的不计入）。
- **平台反馈率** = 已回复投诉 ÷ 投诉量；**回复时效性**：移交后 72 小时内回复得 1 分，
  72–120 小时得 0.6 分，120 小时及以上得 0 分，取已回复投诉的平均值；**用户满意度**：
  已评分投诉的平均分（0–10 分），未评分的不计入。
- **综合指数** = 平台反馈率 × 0.5 + 回复时效性 × 0.3 + 用户满意度 ÷ 10 × 0.2，
  按四舍五入后的三位小数评级：不建议下单 [0, 0.4)，谨慎下单 [0.4, 0.75)，建议下单 [0.75, 1]。
- **不予评级**：平台未入驻或未取得售后联系方式，无论数值如何都不评级，图中不在指数轴上绘制。
- **样本较少**：投诉少于 {minimum} 件的评级，个别投诉就能改变结果，引用时请同时注明投诉量。
- **无评分**：期间内没有已评分的投诉时，页面上的用户满意度显示为“无评分”；按报告的惯例，
  综合指数仍以用户满意度 0 计算，报告的评级表中也写作 0.000。
- **统计中**：尚未结束的期间（本月、本季度、本年）数据还在增加，图中以空心点和虚线表示，
  评级表中标注“统计中”，在结束前不计入“共获得N次消费评级”。
- 投诉量本身不计入评级：投诉多的平台不一定评级低。评级反映平台处理投诉的表现，
  不是对投诉内容真实性的认定。
"""


def note(minimum: int) -> str:
    """The 评级说明 text (Markdown written here, no data in it)."""
    return NOTE.format(minimum=minimum)


def sample_flag(rating: Rating, minimum: int) -> str:
    return SMALL_SAMPLE if rating.small_sample(minimum) else ""


def sample_sentence(rating: Rating, minimum: int) -> str:
    """依据投诉 N 件，其中已回复 M 件、已评分 K 件（样本较少）."""
    inputs = rating.inputs
    text = (
        f"依据投诉 {inputs.complaints:,} 件，其中已回复 {inputs.replied:,} 件、"
        f"已评分 {inputs.scored:,} 件"
    )
    if rating.small_sample(minimum):
        text += f"。{SMALL_SAMPLE}：少于 {minimum} 件，仅供参考"
    return text + "。"


def timeline(ratings: Iterable[Rating], minimum: int, today: date) -> pd.DataFrame:
    """One row per rating (columns: period, composite, grade, few, partial, the components,
    samples).

    ``composite`` is empty for 不予评级, so a chart leaves the point out instead of
    drawing it at 0 in the 不建议下单 band; ``用户满意度`` is empty without a scored
    complaint (无评分), and ``partial`` marks a period still in progress on ``today``.
    """
    # Made once per ratings (frozen, so hashable), ~10 ms a run otherwise; a copy each
    # time, as callers may change it.
    return _timeline(tuple(ratings), minimum, today).copy()


@functools.lru_cache(maxsize=256)
def _timeline(ratings: tuple[Rating, ...], minimum: int, today: date) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "period": r.period.code if r.period else "",
                "composite": r.index,
                "grade": r.grade,
                "few": r.small_sample(minimum),
                "partial": not r.complete(today),
                **_numbers(r),
                "投诉量": r.inputs.complaints,
                "回复量": r.inputs.replied,
                "评分量": r.inputs.scored,
            }
            for r in ratings
        ],
        columns=[
            "period",
            "composite",
            "grade",
            "few",
            "partial",
            "平台反馈率",
            "回复时效性",
            "用户满意度",
            "综合指数",
            "投诉量",
            "回复量",
            "评分量",
        ],
    ).astype({"composite": "float64", "综合指数": "float64", "用户满意度": "float64"})


@memoized_frame
def timeline_export(frame: pd.DataFrame, period_title: str) -> pd.DataFrame:
    """The timeline's download: Chinese headers, numbers as numbers, the sample and (when a
    period is still in progress) its 状态 beside it."""
    return with_status(
        pd.DataFrame(
            {
                period_title: frame["period"],
                "综合指数": frame["综合指数"],
                "评级": frame["grade"],
                "投诉量": frame["投诉量"],
                "回复量": frame["回复量"],
                "评分量": frame["评分量"],
                "样本": [SMALL_SAMPLE if few else "" for few in frame["few"]],
                "partial": frame["partial"],
            }
        )
    )


def _numbers(r: Rating) -> dict[str, float | None]:
    """The four figures as numbers, rounded as the reports print them: 平台反馈率 as a
    fraction (97.87% → 0.9787, shown and exported as a percentage), 用户满意度 empty
    without a scored complaint (无评分 on screen), 综合指数 empty for 不予评级 (it has no
    place on the index)."""
    return {
        "平台反馈率": fraction(r.reply_rate),
        "回复时效性": float(r.timeliness),
        "用户满意度": float(r.satisfaction) if r.has_score else None,
        "综合指数": r.index,
    }


#: How the page's tables show the gaps :func:`_numbers` leaves (widgets.table's ``missing``).
MISSING = {"用户满意度": NO_SCORE}


@memoized_frame
def report_table(ratings: Iterable[Rating], minimum: int, today: date) -> pd.DataFrame:
    """The reports' rating table, numbers as numbers, plus the sample each row rests on; a
    period in progress on ``today`` is marked in 时间段 (12月（统计中）)."""
    return pd.DataFrame(
        [
            {
                "年份": r.period.year_label if r.period else "",
                "时间段": r.period_label(today) if r.period else "",
                **_numbers(r),
                "评级": r.grade,
                "投诉量": r.inputs.complaints,
                "回复量": r.inputs.replied,
                "评分量": r.inputs.scored,
                "样本": sample_flag(r, minimum),
            }
            for r in ratings
        ],
        columns=[*REPORT_COLUMNS, "投诉量", "回复量", "评分量", "样本"],
    ).astype({"综合指数": "float64", "用户满意度": "float64"})


BOARD_COLUMNS = [
    "平台",
    "赛道",
    "投诉量",
    "回复量",
    "评分量",
    "平台反馈率",
    "回复时效性",
    "用户满意度",
    "综合指数",
    "评级",
    "样本",
]


def board(ratings: Iterable[Rating], minimum: int) -> pd.DataFrame:
    """消费评级榜: numbers as numbers; 综合指数 empty for 不予评级 (it has no rank)."""
    return pd.DataFrame(
        [
            {
                "平台": r.platform,
                "赛道": r.sector,
                "投诉量": r.inputs.complaints,
                "回复量": r.inputs.replied,
                "评分量": r.inputs.scored,
                **_numbers(r),
                "评级": r.grade,
                "样本": sample_flag(r, minimum),
            }
            for r in ratings
        ],
        columns=BOARD_COLUMNS,
    ).astype({"综合指数": "float64", "用户满意度": "float64"})


def comparison(timelines: dict[str, list[Rating]], minimum: int, today: date) -> pd.DataFrame:
    """Rated platforms' monthly composite (columns: period, platform, composite, 评级, few,
    partial: the month is in progress on ``today``)."""
    return pd.DataFrame(
        [
            {
                "period": r.period.code,
                "platform": name,
                "composite": r.index,
                "评级": r.grade,
                "投诉量": r.inputs.complaints,
                "few": r.small_sample(minimum),
                "partial": not r.complete(today),
            }
            for name, ratings in timelines.items()
            for r in ratings
            if r.period and r.rated
        ],
        columns=["period", "platform", "composite", "评级", "投诉量", "few", "partial"],
    )


def default_platforms(ratings: Iterable[Rating], sectors: tuple[str, ...] | None) -> list[str]:
    """Rated platforms by complaint volume, largest first — in the chosen sectors, or else in
    the sector of the largest rated platform — so the page opens on something meaningful."""
    rated = sorted(
        (r for r in ratings if r.rated), key=lambda r: (-r.inputs.complaints, r.platform)
    )
    if not rated:
        return []
    wanted = set(sectors) if sectors else {rated[0].sector}
    return [r.platform for r in rated if r.sector in wanted]


@dataclass(frozen=True)
class PlatformFigures:
    """平台评级's figures of one platform and year, made once per ratings (the frames,
    their reshaping and the charts were most of that page's run)."""

    monthly: Any  # the monthly index chart
    monthly_export: pd.DataFrame
    quarters: Any | None  # the year's quarters, None without any
    quarters_export: pd.DataFrame | None
    components: dict[str, Any]  # one small chart per component
    components_export: pd.DataFrame
    components_picture: Any  # all components in one chart (the PNG)


def platform_figures(
    months: Iterable[Rating], ratings: Iterable[Rating], year: int, minimum: int, today: date
) -> PlatformFigures:
    """The figures of a platform: ``months`` its monthly ratings, ``ratings`` the year's
    (全年 and its quarters, as :func:`web.data.year_ratings` gives them). The frames in it
    are shared: callers read them, never change them."""
    return _platform_figures(tuple(months), tuple(ratings), year, minimum, today)


@functools.lru_cache(maxsize=256)
def _platform_figures(
    months: tuple[Rating, ...], ratings: tuple[Rating, ...], year: int, minimum: int, today: date
) -> PlatformFigures:
    from web import charts

    monthly = _timeline(months, minimum, today)
    quarters = timeline(
        [r for r in ratings if r.period and r.period.kind == "quarter"][::-1], minimum, today
    )
    if not quarters.empty:
        quarters["period"] = [f"{year}Q{p[-1]}" for p in quarters["period"]]
    long = monthly.melt(
        id_vars=["period", "partial"],
        value_vars=["平台反馈率", "回复时效性", "用户满意度"]
        + (["综合指数"] if not monthly["综合指数"].isna().all() else []),
        var_name="component",
        value_name="value",
    ).dropna(subset=["value"])
    return PlatformFigures(
        monthly=charts.rating_timeline(monthly, "月份"),
        monthly_export=timeline_export(monthly, "月份"),
        quarters=None if quarters.empty else charts.rating_timeline(quarters, "季度"),
        quarters_export=None if quarters.empty else timeline_export(quarters, "季度"),
        components={
            name: charts.component_line(long[long["component"] == name], name)
            for name in dict.fromkeys(long["component"])
        },
        components_export=with_status(long).rename(
            columns={"period": "月份", "component": "指标", "value": "数值"}
        ),
        components_picture=charts.components_lines(long),
    )
