"""Spreadsheets written byte by byte, for the reader's edge cases and for attacks on it:
a sheet claiming 16,384 × 200,000 cells, a ZIP member that unpacks past the caps, a
million rows compressed into a few hundred KB."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ("投诉平台", "投诉时间", "问题类型")
ROW = ("云集", "2024-03-01 10:00", "退款问题")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(date1904: bool = False) -> str:
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        f'{pr}<sheets><sheet name="投诉" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, values: Iterable[str], first_column: int = 1) -> str:
    cells = "".join(
        f'<c r="{column_letter(first_column + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t>'
        "</is></c>"
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_start(dimension: str = "A1:C2") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">'
        f'<dimension ref="{dimension}"/><sheetData>'
    )


SHEET_END = "</sheetData></worksheet>"


def xlsx(
    sheet: Iterable[str | bytes],
    *,
    members: dict[str, str] | None = None,
    date1904: bool = False,
    level: int = 6,
) -> bytes:
    """An XLSX file whose first sheet is the concatenation of ``sheet``'s pieces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", workbook(date1904))
        book.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        for name, text in (members or {}).items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as stream:
            for piece in sheet:
                stream.write(piece.encode() if isinstance(piece, str) else piece)
    return buffer.getvalue()


def simple_xlsx(rows: list[tuple[str, ...]], dimension: str = "A1:C2") -> bytes:
    """A sheet of inline strings, the first row being the header."""
    body = [row_xml(n, values) for n, values in enumerate(rows, start=1)]
    return xlsx([sheet_start(dimension), *body, SHEET_END])


def dimension_bomb(far_cell: str | None = None) -> bytes:
    """1.6 KB claiming A1:XFD200000, with a header and one row. With ``far_cell`` (such as
    ``A200000``) a value sits there too, and openpyxl fills every row up to it with 16,384
    cells: 3 billion of them."""
    rows = [row_xml(1, HEADER), row_xml(2, ROW)]
    if far_cell:
        rows.append(
            f'<row r="{far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
            f'<c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        )
    return xlsx([sheet_start("A1:XFD200000"), *rows, SHEET_END])


def rows_bomb(rows: int) -> bytes:
    """``rows`` valid complaint rows compressed hard: about 1 KB per 10,000 rows."""
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in ROW).encode()

    def pieces():
        yield sheet_start(f"A1:C{rows + 1}")
        yield row_xml(1, HEADER)
        batch = 10_000
        for start in range(2, rows + 2, batch):
            yield b"".join(
                b"<row>" + cells + b"</row>" for _ in range(min(batch, rows + 2 - start))
            )
        yield SHEET_END

    return xlsx(pieces(), level=9)


def deflate_bomb(megabytes: int) -> bytes:
    """A sheet that unpacks to ``megabytes`` MB (mostly one comment) from about 1/1000."""
    chunk = b" " * (1 << 20)

    def pieces():
        yield sheet_start()
        yield row_xml(1, HEADER)
        yield "<!--"
        for _ in range(megabytes):
            yield chunk
        yield "-->"
        yield SHEET_END

    return xlsx(pieces(), level=9)


def lying_size(data: bytes, member: str, declared: int) -> bytes:
    """``data`` with ``member``'s uncompressed size in the ZIP directories set to ``declared``."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        info = book.getinfo(member)
    size = info.file_size.to_bytes(4, "little") if info.file_size < 0xFFFFFFFF else None
    assert size is not None, "zip64 sizes are not rewritten here"
    new = declared.to_bytes(4, "little")
    name = member.encode()
    # Local header: signature, ..., uncompressed size at offset 22; central: at offset 24.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := out.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(name)] == name:
                out[start + offset : start + offset + 4] = new
            start += 4
    return bytes(out)
