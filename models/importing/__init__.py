"""Import of platforms and complaints from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX.

Validation reports every bad cell with its row and column; a file with any bad row
writes nothing. Rows with an ``external_id`` already in the database update it.
The command line and the admin page both call :func:`import_complaints` and
:func:`import_platforms`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlmodel import Session

from models.clock import local_now
from models.errors import TousuError
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
from models.store import summary
from models.store.db import refresh_statistics
from models.store.freshness import bump
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore

UNSORTED_SECTOR = "未分类"
CHUNK = 500  # rows per IN (...) lookup; SQLite allows 32766 parameters, PostgreSQL 65535

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
}
PLATFORM_COLUMNS: dict[str, tuple[str, bool]] = {
    "name": ("平台", True),
    "sector": ("赛道", True),
    "onboarded": ("是否入驻", False),
}
_TRUE = {"是", "true", "1", "yes", "y", "已入驻", "入驻"}
_FALSE = {"否", "false", "0", "no", "n", "未入驻", ""}
_TEXT_LIMITS = {
    "external_id": 64,
    "title": 300,
    "complainant": 100,
    "phone": 40,
    "email": 200,
    "id_number": 40,
    "order_number": 80,
    "problem_type": 50,
}


@dataclass(frozen=True)
class CellError:
    """One problem: spreadsheet row number (header = 1), column as written, reason."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f"“{self.value}”" if self.value else "（空）"
        return f"第{self.row}行 {self.column} {shown}：{self.reason}"


@dataclass
class ImportReport:
    """What an import found and (unless dry run or invalid) did."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    platforms_created: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        if self.errors:
            bad_rows = len({e.row for e in self.errors})
            return (
                f"{self.rows} 行中 {bad_rows} 行有错误（共 {len(self.errors)} 处），未写入任何数据"
            )
        if self.dry_run:
            return f"{self.rows} 行全部有效（试运行，未写入）"
        created = f"，新建平台 {len(self.platforms_created)} 个" if self.platforms_created else ""
        return f"{self.rows} 行已导入：新增 {self.inserted}，更新 {self.updated}{created}"


# --- reading files ---------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM) or GBK, as Excel in China writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TousuError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """All rows (header first) of a CSV or XLSX file, every cell as stripped text."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise TousuError(f"无法读取 Excel 文件：{exc}") from exc
        sheet = book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif suffix in (".csv", ".txt", ""):
        text = decode_csv(data)
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise TousuError(f"不支持的文件类型 {suffix}：请上传 CSV 或 XLSX")
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise TousuError("文件是空的：第一行应为表头")
    return rows


def map_header(
    header: list[str], columns: dict[str, tuple[str, bool]]
) -> tuple[dict[str, int], list[str], list[CellError]]:
    """Column positions by canonical name, warnings for unknown columns, errors for missing."""
    aliases = {}
    for canonical, (chinese, _required) in columns.items():
        aliases[canonical.lower()] = canonical
        aliases[chinese] = canonical
    positions: dict[str, int] = {}
    warnings: list[str] = []
    errors: list[CellError] = []
    for index, name in enumerate(header):
        key = aliases.get(name.strip().lstrip("\ufeff").lower()) or aliases.get(name.strip())
        if key is None:
            if name.strip():
                warnings.append(f"忽略未知列“{name}”")
        elif key in positions:
            errors.append(CellError(1, name, name, "列名重复"))
        else:
            positions[key] = index
    for canonical, (chinese, required) in columns.items():
        if required and canonical not in positions:
            errors.append(CellError(1, f"{canonical}/{chinese}", "", "缺少必需的列"))
    return positions, warnings, errors


# --- parsing cells ----------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)


