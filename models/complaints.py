"""Rules every write of a complaint follows, whatever its source (import, admin page, demo).

The derived columns (submitted_month, reply_tier, score) are computed here and only here.
"""

from __future__ import annotations

from datetime import datetime

from models.labels import PENDING, RATED, REJECTED, REPLIED, TRANSFERRED
from models.rating import reply_tier


def month_of(moment: datetime) -> int:
    """YYYYMM of a time."""
    return moment.year * 100 + moment.month


def tier_of(transferred_at: datetime | None, replied_at: datetime | None) -> int | None:
    """Timeliness tier of a reply; None when there is no reply."""
    if replied_at is None:
        return None
    start = transferred_at or replied_at
    return reply_tier((replied_at - start).total_seconds() / 3600)


def default_status(replied: bool, scored: bool) -> str:
    """已评价, 已回复 or 已移交 from what a complaint holds."""
    if scored:
        return RATED
    if replied:
        return REPLIED
    return TRANSFERRED


def status_problem(status: str, replied: bool, scored: bool) -> str | None:
    """Why ``status`` contradicts what the complaint holds; None when consistent."""
    if status in (PENDING, REJECTED) and (replied or scored):
        return f"状态为“{status}”的投诉不能有回复或满意度"
    if status == TRANSFERRED and (replied or scored):
        return "已有回复的投诉状态应为“已回复”或“已评价”"
    if status == REPLIED and not replied:
        return "状态“已回复”需要回复时间"
    if status == REPLIED and scored:
        return "已有满意度的投诉状态应为“已评价”"
    if status == RATED and not scored:
        return "状态“已评价”需要满意度"
    return None
