"""Complaint rows: the columns of a complaints file and the check of every cell.

A row passes when every cell fits its column (length, characters, format, range) and
the row holds together (a reply needs a reply time, a status must match what the row
holds). :func:`check_complaint` is the reference: it names every problem of a row;
:mod:`models.importing.columnar` is the fast path for rows that have none, and
:mod:`models.importing.validation` reads a file through both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from models.importing.cells import (
    check_moment,
    parse_amount,
    parse_bool,
    parse_datetime,
    parse_int,
)
from models.importing.limits import MAX_CELL_CHARS
from models.importing.report import CellError
from models.rules.complaint import default_status, public_text, status_problem, tier_of
from models.rules.labels import (
    COUNTING_STATUSES,
    NOT_CHOSEN,
    PENDING,
    REJECTED,
    STATUSES,
    bracket_for_amount,
    normalize_bracket,
    normalize_gender,
    normalize_province,
)
from models.rules.months import month_of
from models.rules.text import clean_multiline, text_problem
from models.store.tables import Complaint, Platform

# canonical name → (Chinese name, required)
COMPLAINT_COLUMNS: dict[str, tuple[str, bool]] = {
    "external_id": ("投诉编号", False),
    "platform": ("投诉平台", True),
    "submitted_at": ("投诉时间", True),
    "province": ("投诉地区", False),
    "gender": ("性别", False),
    "age": ("年龄", False),
    "amount": ("投诉金额", False),
    "amount_bracket": ("金额区间", False),
    "problem_type": ("问题类型", True),
    "title": ("标题", False),
    "content": ("投诉内容", False),
    "demand": ("诉求", False),
    "complainant": ("投诉人", False),
    "phone": ("电话", False),
    "email": ("邮箱", False),
    "id_number": ("身份证号", False),
    "order_number": ("订单号", False),
    "status": ("状态", False),
    "transferred_at": ("移交时间", False),
    "replied_at": ("回复时间", False),
    "reply": ("回复内容", False),
    "satisfaction": ("满意度", False),
    "typical": ("典型案例", False),
    "headline": ("案例标题", False),
}


def _length(table: Any, column: str) -> int:
    return table.__table__.c[column].type.length


#: Longest text per column, read from the tables so the two cannot drift apart.
TEXT_LIMITS = {
    "platform": _length(Platform, "name"),
    "external_id": _length(Complaint, "external_id"),
    "problem_type": _length(Complaint, "problem_type"),
    "title": _length(Complaint, "title"),
    "complainant": _length(Complaint, "complainant"),
    "phone": _length(Complaint, "phone"),
    "email": _length(Complaint, "email"),
    "id_number": _length(Complaint, "id_number"),
    "order_number": _length(Complaint, "order_number"),
    "headline": _length(Complaint, "headline"),
}
_SHORTEST_LIMIT = min(TEXT_LIMITS.values())
#: Long text (Text columns): line breaks and tabs allowed, one spreadsheet cell at most.
MULTILINE = ("content", "demand", "reply")
# Any character some cell may not hold: control characters, and line breaks or tabs
# (which long text may hold). Rows without one skip the per-cell character check.
SUSPECT_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
EMAIL_FORMAT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


#: The complaint columns a row sets, in the order :attr:`ComplaintRow.values` holds them.
VALUE_COLUMNS = (
    *("external_id", "submitted_at", "submitted_month", "province", "gender", "age"),
    *("amount", "amount_bracket", "problem_type", "title", "content", "demand"),
    *("complainant", "phone", "email", "id_number", "order_number", "status"),
    *("transferred_at", "replied_at", "reply_tier", "score", "typical", "headline"),
)
#: Set by an import only when its cell says so: an empty cell keeps what staff chose.
KEPT_WHEN_EMPTY = ("typical", "headline")
_POSITION = {name: i for i, name in enumerate(VALUE_COLUMNS)}


class ComplaintRow(NamedTuple):
    """A valid row: the complaint's column values, its reply text and platform name.

    The values are a tuple in :data:`VALUE_COLUMNS` order, not a dict, and the row is a
    tuple too: a file of 200,000 rows keeps them all until it is written, and tuples of
    plain values cost half the memory and nothing to the garbage collector.
    """

    number: int
    values: tuple
    reply: str | None
    platform: str

    def get(self, column: str) -> Any:
        """One value by column name."""
        return self.values[_POSITION[column]]

    def params(self, **extra: Any) -> dict[str, Any]:
        """The values by column name plus ``extra``: one row of an INSERT or UPDATE."""
        params = dict(zip(VALUE_COLUMNS, self.values, strict=True))
        params.update(extra)
        params["public_text"] = public_text(params)  # what anyone but staff may search
        return params


class _Check:
    """The checks of one row; problems collect in ``errors``."""

    def __init__(self, number: int, cells: dict[str, str], names: dict[str, str]) -> None:
        self.number, self.cells, self.names = number, cells, names
        self.errors: list[CellError] = []

    def bad(self, key: str, reason: str) -> None:
        column = self.names.get(key, key)
        self.errors.append(CellError(self.number, column, self.cells.get(key, ""), reason))

    def parsed(self, key: str, parser: Callable[[str], Any]) -> Any:
        text = self.cells.get(key, "")
        if not text:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.bad(key, str(exc))
            return None

    def text(self) -> None:
        """Required cells present; every text fits its column; no control characters."""
        cells = self.cells
        for key in ("platform", "submitted_at", "problem_type"):
            if not cells.get(key):
                self.bad(key, "必填")
        values = cells.values()
        if SUSPECT_CHARS.search("".join(values)):
            for key, value in cells.items():
                limit = TEXT_LIMITS.get(key, MAX_CELL_CHARS)
                problem = text_problem(value, limit, multiline=key in MULTILINE)
                if problem:
                    self.bad(key, problem)
            return
        if max(map(len, values), default=0) <= _SHORTEST_LIMIT:
            return
        for key, limit in TEXT_LIMITS.items():
            if len(cells.get(key, "")) > limit:
                self.bad(key, f"超过 {limit:,} 个字符（共 {len(cells[key]):,} 个）")

    def moments(self, latest: datetime) -> tuple[datetime | None, ...]:
        """The three times of the row, each parsed and within the accepted range."""
        moments = []
        for key in ("submitted_at", "transferred_at", "replied_at"):
            moment = self.parsed(key, parse_datetime)
            problem = check_moment(moment, latest) if moment is not None else None
            if problem:
                self.bad(key, problem)
                moment = None
            moments.append(moment)
        return tuple(moments)

    def labels(self, amount: Any) -> tuple[str | None, str | None, str]:
        """Province, gender and amount bracket in their canonical spelling."""
        cells = self.cells
        province = None
        if cells.get("province"):
            province = normalize_province(cells["province"])
            if province is None:
                self.bad("province", "无法识别的省级地区，应为如“广东省”或“广东”")
        gender = normalize_gender(cells.get("gender", ""))
        if gender is None:
            self.bad("gender", "应为 男/女/M/F/male/female 或留空")
        if cells.get("amount_bracket"):
            bracket = normalize_bracket(cells["amount_bracket"], amount)
            if bracket is None:
                self.bad("amount_bracket", "无法识别的金额区间，应为如“100-500元”或“未选择”")
        else:
            bracket = bracket_for_amount(amount)
        email = cells.get("email", "")
        if email and not EMAIL_FORMAT.fullmatch(email):
            self.bad("email", "邮箱格式不正确")
        return province, gender, bracket or NOT_CHOSEN

    def workflow(
        self, submitted_at: Any, transferred_at: Any, replied_at: Any, score: Any
    ) -> tuple[str, datetime | None]:
        """The status (given or derived) and the transfer time it implies."""
        get = self.cells.get
        status, transferred_at, problems = workflow(
            (get("reply", ""), get("replied_at", ""), get("status", "")),
            submitted_at,
            transferred_at,
            replied_at,
            score,
        )
        for key, reason in problems:
            self.bad(key, reason)
        return status, transferred_at


def workflow(
    cells: tuple[str, str, str],
    submitted_at: datetime | None,
    transferred_at: datetime | None,
    replied_at: datetime | None,
    score: int | None,
) -> tuple[str, datetime | None, list[tuple[str, str]]]:
    """The status (given or derived), the transfer time it implies and (column, reason)
    of each problem; ``cells`` are the reply, replied_at and status cells as written.

    A function of plain values, so the row check and the column check share it.
    """
    reply_cell, replied_cell, status = cells
    problems: list[tuple[str, str]] = []
    replied = replied_at is not None
    if reply_cell and not replied and not replied_cell:
        problems.append(("replied_at", "有回复内容时必须填写回复时间"))
    if score is not None and not replied and not replied_cell:
        problems.append(("satisfaction", "满意度只能给已回复的投诉"))
    if status:
        status = PENDING if status == "未审核" else status
        if status not in STATUSES:
            problems.append(("status", f"应为 {'、'.join(STATUSES)} 之一"))
        elif problem := status_problem(status, replied, score is not None):
            problems.append(("status", problem))
    else:
        status = default_status(replied, score is not None)
    if status in COUNTING_STATUSES:
        transferred_at = transferred_at or submitted_at
    elif status == REJECTED:
        transferred_at = None
    if submitted_at and transferred_at and transferred_at < submitted_at:
        problems.append(("transferred_at", "移交时间早于投诉时间"))
    if transferred_at and replied_at and replied_at < transferred_at:
        problems.append(("replied_at", "回复时间早于移交时间"))
    if replied_at and not transferred_at and status not in (PENDING, REJECTED):
        problems.append(("replied_at", "没有移交时间的投诉不能有回复"))
    return status, transferred_at, problems


def check_complaint(
    number: int, cells: dict[str, str], names: dict[str, str], latest: datetime
) -> tuple[ComplaintRow | None, list[CellError]]:
    """Check one row: its values when valid, else every problem found in it."""
    check = _Check(number, cells, names)
    check.text()
    submitted_at, transferred_at, replied_at = check.moments(latest)
    amount = check.parsed("amount", parse_amount)
    age = check.parsed("age", lambda t: parse_int(t, 0, 130, "年龄"))
    score = check.parsed("satisfaction", lambda t: parse_int(t, 0, 10, "满意度"))
    typical = check.parsed("typical", parse_bool)
    province, gender, bracket = check.labels(amount)
    status, transferred_at = check.workflow(submitted_at, transferred_at, replied_at, score)
    if check.errors:
        return None, check.errors
    assert submitted_at is not None
    get = cells.get
    content, demand, reply = (clean_multiline(get(key) or "") or None for key in MULTILINE)
    values = (  # in VALUE_COLUMNS order
        *(get("external_id") or None, submitted_at, month_of(submitted_at), province, gender),
        *(age, amount, bracket, cells["problem_type"], get("title") or None, content, demand),
        *(get("complainant") or None, get("phone") or None, get("email") or None),
        *(get("id_number") or None, get("order_number") or None, status, transferred_at),
        *(replied_at, tier_of(transferred_at, replied_at), score),
        *(typical, get("headline") or None),
    )
    return ComplaintRow(number, values, reply, cells["platform"]), []
