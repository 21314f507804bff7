"""Tables as people read them: domain rows → DataFrames with the reports' column names.

One builder per kind of row, shared by the pages, so a column is named and formatted the
same way wherever it appears (and in every download made from it).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from models.reads.cases import CaseRow
from models.reads.queues import QueueItem

CASE_COLUMNS = ["编号", "投诉时间", "投诉人", "投诉平台", "赛道", "问题类型", "状态", "标题"]


def cases(rows: Iterable[CaseRow]) -> pd.DataFrame:
    """A list of complaints: complainant and title as the reader may see them."""
    return pd.DataFrame(
        [
            {
                "编号": r.id,
                "投诉时间": r.submitted_at.strftime("%Y-%m-%d %H:%M"),
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


def days_and_hours(hours: float) -> str:
    """A wait as people say it: 3天5小时, 5小时, 不到1小时 (whole hours, rounded down)."""
    whole = int(hours)
    days, rest = divmod(whole, 24)
    if days:
        return f"{days}天{rest}小时" if rest else f"{days}天"
    return f"{rest}小时" if rest else "不到1小时"


def reply_queue(items: Iterable[QueueItem]) -> pd.DataFrame:
    """Complaints awaiting a reply, with how long they have waited and what is overdue."""
    return pd.DataFrame(
        [
            {
                "编号": i.id,
                "平台": i.platform,
                "问题类型": i.problem_type,
                "标题": i.title or "",
                "移交时间": i.transferred_at.strftime("%Y-%m-%d %H:%M"),
                "已等待": days_and_hours(i.hours_waiting),
                "逾期": i.overdue,
            }
            for i in items
        ],
        columns=["编号", "平台", "问题类型", "标题", "移交时间", "已等待", "逾期"],
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