def parse_datetime(text: str) -> datetime:
    """A date or date-time in the usual spellings (2024-03-05, 2024/3/5 14:30, 2024年3月5日)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError("无法识别的日期，应为 2024-03-05 或 2024-03-05 14:30:00")
    y, mo, d, h, mi, s = match.groups()
    return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))


def parse_amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("，", "").removesuffix("元").strip())
    except InvalidOperation:
        raise ValueError("金额应为数字（元）") from None
    if not value.is_finite() or value < 0:
        raise ValueError("金额不能为负数")
    if value >= Decimal("1e12"):
        raise ValueError("金额过大")
    return value.quantize(Decimal("0.01"))


def parse_int(text: str, low: int, high: int, what: str) -> int:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what}应为整数") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what}应为整数")
    if not low <= value <= high:
        raise ValueError(f"{what}应在 {low} 到 {high} 之间")
    return int(value)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("应为 是/否、true/false 或 1/0")


# --- complaints -------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    reply: str | None
    platform: str


def _validate_complaint(
    number: int, cells: dict[str, str], header_names: dict[str, str], latest: datetime
) -> tuple[_Row | None, list[CellError]]:
    errors: list[CellError] = []

    def bad(key: str, reason: str) -> None:
        errors.append(CellError(number, header_names.get(key, key), cells.get(key, ""), reason))

    def parsed(key: str, parser: Callable[[str], Any]) -> Any:
        text = cells.get(key, "")
        if not text:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            bad(key, str(exc))
            return None

    for key in ("platform", "submitted_at", "problem_type"):
        if not cells.get(key):
            bad(key, "必填")
    for key, limit in _TEXT_LIMITS.items():
        if len(cells.get(key, "")) > limit:
            bad(key, f"超过 {limit} 个字符")

    submitted_at = parsed("submitted_at", parse_datetime)
    transferred_at = parsed("transferred_at", parse_datetime)
    replied_at = parsed("replied_at", parse_datetime)
    amount = parsed("amount", parse_amount)
    age = parsed("age", lambda t: parse_int(t, 0, 130, "年龄"))
    score = parsed("satisfaction", lambda t: parse_int(t, 0, 10, "满意度"))

    for key, moment in (
        ("submitted_at", submitted_at),
        ("transferred_at", transferred_at),
        ("replied_at", replied_at),
    ):
        if moment is not None and moment > latest:
            bad(key, "时间晚于当前时间")

    province = None
    if cells.get("province"):
        province = normalize_province(cells["province"])
        if province is None:
            bad("province", "无法识别的省级地区，应为如“广东省”或“广东”")
    gender = normalize_gender(cells.get("gender", ""))
    if gender is None:
        bad("gender", "应为 男/女/M/F/male/female 或留空")
    if cells.get("amount_bracket"):
        bracket = normalize_bracket(cells["amount_bracket"])
        if bracket is None:
            bad("amount_bracket", "无法识别的金额区间，应为如“100-500元”或“未选择”")
    else:
        bracket = bracket_for_amount(amount) if amount is not None else NOT_CHOSEN
    email = cells.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        bad("email", "邮箱格式不正确")

    reply_text = cells.get("reply") or None
    replied = replied_at is not None
    if reply_text and not replied and not cells.get("replied_at"):
        bad("replied_at", "有回复内容时必须填写回复时间")
    if score is not None and not replied and not cells.get("replied_at"):
        bad("satisfaction", "满意度只能给已回复的投诉")

    status = cells.get("status", "")
    if status:
        if status == "未审核":
            status = PENDING
        if status not in STATUSES:
            bad("status", f"应为 {'、'.join(STATUSES)} 之一")
        else:
            problem = status_problem(status, replied, score is not None)
            if problem:
                bad("status", problem)
    else:
        status = default_status(replied, score is not None)

    if status in COUNTING_STATUSES:
        transferred_at = transferred_at or submitted_at
    elif status == REJECTED:
        transferred_at = None
    if submitted_at and transferred_at and transferred_at < submitted_at:
        bad("transferred_at", "移交时间早于投诉时间")
    if transferred_at and replied_at and replied_at < transferred_at:
        bad("replied_at", "回复时间早于移交时间")
    if replied_at and not transferred_at and status not in (PENDING, REJECTED):
        bad("replied_at", "没有移交时间的投诉不能有回复")

    if errors:
        return None, errors
    assert submitted_at is not None
    values = {
        "external_id": cells.get("external_id") or None,
        "submitted_at": submitted_at,
        "submitted_month": month_of(submitted_at),
        "province": province,
        "gender": gender,
        "age": age,
        "amount": amount,
        "amount_bracket": bracket,
        "problem_type": cells["problem_type"],
        "title": cells.get("title") or None,
        "content": cells.get("content") or None,
        "demand": cells.get("demand") or None,
        "complainant": cells.get("complainant") or None,
        "phone": cells.get("phone") or None,
        "email": email or None,
        "id_number": cells.get("id_number") or None,
        "order_number": cells.get("order_number") or None,
        "status": status,
        "transferred_at": transferred_at,
        "replied_at": replied_at,
        "reply_tier": tier_of(transferred_at, replied_at),
        "score": score,
    }
    return _Row(number, values, reply_text, cells["platform"]), []


def _table_cells(
    rows: list[list[str]], columns: dict[str, tuple[str, bool]]
) -> tuple[list[tuple[int, dict[str, str]]], dict[str, str], list[str], list[CellError]]:
    header = rows[0]
    positions, warnings, errors = map_header(header, columns)
    header_names = {key: header[i] for key, i in positions.items()}
    records = []
    for offset, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        cells = {key: row[i].strip() if i < len(row) else "" for key, i in positions.items()}
        records.append((offset, cells))
    return records, header_names, warnings, errors


def validate_complaints(rows: list[list[str]]) -> tuple[list[_Row], ImportReport]:
    """Check every cell; the report lists every problem with row and column."""
    records, header_names, warnings, errors = _table_cells(rows, COMPLAINT_COLUMNS)
    report = ImportReport(rows=len(records), warnings=warnings, errors=errors)
    if errors:
        return [], report
    latest = local_now() + timedelta(days=1)  # tolerate clocks a little ahead
    valid: list[_Row] = []
    seen: dict[str, int] = {}
    for number, cells in records:
        row, row_errors = _validate_complaint(number, cells, header_names, latest)
        external = cells.get("external_id")
        if external:
            if external in seen:
                row_errors.append(
                    CellError(
                        number,
                        header_names["external_id"],
                        external,
                        f"与第{seen[external]}行的投诉编号重复",
                    )
                )
            else:
                seen[external] = number
        report.errors.extend(row_errors)
        if row is not None and not row_errors:
            valid.append(row)
    return valid, report


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_platforms(session: Session, names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Ids of the named platforms, creating unknown ones (sector 未分类, not onboarded)."""
    wanted = sorted(set(names))
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted):
        ids.update(
            session.exec(select(Platform.name, Platform.id).where(Platform.name.in_(chunk))).all()
        )  # type: ignore[call-overload, arg-type]
    missing = [n for n in wanted if n not in ids]
    now = local_now()
    if missing:
        created = session.execute(
            insert(Platform).returning(Platform.name, Platform.id, sort_by_parameter_order=True),
            [
                {"name": n, "sector": UNSORTED_SECTOR, "onboarded": False, "created_at": now}
                for n in missing
            ],
        )
        ids.update(dict(created.all()))
    return ids, missing


