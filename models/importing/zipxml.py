"""Reading XML parts of a ZIP archive (an XLSX) without trusting the archive.

Each member's declared size is checked before it is read and its actual size while it
is read; the XML is parsed by expat in chunks with DTDs and entity declarations refused
and no markup token allowed past :data:`~models.importing.limits.MAX_TOKEN_BYTES`.
"""

from __future__ import annotations

import io
import pyexpat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Protocol

from models.errors import TousuError
from models.importing.limits import (
    MAX_PART_BYTES,
    MAX_TOKEN_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL_BYTES,
    megabytes,
)

# The elements any part is read for (worksheet, shared strings, workbook, relations, styles).
_LOCAL_NAMES = frozenset(
    {"row", "c", "v", "t", "is", "rPh", "si", "Relationship", "sheet", "workbookPr"}
    | {"numFmt", "cellXfs", "xf"}
)


class _Names(dict):
    """Element name → the local name we act on, or None: ``x:c`` and ``c`` alike.

    Names are matched without namespace processing, which costs expat a third of its
    time; the parts' namespaces are fixed by the format, and prefixes vary by writer.
    """

    def __missing__(self, name: str) -> str | None:
        local = name.rpartition(":")[2]
        found = local if local in _LOCAL_NAMES else None
        if len(self) < 512:  # a file cannot grow this without bound
            self[name] = found
        return found


TAGS = _Names()
# What zipfile raises for a damaged or unusual archive: a wrong offset (ValueError), an
# encrypted member (RuntimeError), an unknown compression or version (NotImplementedError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


def unreadable(detail: str) -> TousuError:
    """The refusal of a file that is not a readable XLSX."""
    return TousuError(f"无法读取 Excel 文件：{detail}")


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The ZIP archive, refused before its directory is read when it is not an XLSX's."""
    # Each member costs a ZipInfo object as the directory is read; count their headers first.
    if data.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:
        raise TousuError(f"文件过大：压缩包中的文件超过 {MAX_ZIP_MEMBERS:,} 个，不是普通的 XLSX")
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise unreadable("不是有效的 XLSX 文件（请用 Excel 另存为 .xlsx）") from None
    if sum(m.file_size for m in book.infolist()) > MAX_ZIP_TOTAL_BYTES:
        book.close()
        raise TousuError(f"文件过大：解压后超过 {megabytes(MAX_ZIP_TOTAL_BYTES)}")
    return book


def member(book: zipfile.ZipFile, path: str, limit: int) -> zipfile.ZipInfo | None:
    """The member at ``path`` (None if absent), refused if it declares more than ``limit``."""
    try:
        info = book.getinfo(path)
    except KeyError:
        return None
    if info.file_size > limit:
        raise TousuError(
            f"文件过大：{path} 解压后 {info.file_size:,} 字节，最多 {megabytes(limit)}"
        )
    return info


def chunks(book: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """A member's bytes in chunks, stopping past ``limit`` whatever its header declared."""
    read = 0
    try:
        with book.open(info) as stream:
            while chunk := stream.read(1 << 16):
                read += len(chunk)
                if read > limit:
                    raise TousuError(f"文件过大：{info.filename} 解压后超过 {megabytes(limit)}")
                yield chunk
    except _ZIP_ERRORS as exc:
        raise unreadable(f"{info.filename} 已损坏或已加密（{exc}）") from None


def _parser(start: Callable, end: Callable | None = None, data: Callable | None = None):
    """An expat parser refusing DTDs and entity declarations (no entity expansion)."""
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16

    def refuse(*_args) -> None:
        raise unreadable("文件包含 DTD 或实体声明，出于安全原因不予读取")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data
    return parser


class Handler(Protocol):
    """Expat callbacks for one part; ``end`` and ``data`` may be None."""

    start: Callable[[str, dict[str, str]], None]
    end: Callable[[str], None] | None
    data: Callable[[str], None] | None


def parse_stream(
    book: zipfile.ZipFile, path: str, limit: int, handler: Handler, out: list
) -> Iterator:
    """Parse member ``path`` with ``handler``'s callbacks; yield what it puts in ``out``."""
    info = member(book, path, limit)
    if info is None:
        raise unreadable(f"缺少 {path}")
    parser = _parser(handler.start, handler.end, handler.data)
    fed = 0
    try:
        for chunk in chunks(book, info, limit):
            parser.Parse(chunk, False)
            fed += len(chunk)
            # Outside a callback the index is just past the last complete token.
            if fed - max(parser.CurrentByteIndex, 0) > MAX_TOKEN_BYTES:
                raise unreadable(
                    f"{path} 中有超过 {megabytes(MAX_TOKEN_BYTES)} 的单个标记，不予读取"
                )
            yield from out
            out.clear()
        parser.Parse(b"", True)
    except pyexpat.ExpatError as exc:
        reason = pyexpat.ErrorString(exc.code)
        raise unreadable(f"{path} 不是有效的 XML（{reason}，第{exc.lineno}行）") from None
    yield from out
    out.clear()


def elements(book: zipfile.ZipFile, path: str) -> list[tuple[str, dict[str, str] | None]]:
    """A small part's elements we know: (local name, attributes) at each start and
    (local name, None) at each end, in document order."""
    found: list[tuple[str, dict[str, str] | None]] = []

    class Collect:
        def start(self, name: str, attrs: dict[str, str]) -> None:
            if (tag := TAGS[name]) is not None:
                found.append((tag, attrs))

        def end(self, name: str) -> None:
            if (tag := TAGS[name]) is not None:
                found.append((tag, None))

        data = None

    for _ in parse_stream(book, path, MAX_PART_BYTES, Collect(), []):
        pass
    return found
