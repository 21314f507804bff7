"""Tables as people read them: domain rows → DataFrames with the reports' column names.

One builder per kind of row, shared by the pages, so a column is named and formatted the
same way wherever it appears (and in every download made from it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, time

import pandas as pd
import pyarrow as pa

from models.reads.cases import CaseRow
from models.reads.queues import QueueItem
from models.reads.stats import Share
from models.rules import dimensions
from models.rules.dimensions import FILTERED
from models.rules.numbers import fraction
from models.rules.periods import IN_PROGRESS
from web.chart_memo import memoized_frame


def moment(at: datetime) -> str:
    """A complaint's time as people read it: 2024-05-10 09:30, or 2023-12-12 alone when it
    is midnight exactly — what a date-only source (a report's typical case, an import
    with dates) is stored as; an invented 00:00 is not shown."""
    day = at.date().isoformat()  # 0999-01-01 too (strftime would print 999-01-01)
    return day if at.time() == time(0) else f"{day} {at:%H:%M}"


CASE_COLUMNS = ["编号", "投诉时间", "投诉人", "投诉平台", "赛道", "问题类型", "状态", "标题"]


def cases(rows: Iterable[CaseRow]) -> pd.DataFrame:
    """A list of complaints: complainant and title as the reader may see them."""
    return pd.DataFrame(
        [
            {
                "编号": r.id,
                "投诉时间": moment(r.submitted_at),
                "投诉人": r.complainant,
                "投诉平台": r.platform,
                "赛道": r.sector,
                "问题类型": r.problem_type,
                "状态": r.status,
                "标题": r.title or "",
            }
            for r in rows
        ],
        columns=CASE_COLUMNS,
    )


def cases_table(rows: Iterable[CaseRow]) -> pa.Table:
    """:func:`cases` as the Arrow table a grid is sent as, made once per rows (the frame and
    its conversion were a few milliseconds of every run of 总览 and 典型案例)."""
    return _cases_table(tuple(rows))


@functools.lru_cache(maxsize=256)
def _cases_table(rows: tuple[CaseRow, ...]) -> pa.Table:
    return pa.Table.from_pandas(cases(rows), preserve_index=False)


def case_export(rows: Iterable[CaseRow]) -> pd.DataFrame:
    """The case list as a download: the list's columns (the time as a time, so Excel
    sorts and filters it), plus 投诉地区, 金额区间 and each dimension the sidebar filters by
    (投诉人类型 …); masked as on screen."""
    chosen = [d.label for d in FILTERED]
    return pd.DataFrame(
        [
            {
                "编号": r.id,
                "投诉时间": r.submitted_at.replace(second=0, microsecond=0),
                "投诉人": r.complainant,
                "投诉平台": r.platform,
                "赛道": r.sector,
                "投诉地区": r.province or "",
                "问题类型": r.problem_type,
                "金额区间": r.amount_bracket,
                **{dimensions.get(name).label: label for name, label in r.choices},
                "状态": r.status,
                "标题": r.title or "",
            }
            for r in rows
        ],
        columns=[
            *CASE_COLUMNS[:5],
            "投诉地区",
            "问题类型",
            "金额区间",
            *chosen,
            *CASE_COLUMNS[6:],
        ],
    ).astype({"投诉时间": "datetime64[s]"})


@memoized_frame
def shares_frame(items: Iterable[Share]) -> pd.DataFrame:
    """A distribution as its chart draws it, on a page or in a report (columns label,
    count, percent as text: 38.89%)."""
    return pd.DataFrame([s.row() for s in items], columns=["label", "count", "percent"])


@memoized_frame
def shares(items: Iterable[Share], label: str) -> pd.DataFrame:
    """A distribution as a download: ``label`` (问题类型, 性别 …), 投诉量, 占比 (a fraction
    of the reports' two-decimal percent: 38.89% → 0.3889)."""
    rows = [(s.label, s.count, fraction(s.percent)) for s in items]
    return pd.DataFrame(rows, columns=[label, "投诉量", "占比"]).astype({"投诉量": "int64"})


def days_and_hours(hours: float) -> str:
    """A wait as people say it: 3天5小时, 5小时, 不到1小时 (whole hours, rounded down)."""
    whole = int(hours)
    days, rest = divmod(whole, 24)
    if days:
        return f"{days}天{rest}小时" if rest else f"{days}天"
    return f"{rest}小时" if rest else "不到1小时"


def deadline_text(item: QueueItem) -> str:
    """How long is left before the next timeliness step: 72小时期限还剩5小时, or 已超过120小时."""
    if item.next_deadline is None:
        return item.overdue
    left = days_and_hours(item.next_deadline - item.hours_waiting)
    return f"{item.next_deadline:g}小时期限还剩{left}"


def reply_queue(items: Iterable[QueueItem]) -> pd.DataFrame:
    """Complaints awaiting a reply, with how long they have waited and what time is left."""
    return pd.DataFrame(
        [
            {
                "编号": i.id,
                "平台": i.platform,
                "问题类型": i.problem_type,
                "标题": i.title or "",
                "移交时间": moment(i.transferred_at),
                "已等待": days_and_hours(i.hours_waiting),
                "回复期限": deadline_text(i),
            }
            for i in items
        ],
        columns=["编号", "平台", "问题类型", "标题", "移交时间", "已等待", "回复期限"],
    )


MISSING = "—"


def for_display(frame: pd.DataFrame, keep: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` with empty cells shown as —, not as the grid's "None" (downloads keep the
    empty cell and the numbers): columns with an empty cell become text, except ``keep``
    (columns the page formats itself)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column not in set(keep) and values.isna().any():
            out[column] = [MISSING if pd.isna(v) else _cell_text(v) for v in values]
    return out


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a rank read as 8.0 where another row has none
    return str(value)


def with_status(frame: pd.DataFrame) -> pd.DataFrame:
    """A chart's download with its ``partial`` flag said in words: a 状态 column reading
    统计中 for a period still in progress — only when one is (a year that has ended needs
    no column of blanks)."""
    out = frame.drop(columns=["partial"])
    if frame["partial"].any():
        out["状态"] = [IN_PROGRESS if partial else "" for partial in frame["partial"]]
    return out
