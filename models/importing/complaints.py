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
from models.rules.dimensions import IMPORTED, Imported
from models.rules.labels import COUNTING_STATUSES, PENDING, REJECTED, STATUSES
from models.rules.months import month_of
from models.rules.text import clean_multiline, text_problem
from models.store.tables import Complaint, Platform

#: The dimensions a file fills (models/rules/dimensions.py), by their column's name.
DIMENSION_COLUMNS: dict[str, Imported] = {d.column: d.imported for d in IMPORTED if d.imported}

# canonical name → (Chinese name, required)
COMPLAINT_COLUMNS: dict[str, tuple[str, bool]] = {
    "external_id": ("投诉编号", False),
    "platform": ("投诉平台", True),
    "submitted_at": ("投诉时间", True),
    "age": ("年龄", False),
    "amount": ("投诉金额", False),
    **{key: (spec.header, spec.required) for key, spec in DIMENSION_COLUMNS.items()},
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
REQUIRED = tuple(key for key, (_name, required) in COMPLAINT_COLUMNS.items() if required)


def _length(table: Any, column: str) -> int:
    return table.__table__.c[column].type.length


#: Longest text per column, read from the tables so the two cannot drift apart.
TEXT_LIMITS = {
    "platform": _length(Platform, "name"),
    "external_id": _length(Complaint, "external_id"),
    # a dimension taken as written (问题类型) fits its column
    **{key: _length(Complaint, key) for key, spec in DIMENSION_COLUMNS.items() if not spec.parse},
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
#: The times of a row: filed, transferred to the platform, replied.
MOMENTS = ("submitted_at", "transferred_at", "replied_at")
# Any character some cell may not hold: control characters, and line breaks or tabs
# (which long text may hold). Rows without one skip the per-cell character check.
SUSPECT_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
EMAIL_FORMAT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


#: The complaint columns a row sets, in the order :attr:`ComplaintRow.values` holds them.
#: Rows are built by name (a dict, or columns by name) and put in this order only here.
VALUE_COLUMNS = (
    *("external_id", "submitted_at", "submitted_month", "age", "amount"),
    *DIMENSION_COLUMNS,
    *("title", "content", "demand", "complainant", "phone", "email", "id_number"),
    *("order_number", "status", "transferred_at", "replied_at", "reply_tier", "score"),
    *("typical", "headline"),
)
#: Set by an import only when its cell says so: an empty cell keeps what staff chose.
KEPT_WHEN_EMPTY = ("typical", "headline")
_POSITION = {name: i for i, name in enumerate(VALUE_COLUMNS)}
#: Columns a row holds as the file writes them (an empty cell: None).
AS_WRITTEN = (
    *("external_id", "title", "complainant", "phone", "email", "id_number", "order_number"),
    "headline",
)


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
        for key in REQUIRED:
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
        for key in MOMENTS:
            moment = self.parsed(key, parse_datetime)
            problem = check_moment(moment, latest) if moment is not None else None
            if problem:
                self.bad(key, problem)
                moment = None
            moments.append(moment)
        return tuple(moments)

    def dimensions(self, row: dict[str, Any]) -> dict[str, Any]:
        """Each dimension the file fills, in its canonical spelling (an empty cell derived
        from the ``row``'s checked values, when it is); the e-mail's format."""
        values = {}
        for key, spec in DIMENSION_COLUMNS.items():
            text = self.cells.get(key, "")
            if not text or (spec.vague is not None and spec.vague(text)):
                values[key] = spec.derive[1](row[spec.derive[0]]) if spec.derive else spec.empty
            elif spec.parse is None:
                values[key] = text
            elif (value := spec.parse(text)) is not None:
                values[key] = value
            else:
                self.bad(key, spec.problem)
        email = self.cells.get("email", "")
        if email and not EMAIL_FORMAT.fullmatch(email):
            self.bad("email", "邮箱格式不正确")
        return values

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
    row = dict(zip(MOMENTS, check.moments(latest), strict=True))  # the row's values by name
    row["amount"] = check.parsed("amount", parse_amount)
    row["age"] = check.parsed("age", lambda t: parse_int(t, 0, 130, "年龄"))
    row["score"] = check.parsed("satisfaction", lambda t: parse_int(t, 0, 10, "满意度"))
    row["typical"] = check.parsed("typical", parse_bool)
    row.update(check.dimensions(row))
    row["status"], row["transferred_at"] = check.workflow(
        *(row[key] for key in MOMENTS), row["score"]
    )
    if check.errors:
        return None, check.errors
    get = cells.get
    row.update({key: get(key) or None for key in AS_WRITTEN})
    content, demand, reply = (clean_multiline(get(key) or "") or None for key in MULTILINE)
    row.update(content=content, demand=demand)
    row["submitted_month"] = month_of(row["submitted_at"])
    row["reply_tier"] = tier_of(row["transferred_at"], row["replied_at"])
    values = tuple(row[column] for column in VALUE_COLUMNS)
    return ComplaintRow(number, values, reply, cells["platform"]), []
