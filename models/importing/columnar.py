"""The check of complaint rows column by column: the fast path of a valid file.

:func:`~models.importing.complaints.check_complaint` checks a row cell by cell and says what is wrong with it. Most
rows of a real file are valid, and for them that bookkeeping (a dict of cells, a check
object, a call per cell) is most of the cost of an import. Here a chunk of rows is
checked one column at a time with the same parsers, each distinct value of a short
column (province, gender, age, status…) parsed once. A row that passes every check gets
its values here; any other row — a bad cell, an unusual but valid spelling such as a
time with a UTC offset, a line break — is left to :func:`~models.importing.complaints.check_complaint`, which gives
the same values or the same report as before. The rule: this module may only accept
what the row check accepts, with equal values (``tests/test_import_columnar.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from models.importing.cells import (
    check_moment,
    parse_amount,
    parse_bool,
    parse_datetime,
    parse_int,
)
from models.importing.complaints import (
    AS_WRITTEN,
    COMPLAINT_COLUMNS,
    DIMENSION_COLUMNS,
    EMAIL_FORMAT,
    MOMENTS,
    REQUIRED,
    SUSPECT_CHARS,
    TEXT_LIMITS,
    VALUE_COLUMNS,
    ComplaintRow,
    workflow,
)
from models.importing.table import Layout
from models.rules.complaint import tier_of
from models.rules.dimensions import Imported
from models.rules.months import month_of

Column = Sequence[str]
_fromiso = datetime.fromisoformat
_BAD: Any = object()  # a cell the row check must look at


def _parsed(column: Column, parse: Callable[[str], Any], ok: list[bool]) -> list[Any]:
    """Each cell parsed (empty: None); a cell the parser refuses clears its row's ``ok``."""
    out: list[Any] = []
    append = out.append
    for i, text in enumerate(column):
        if not text:
            append(None)
            continue
        try:
            append(parse(text))
        except ValueError:
            ok[i] = False
            append(None)
    return out


def _mapped(column: Column, parse: Callable[[str], Any], ok: list[bool]) -> list[Any]:
    """Like :func:`_parsed` for columns of few distinct values: each parsed once.

    ``parse`` returns :data:`_BAD` for a value the row check must see.
    """
    seen: dict[str, Any] = {}
    for text in set(column):
        try:
            seen[text] = parse(text)
        except ValueError:
            seen[text] = _BAD
    values = [seen[text] for text in column]
    for i, value in enumerate(values):
        if value is _BAD:
            ok[i] = False
    return values


def _texts_ok(columns: dict[str, Column], ok: list[bool]) -> None:
    """Required cells present, no suspect character, every text within its column."""
    for key in REQUIRED:
        for i, text in enumerate(columns[key]):
            if not text:
                ok[i] = False
    for column in columns.values():
        if SUSPECT_CHARS.search("".join(column)):  # rare: find the rows
            for i, text in enumerate(column):
                if SUSPECT_CHARS.search(text):
                    ok[i] = False
    for key, limit in TEXT_LIMITS.items():
        column = columns[key]
        if max(map(len, column), default=0) > limit:
            for i, text in enumerate(column):
                if len(text) > limit:
                    ok[i] = False


def _moments(column: Column, latest: datetime, ok: list[bool]) -> list[datetime | None]:
    """A column of times. The usual case — ISO times without a UTC offset, all in range —
    is parsed by ``datetime.fromisoformat`` alone (what :func:`parse_datetime` tries
    first); anything else goes cell by cell."""
    try:
        if max(map(len, column), default=0) <= 40:  # parse_datetime's own cap
            moments = [_fromiso(text) if text else None for text in column]
            present = [m for m in moments if m is not None]
            if not present or (
                all(m.tzinfo is None for m in present)
                and check_moment(min(present), latest) is None
                and check_moment(max(present), latest) is None
            ):
                return moments
    except ValueError:
        pass

    def parse(text: str) -> datetime:
        moment = parse_datetime(text)
        if check_moment(moment, latest):
            raise ValueError("out of range")
        return moment

    return _parsed(column, parse, ok)


def _known(spec: Imported) -> Callable[[str], Any]:
    """A dimension's cell parser for :func:`_mapped` (an empty cell: its empty value)."""

    def parse(text: str) -> Any:
        if not text:
            return spec.empty
        value = spec.parse(text) if spec.parse is not None else text
        return _BAD if value is None else value

    return parse


