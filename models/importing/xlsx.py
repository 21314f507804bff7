"""A streaming reader for the first worksheet of an XLSX file, values only.

Why not openpyxl: its reader pads every row to the width the file *claims*
(``<dimension ref="A1:XFD200000">`` makes 3 billion cells of a 1.6 KB file), builds all
styles as objects, and reads a sheet at a third of this speed. This reader asks expat
for events and keeps one row at a time; it ignores the claimed dimension, counts the
rows before parsing them, and reads the archive through :mod:`models.importing.zipxml`,
which refuses compression bombs and DTDs.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter

from models.errors import TousuError
from models.importing.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_BYTES,
)
from models.importing.zipxml import (
    TAGS,
    chunks,
    elements,
    member,
    open_zip,
    parse_stream,
    unreadable,
)

# Number formats 14–22 and 45–47 are dates and times in every locale; 27–36 and 50–58
# are the East Asian date formats (年月日) of Chinese, Japanese and Korean Excel.
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_EXCEL_DAYS_MAX = 2_958_465  # 9999-12-31


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """Every non-empty row of the first worksheet: (row number, cells as stripped text)."""
    with open_zip(data) as book:
        parts = _parts(book)
        sheet = member(book, parts.sheet, MAX_SHEET_BYTES)
        if sheet is None:
            raise unreadable(f"缺少 {parts.sheet}")
        if sheet.file_size > (MAX_ROWS + 1) * _SMALLEST_ROW:  # else it cannot hold too many
            rows = _count_rows(book, sheet)
            if rows > MAX_ROWS + 1:
                raise TousuError(
                    f"文件过大：最多 {MAX_ROWS:,} 行数据（此工作表有 {rows - 1:,} 行），"
                    "请分成几个文件导入"
                )
        strings = _shared_strings(book, parts.strings)
        reader = _SheetReader(strings, _date_styles(book, parts.styles), parts.epoch)
        yield from parse_stream(book, parts.sheet, MAX_SHEET_BYTES, reader, reader.rows)


_SMALLEST_ROW = len(b"<row><c><v>1</v></c></row>")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")


def _count_rows(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Rows with cells in the worksheet (their end tags; an empty row is ``<row/>``),
    counted from its bytes before it is parsed: a sheet of a million rows is refused in a
    second, not after 200,000 checked rows."""
    rows = 0
    end_tag = carry = b""
    for chunk in chunks(book, info, MAX_SHEET_BYTES):
        if not end_tag:  # the root's namespace prefix, if any, is the rows' prefix too
            root = _ROOT.search(carry + chunk)
            if root is None:
                carry = (carry + chunk)[-1024:]
                continue
            end_tag = b"</" + (root.group(1) or b"") + b"row>"
        data = carry + chunk
        rows += data.count(end_tag)
        carry = data[-(len(end_tag) - 1) :]  # shorter than a tag: nothing counted twice
    return rows


# --- workbook, shared strings, styles ------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    """Where the workbook's parts are, and its date system."""

    sheet: str  # the first worksheet
    strings: str | None  # the shared-string table
    styles: str | None
    epoch: datetime  # day 0 of date serials: 1899-12-30, or 1904-01-01 (old Mac Excel)


def _relations(book: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """Id → (type, member path) of a relationships part (``…/_rels/x.xml.rels``)."""
    if member(book, path, MAX_PART_BYTES) is None:
        return {}
    folder = posixpath.dirname(posixpath.dirname(path))  # targets are relative to it
    found = {}
    for tag, attrs in elements(book, path):
        if tag == "Relationship" and attrs and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(target))
    return found


def _of_type(relations: dict[str, tuple[str, str]], kind: str) -> str | None:
    return next((path for type_, path in relations.values() if type_.endswith(kind)), None)


def _parts(book: zipfile.ZipFile) -> _Parts:
    """Find the workbook from the package's relations, then its first sheet and helpers."""
    workbook = _of_type(_relations(book, "_rels/.rels"), "/officeDocument") or "xl/workbook.xml"
    folder, name = posixpath.split(workbook)
    relations = _relations(book, posixpath.join(folder, "_rels", name + ".rels"))
    found = [(tag, attrs) for tag, attrs in elements(book, workbook) if attrs]
    sheets = [attrs for tag, attrs in found if tag == "sheet"]
    if not sheets:
        raise unreadable("工作簿中没有工作表")
    rel_id = next((v for k, v in sheets[0].items() if k.endswith(":id")), "")
    if rel_id not in relations:
        raise unreadable("找不到第一个工作表")
    date1904 = any(
        tag == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true")
        for tag, attrs in found
    )
    return _Parts(
        sheet=relations[rel_id][1],
        # openpyxl leaves the shared strings out of the relations; look where it writes them.
        strings=_of_type(relations, "/sharedStrings")
        or posixpath.join(folder, "sharedStrings.xml"),
        styles=_of_type(relations, "/styles") or posixpath.join(folder, "styles.xml"),
        epoch=datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30),
    )


