"""The report as DOCX (python-docx): real headings, tables and pictures, so an editor can
finish the draft in Word or WPS."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.blocks import Block
from reports.templating import Document as Rendered

FONT = "Noto Sans CJK SC"
GREY = RGBColor(0x66, 0x66, 0x66)
# Characters XML 1.0 cannot hold; imported texts are not guaranteed free of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(text: str) -> str:
    return _NOT_XML.sub("", text)


def _fonts(document) -> None:
    """A CJK font for every style (Word picks East Asian text's font from w:eastAsia)."""
    for style in document.styles:
        if getattr(style, "font", None) is None:
            continue
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)


def _caption(document, text: str) -> None:
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(_t(text)).bold = True


def _footer(document, text: str) -> None:
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(_t(text))
    run.font.size = Pt(9)
    run.font.color.rgb = GREY


def _table(document, columns, rows) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        cell.text = _t(name)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = _t(value)


def _block(document, b: Block, images: dict[str, bytes]) -> None:
    if b.kind in ("title", "h1", "h2"):
        document.add_heading(_t(b.text), level={"title": 0, "h1": 1, "h2": 2}[b.kind])
    elif b.kind == "caption":
        _caption(document, b.text)
    elif b.kind == "footer":
        _footer(document, b.text)
    elif b.kind == "case":
        document.add_paragraph().add_run(_t(b.text)).bold = True
    elif b.kind == "table":
        _table(document, b.columns, b.rows)
    elif b.kind == "figure":
        _caption(document, b.text)
        if b.key in images:
            document.add_picture(io.BytesIO(images[b.key]), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif b.kind == "pagebreak":
        document.add_page_break()
    else:  # p, plain, meta
        document.add_paragraph(_t(b.text))


def docx(report: Rendered, images: dict[str, bytes]) -> bytes:
    document = Document()
    _fonts(document)
    document.core_properties.title = _t(report.title)
    for block in report.blocks:
        _block(document, block, images)
    return saved(document)


def saved(document) -> bytes:
    """The document's bytes, the same for the same content: the zip's entries carry a
    fixed time instead of the clock's (a published file unchanged is the same file)."""
    out = io.BytesIO()
    document.save(out)
    fixed = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            entry.date_time = (1980, 1, 1, 0, 0, 0)
            target.writestr(entry, source.read(entry.filename))
    return fixed.getvalue()