def _dimensions(
    columns: dict[str, Column], named: dict[str, list], ok: list[bool]
) -> dict[str, list]:
    """Each dimension the file fills in its canonical spelling (an empty cell derived from
    the checked columns ``named``, when it is); the e-mail's format checked."""
    values: dict[str, list] = {}
    for key, spec in DIMENSION_COLUMNS.items():
        column = columns[key]
        given = _mapped(column, _known(spec), ok)
        if spec.derive is not None:
            source, derive = spec.derive
            vague = {t for t in set(column) if spec.vague(t)} if spec.vague else set()
            given = [
                derive(other) if not text or text in vague else value
                for text, value, other in zip(column, given, named[source], strict=True)
            ]
        values[key] = given
    _mapped(columns["email"], lambda t: _BAD if t and not EMAIL_FORMAT.fullmatch(t) else t, ok)
    return values


def check_columns(
    rows: Sequence[tuple[int, list[str]]], layout: Layout, latest: datetime
) -> list[ComplaintRow | None]:
    """Each row's checked values when it surely passes :func:`~models.importing.complaints.check_complaint`, else None."""
    columns, ok = _columns(rows, layout)
    if not any(ok):
        return [None] * len(rows)
    _texts_ok(columns, ok)
    named = {key: _moments(columns[key], latest, ok) for key in MOMENTS}  # by column name
    named["amount"] = _parsed(columns["amount"], parse_amount, ok)
    named["age"] = _mapped(
        columns["age"], lambda t: parse_int(t, 0, 130, "年龄") if t else None, ok
    )
    named["score"] = _mapped(
        columns["satisfaction"], lambda t: parse_int(t, 0, 10, "满意度") if t else None, ok
    )
    named["typical"] = _mapped(columns["typical"], lambda t: parse_bool(t) if t else None, ok)
    named.update(_dimensions(columns, named, ok))
    named["status"], named["transferred_at"] = _workflow(
        columns, ok, *(named[key] for key in MOMENTS), named["score"]
    )
    none = _none_if_empty
    named.update({key: none(columns[key]) for key in (*AS_WRITTEN, "content", "demand")})
    named["submitted_month"] = _months(named["submitted_at"])
    named["reply_tier"] = _tiers(named["transferred_at"], named["replied_at"])
    values = zip(*(named[column] for column in VALUE_COLUMNS), strict=True)
    rows_ok = zip(rows, ok, values, none(columns["reply"]), columns["platform"], strict=True)
    return [
        ComplaintRow(number, row, reply, platform) if fine else None
        for (number, _raw), fine, row, reply, platform in rows_ok
    ]


def _workflow(
    columns: dict[str, Column], ok: list[bool], *moments_and_scores: list
) -> tuple[list, list]:
    """Status and transfer time per row (:func:`workflow`); a problem clears ``ok``."""
    statuses: list[str | None] = []
    transfers: list[datetime | None] = []
    cells = zip(columns["reply"], columns["replied_at"], columns["status"], strict=True)
    for i, (row_cells, *values) in enumerate(zip(cells, *moments_and_scores, strict=True)):
        if not ok[i]:
            statuses.append(None)
            transfers.append(None)
            continue
        status, transfer, problems = workflow(row_cells, *values)
        if problems:
            ok[i] = False
        statuses.append(status)
        transfers.append(transfer)
    return statuses, transfers


def _none_if_empty(column: Column) -> list[str | None]:
    return [text or None for text in column]


def _months(moments: list[datetime | None]) -> list[int | None]:
    return [month_of(m) if m is not None else None for m in moments]


def _tiers(transfers: list, replies: list) -> list[int | None]:
    return [
        tier_of(t, r) if r is not None else None for t, r in zip(transfers, replies, strict=True)
    ]


def _columns(
    rows: Sequence[tuple[int, list[str]]], layout: Layout
) -> tuple[dict[str, Column], list[bool]]:
    """The chunk's cells by column (a column the file lacks: all empty), and which rows
    may take the fast path: those with no cell outside the known columns' reach."""
    width, unnamed = layout.width, layout.unnamed
    ok = [len(raw) == width for _number, raw in rows]
    if unnamed:
        ok = [
            fits and not any(raw[i] for i in unnamed)
            for (_n, raw), fits in zip(rows, ok, strict=True)
        ]
    if layout.pick is None or not any(ok):
        return {}, [False] * len(rows)
    pick, blank = layout.pick, ("",) * len(layout.positions)
    picked = [pick(raw) if fits else blank for (_n, raw), fits in zip(rows, ok, strict=True)]
    found = dict(zip(layout.positions, zip(*picked, strict=True), strict=True))
    empty = ("",) * len(rows)
    return {key: found.get(key, empty) for key in COMPLAINT_COLUMNS}, ok