class _StringsReader:
    """Collects the shared-string table: the text of each ``si`` without phonetic runs."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.size = 0
        self.collecting = self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = TAGS[name]
        if tag == "si":
            self.parts, self.size = [], 0
        elif tag == "t":
            self.collecting = not self.phonetic
        elif tag == "rPh":
            self.phonetic = True

    def end(self, name: str) -> None:
        tag = TAGS[name]
        if tag == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise TousuError(f"文件过大：共享字符串超过 {MAX_SHARED_STRINGS:,} 个")
            self.strings.append("".join(self.parts))
        elif tag == "t":
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False

    def data(self, text: str) -> None:
        if self.collecting:
            self.size += len(text)
            if self.size <= MAX_CELL_CHARS + 1:  # longer ones are refused where they are used
                self.parts.append(text)


def _shared_strings(book: zipfile.ZipFile, path: str | None) -> list[str]:
    if path is None or member(book, path, MAX_SHARED_STRINGS_BYTES) is None:
        return []
    reader = _StringsReader()
    for _ in parse_stream(book, path, MAX_SHARED_STRINGS_BYTES, reader, []):
        pass
    return reader.strings


def _date_styles(book: zipfile.ZipFile, path: str | None) -> frozenset[str]:
    """Indexes (as written in a cell's ``s``) of the cell styles whose format is a date."""
    if path is None or member(book, path, MAX_PART_BYTES) is None:
        return frozenset()
    custom: dict[str, str] = {}
    formats: list[str] = []
    in_cell_xfs = False
    for tag, attrs in elements(book, path):
        if tag == "numFmt" and attrs:
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_cell_xfs = attrs is not None
        elif tag == "xf" and in_cell_xfs and attrs is not None:
            formats.append(attrs.get("numFmtId", "0"))
    return frozenset(str(i) for i, fmt in enumerate(formats) if _is_date_format(fmt, custom))


def _is_date_format(format_id: str, custom: dict[str, str]) -> bool:
    if format_id in custom:
        return is_date_format(custom[format_id])
    return format_id.isdigit() and int(format_id) in _DATE_FORMAT_IDS


# --- the worksheet ------------------------------------------------------------------------

_DIGITS = "0123456789"
#: Column letters → number, A … XFD (Excel's last column); a cell reference minus its digits.
_COLUMN_NUMBERS = {get_column_letter(number): number for number in range(1, 16_385)}


class _SheetReader:
    """Expat callbacks for a worksheet; each completed non-empty row goes to ``rows``."""

    def __init__(self, strings: list[str], date_styles: frozenset[str], epoch: datetime):
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.rows: list[tuple[int, list[str]]] = []
        self.number = 0  # of the current row
        self.cells: dict[int, str] = {}
        self.column = 0
        self.kind, self.style = "n", None
        self.text: list[str] = []
        self.size = 0
        self.collecting = self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = TAGS[name]
        if tag == "c":
            ref = attrs.get("r")
            column = _COLUMN_NUMBERS.get(ref.rstrip(_DIGITS)) if ref else self.column + 1
            if column is None:
                raise unreadable(f"第{self.number}行的单元格位置“{ref[:20]}”无效")
            self.column, self.kind, self.style = column, attrs.get("t", "n"), attrs.get("s")
            self.text, self.size = [], 0
        elif tag in ("v", "t"):
            self.collecting = not self.phonetic
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "row":
            ref = attrs.get("r")
            if ref is not None and not (ref.isdigit() and len(ref) <= 7):
                raise unreadable(f"行号“{ref[:20]}”无效")
            self.number = int(ref) if ref else self.number + 1
            self.cells, self.column = {}, 0

    def end(self, name: str) -> None:
        tag = TAGS[name]
        if tag in ("v", "t"):
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "c":
            value = self._value("".join(self.text)) if self.text else ""
            if value:
                if self.column > MAX_COLUMNS:
                    raise TousuError(
                        f"第{self.number}行 {get_column_letter(self.column)}列有内容："
                        f"文件过大，最多 {MAX_COLUMNS} 列"
                    )
                self.cells[self.column] = value
        elif tag == "row" and self.cells:
            row = [""] * max(self.cells)
            for column, value in self.cells.items():
                row[column - 1] = value
            self.rows.append((self.number, row))

    def data(self, text: str) -> None:
        if self.collecting:
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise self._too_long()
            self.text.append(text)

    def _too_long(self) -> TousuError:
        return TousuError(
            f"第{self.number}行 {get_column_letter(self.column)}列："
            f"单元格超过 {MAX_CELL_CHARS:,} 个字符"
        )

    def _value(self, raw: str) -> str:
        """A cell's value as text, as a person would type it."""
        kind = self.kind
        if kind == "s":
            index = int(raw) if raw.isdigit() and len(raw) < 10 else len(self.strings)
            if index >= len(self.strings):
                raise unreadable(f"第{self.number}行引用了不存在的共享字符串")
            text = self.strings[index]
            if len(text) > MAX_CELL_CHARS:
                raise self._too_long()
            return text.strip()
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        if kind in ("inlineStr", "str", "e", "d"):
            return raw.strip()
        return self._number(raw.strip())

    def _number(self, raw: str) -> str:
        if self.style in self.date_styles:
            try:
                return _excel_date(float(raw), self.epoch) or raw
            except ValueError:
                return raw
        if raw.isdigit() and len(raw) < 50:
            return str(int(raw))
        try:
            number = float(raw)
        except ValueError:
            return raw  # not a number after all: the row validation says what is wrong
        return str(int(number)) if number.is_integer() else str(number)


def _excel_date(serial: float, epoch: datetime) -> str | None:
    """A date serial (days since the epoch) as 2024-03-05 14:30:00, to the nearest second."""
    if not 0 <= serial <= _EXCEL_DAYS_MAX:
        return None
    if epoch.year == 1899 and serial < 60:  # Excel's 1900-02-29 that never was
        serial += 1
    return (epoch + timedelta(seconds=round(serial * 86_400))).strftime("%Y-%m-%d %H:%M:%S")