def write_complaints(
    session: Session, rows: list[_Row], *, entered_by_id: int | None = None
) -> tuple[int, int, list[str]]:
    """Insert new complaints and update those whose external_id exists. Returns counts."""
    platform_ids, created = ensure_platforms(session, (r.platform for r in rows))
    externals = [r.values["external_id"] for r in rows if r.values["external_id"]]
    existing: dict[str, tuple[int, int | None, int]] = {}
    touched: set[tuple[int, int]] = set()  # (month, platform id) before and after
    for chunk in _chunks(externals):
        stmt = select(
            Complaint.external_id,
            Complaint.id,
            Complaint.score,
            Complaint.version,
            Complaint.submitted_month,
            Complaint.platform_id,
        )
        for ext, cid, score, version, month, pid in session.execute(
            stmt.where(Complaint.external_id.in_(chunk))
        ):
            existing[ext] = (cid, score, version)
            touched.add((month, pid))
    now = local_now()
    new_rows, changed_rows = [], []
    for row in rows:
        values = dict(row.values, platform_id=platform_ids[row.platform], updated_at=now)
        values["public_text"] = public_text(values)
        touched.add((values["submitted_month"], values["platform_id"]))
        if values["external_id"] in existing:
            cid, _score, version = existing[values["external_id"]]
            changed_rows.append((row, dict(values, id=cid, version=version + 1)))
        else:
            new_rows.append((row, dict(values, created_at=now, version=1)))

    replies: list[dict] = []
    scores: list[dict] = []

    def follow_ups(row: _Row, cid: int, old_score: int | None) -> None:
        v = row.values
        if v["replied_at"] is not None:
            replies.append(
                {
                    "complaint_id": cid,
                    "content": row.reply or "",
                    "replied_at": v["replied_at"],
                    "entered_by_id": entered_by_id,
                    "entered_at": now,
                }
            )
        if v["score"] is not None and v["score"] != old_score:
            scores.append(
                {
                    "complaint_id": cid,
                    "score": v["score"],
                    "entered_by_id": entered_by_id,
                    "entered_at": now,
                }
            )

    if new_rows:
        ids = _new_ids(session, len(new_rows))
        for (row, values), cid in zip(new_rows, ids, strict=True):
            values["id"] = cid
            follow_ups(row, cid, None)
        # Plain executemany: RETURNING over many rows is quadratic in SQLAlchemy here.
        connection = session.connection()  # Core executemany: one statement for all rows
        connection.execute(insert(Complaint.__table__), [values for _row, values in new_rows])
    if changed_rows:
        session.execute(update(Complaint), [values for _row, values in changed_rows])
        changed_ids = [values["id"] for _row, values in changed_rows]
        for chunk in _chunks(changed_ids):
            session.execute(delete(Reply).where(Reply.complaint_id.in_(chunk)))
        for row, values in changed_rows:
            follow_ups(row, values["id"], existing[values["external_id"]][1])
    if replies:
        session.connection().execute(insert(Reply.__table__), replies)
    if scores:
        session.connection().execute(insert(SatisfactionScore.__table__), scores)
    summary.changed(session, touched)
    if len(rows) >= 1000:
        refresh_statistics(session.connection())
    return len(new_rows), len(changed_rows), created


