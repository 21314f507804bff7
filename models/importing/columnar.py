"""The check of complaint rows column by column: the fast path of a valid file.

:func:`check_complaint` checks a row cell by cell and says what is wrong with it. Most
rows of a real file are valid, and for them that bookkeeping (a dict of cells, a check
object, a call per cell) is most of the cost of an import. Here a chunk of rows is
checked one column at a time with the same parsers, each distinct value of a short
column (province, gender, age, status…) parsed once. A row that passes every check gets
its values here; any other row — a bad cell, an unusual but valid spelling such as a
time with a UTC offset, a line break — is left to :func:`check_complaint`, which gives
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
    COMPLAINT_COLUMNS,
    EMAIL_FORMAT,
    SUSPECT_CHARS,
    TEXT_LIMITS,
    ComplaintRow,
    workflow,
)
from models.importing.table import Layout
from models.rules.complaint import tier_of
from models.rules.labels import (
    NOT_CHOSEN,
    bracket_for_amount,
    is_coarse_bracket,
    normalize_bracket,
    normalize_gender,
    normalize_province,
)
from models.rules.months import month_of

Column = Sequence[str]
_fromiso = datetime.fromisoformat
_BAD: Any = object()  # a cell the row check must look at
_REQUIRED = ("platform", "submitted_at", "problem_type")
_MOMENTS = ("submitted_at", "transferred_at", "replied_at")


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
    for key in _REQUIRED:
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


def _labels(columns: dict[str, Column], amounts: list[Any], ok: list[bool]) -> tuple[list, ...]:
    """Province, gender and bracket in their canonical spelling; e-mail checked."""

    def known(normalize: Callable[[str], str | None], empty: Any = _BAD) -> Callable:
        def parse(text: str) -> Any:
            if not text and empty is not _BAD:
                return empty
            value = normalize(text)
            return _BAD if value is None else value

        return parse

    provinces = _mapped(columns["province"], known(normalize_province, None), ok)
    genders = _mapped(columns["gender"], known(normalize_gender), ok)
    given = _mapped(columns["amount_bracket"], known(normalize_bracket, None), ok)
    # Empty or coarse (0-5万元): the bracket of the amount, as check_complaint reads it.
    by_amount = {""} | {t for t in set(columns["amount_bracket"]) if is_coarse_bracket(t)}
    brackets = [
        bracket_for_amount(a) if text in by_amount else (b or NOT_CHOSEN)
        for text, b, a in zip(columns["amount_bracket"], given, amounts, strict=True)
    ]
    _mapped(columns["email"], lambda t: _BAD if t and not EMAIL_FORMAT.fullmatch(t) else t, ok)
    return provinces, genders, brackets


def check_columns(
    rows: Sequence[tuple[int, list[str]]], layout: Layout, latest: datetime
) -> list[ComplaintRow | None]:
    """Each row's checked values when it surely passes :func:`check_complaint`, else None."""
    columns, ok = _columns(rows, layout)
    if not any(ok):
        return [None] * len(rows)
    _texts_ok(columns, ok)
    submitted, transferred, replied = (_moments(columns[k], latest, ok) for k in _MOMENTS)
    amounts = _parsed(columns["amount"], parse_amount, ok)
    ages = _mapped(columns["age"], lambda t: parse_int(t, 0, 130, "年龄") if t else None, ok)
    scores = _mapped(
        columns["satisfaction"], lambda t: parse_int(t, 0, 10, "满意度") if t else None, ok
    )
    typicals = _mapped(columns["typical"], lambda t: parse_bool(t) if t else None, ok)
    provinces, genders, brackets = _labels(columns, amounts, ok)
    statuses, transfers = _workflow(columns, ok, submitted, transferred, replied, scores)
    none = _none_if_empty
    values = zip(  # in VALUE_COLUMNS order, as check_complaint builds them
        *(none(columns["external_id"]), submitted, _months(submitted), provinces, genders),
        *(ages, amounts, brackets, columns["problem_type"], none(columns["title"])),
        *(none(columns["content"]), none(columns["demand"]), none(columns["complainant"])),
        *(none(columns["phone"]), none(columns["email"]), none(columns["id_number"])),
        *(none(columns["order_number"]), statuses, transfers, replied),
        *(_tiers(transfers, replied), scores, typicals, none(columns["headline"])),
        strict=True,
    )
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
