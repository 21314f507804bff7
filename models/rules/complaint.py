"""Rules every write of a complaint follows, whatever its source (import, admin page, demo).

The derived columns (submitted_month, reply_tier, score, public_text) are computed here
and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from models.rules.labels import PENDING, RATED, REJECTED, REPLIED, TRANSFERRED
from models.rules.privacy import Subject, scrub
from models.rules.rating import reply_tier


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


def public_text(values: Mapping[str, Any]) -> str | None:
    """Title and content as anyone but staff may search them: scrubbed of personal data.

    Stored in ``complaint.public_text`` on every write of a complaint, so that a keyword
    search by a journalist can never find a complaint by a phone number or a name.
    """
    get = values.get
    return public_text_of(
        *(get("title"), get("content"), get("complainant"), get("gender")),
        *(get("phone"), get("email"), get("id_number"), get("order_number")),
    )


def public_text_of(
    title: str | None,
    content: str | None,
    complainant: str | None,
    gender: str | None,
    phone: str | None,
    email: str | None,
    id_number: str | None,
    order_number: str | None,
) -> str | None:
    """:func:`public_text` from the values themselves (bulk writes hold tuples, not dicts)."""
    subject = Subject.of(
        complainant,
        gender,
        phone=phone,
        email=email,
        id_number=id_number,
        order_number=order_number,
    )
    parts = (scrub(title, subject), scrub(content, subject))
    return "\n".join(part for part in parts if part) or None