def _new_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh complaint ids: PostgreSQL's sequence, or after SQLite's largest id
    (the import holds SQLite's write lock; a racing writer would fail on the key)."""
    if session.connection().dialect.name == "postgresql":
        stmt = text(
            "SELECT nextval(pg_get_serial_sequence('complaint', 'id')) FROM generate_series(1, :n)"
        )
        return list(session.execute(stmt, {"n": n}).scalars())
    start = (session.execute(select(func.max(Complaint.id))).scalar() or 0) + 1
    return list(range(start, start + n))


def import_complaints(
    session: Session,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    entered_by_id: int | None = None,
) -> ImportReport:
    """Validate a complaints file and, when every row is valid and not a dry run, write it."""
    rows = read_table(data, filename)
    valid, report = validate_complaints(rows)
    report.dry_run = dry_run
    if report.ok and not dry_run and valid:
        report.inserted, report.updated, report.platforms_created = write_complaints(
            session, valid, entered_by_id=entered_by_id
        )
    return report


# --- platforms --------------------------------------------------------------------------


def import_platforms(
    session: Session, data: bytes, filename: str, *, dry_run: bool = False
) -> ImportReport:
    """Validate a platforms file; add new platforms and update the sector/onboarding of known ones."""
    rows = read_table(data, filename)
    records, header_names, warnings, errors = _table_cells(rows, PLATFORM_COLUMNS)
    report = ImportReport(rows=len(records), warnings=warnings, errors=errors, dry_run=dry_run)
    if errors:
        return report
    clean: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for number, cells in records:

        def bad(key: str, reason: str, number: int = number, cells: dict = cells) -> None:
            report.errors.append(
                CellError(number, header_names.get(key, key), cells.get(key, ""), reason)
            )

        name, sector = cells.get("name", ""), cells.get("sector", "")
        if not name:
            bad("name", "必填")
        elif len(name) > 100:
            bad("name", "超过 100 个字符")
        elif name in seen:
            bad("name", f"与第{seen[name]}行重复")
        if not sector:
            bad("sector", "必填")
        elif len(sector) > 50:
            bad("sector", "超过 50 个字符")
        try:
            onboarded = parse_bool(cells.get("onboarded", ""))
        except ValueError as exc:
            bad("onboarded", str(exc))
            continue
        if name and name not in seen:
            seen[name] = number
            clean[name] = {"name": name, "sector": sector, "onboarded": onboarded}
    if report.errors or dry_run:
        return report
    known = dict(session.execute(select(Platform.name, Platform.id)).all())
    now = local_now()
    new = [dict(v, created_at=now) for n, v in clean.items() if n not in known]
    changed = [dict(v, id=known[n]) for n, v in clean.items() if n in known]
    if new:
        session.execute(insert(Platform), new)
    if changed:
        session.execute(update(Platform), changed)
    bump(session)
    report.inserted, report.updated = len(new), len(changed)
    report.platforms_created = [v["name"] for v in new]
    return report
