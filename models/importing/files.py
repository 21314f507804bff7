"""Reading an uploaded file into rows of text: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX.

Files are read streaming, one row at a time, and refused at the caps in
:mod:`models.importing.limits` with the row where the cap was crossed; nothing here
holds more than one row of a file besides the file's own bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models.errors import TousuError
from models.importing.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_RECORD_CHARS,
    MAX_ROWS,
    megabytes,
)

Rows = Iterator[tuple[int, list[str]]]
_CHUNK = 1 << 20
ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 reads GBK, as Excel in China writes it


@dataclass
class Table:
    """A file's header and its data rows: (row number, cells as stripped text).

    Row numbers are those a spreadsheet shows (the header's is usually 1); empty rows
    are skipped. ``rows`` is read once, lazily, and stops with a :class:`TousuError`
    at the first cap crossed.
    """

    header_row: int
    header: list[str]
    rows: Rows
    encoding: str | None = None  # of a CSV file


def open_table(data: bytes, filename: str) -> Table:
    """The header and the data rows of a CSV or XLSX file (see :class:`Table`)."""
    if len(data) > MAX_FILE_BYTES:
        raise TousuError(f"文件过大：最多 {megabytes(MAX_FILE_BYTES)}（此文件 {len(data):,} 字节）")
    suffix = Path(filename).suffix.lower()
    encoding = None
    if suffix in (".xlsx", ".xlsm"):
        from models.importing.xlsx import xlsx_rows  # openpyxl's helpers: only for XLSX

        rows = xlsx_rows(data)
    elif suffix in (".csv", ".txt", ""):
        encoding = csv_encoding(data)
        if data.count(b"\n") > MAX_ROWS:  # may hold too many rows: count before checking any
            for _row in _capped(row for row in csv_rows(data, encoding) if any(row[1])):
                pass
        rows = csv_rows(data, encoding)
    else:
        raise TousuError(f"不支持的文件类型 {suffix}：请上传 CSV 或 XLSX")
    rows = _capped(row for row in rows if any(row[1]))
    first = next(rows, None)
    if first is None:
        raise TousuError("文件是空的：第一行应为表头")
    number, header = first
    return Table(number, [name.lstrip("\ufeff").strip() for name in header], rows, encoding)


def _capped(rows: Rows) -> Rows:
    """The rows, refusing the file at the first data row past :data:`MAX_ROWS`."""
    for count, (number, cells) in enumerate(rows):
        if count > MAX_ROWS:  # count 0 is the header
            raise TousuError(
                f"文件过大：最多 {MAX_ROWS:,} 行数据（第{number}行已超出），请分成几个文件导入"
            )
        yield number, cells


# --- CSV --------------------------------------------------------------------------------


def csv_encoding(data: bytes) -> str:
    """The encoding a CSV file decodes with: UTF-8 (with or without BOM), else GBK."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TousuError("文件是 UTF-16 编码：请另存为 UTF-8 或 GBK 编码的 CSV")
    for encoding in ENCODINGS:
        if _decodes(data, encoding):
            return encoding
    raise TousuError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV")


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether all of ``data`` decodes, checked in chunks (no copy of the whole text)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class _Lines:
    """Lines of the text for csv.reader, refusing a record longer than the cap unread."""

    def __init__(self, text: io.TextIOBase) -> None:
        self.text = text
        self.record = 1  # number of the record being read
        self.size = 0  # characters of it read so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_RECORD_CHARS + 1 - self.size)
        if not line:
            raise StopIteration
        self.size += len(line)
        if self.size > MAX_RECORD_CHARS:
            raise TousuError(
                f"第{self.record}行过长：一行最多 {MAX_RECORD_CHARS:,} 个字符"
                "（引号没有成对时，后面的内容都会算进这一行）"
            )
        return line


def csv_rows(data: bytes, encoding: str) -> Rows:
    """Every record of a CSV file as (row number, stripped cells), header included."""
    lines = _Lines(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""))
    reader = csv.reader(lines, strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TousuError(_csv_problem(lines.record, str(exc))) from None
        number, size = lines.record, lines.size
        lines.record, lines.size = number + 1, 0
        if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
            raise TousuError(f"第{number}行超过 {MAX_COLUMNS} 列：文件过大，最多 {MAX_COLUMNS} 列")
        if size > MAX_CELL_CHARS and max(map(len, row)) > MAX_CELL_CHARS:
            column = next(i for i, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS) + 1
            raise TousuError(f"第{number}行 第{column}列：单元格超过 {MAX_CELL_CHARS:,} 个字符")
        yield number, list(map(str.strip, row[:MAX_COLUMNS]))


def _csv_problem(number: int, message: str) -> str:
    if "field larger than field limit" in message:
        return f"第{number}行：单元格超过 {MAX_CELL_CHARS:,} 个字符"
    if "unexpected end of data" in message:
        return f"第{number}行：引号没有成对（从这里到文件末尾都在一个引号内）"
    if "expected after" in message:
        return f"第{number}行：引号用法不对（右引号后应紧跟逗号或换行；单元格内的引号要写成两个）"
    return f"第{number}行：无法读取 CSV（{message}）"
