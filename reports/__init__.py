"""Documents written from :class:`models.reads.report.Report`: one self-contained HTML file
(prints on A4), a DOCX an editor can finish in Word or WPS, and Markdown for a CMS.

The figures are decided in the domain layer, the words by a template
(:mod:`reports.templating`), whose blocks (:mod:`reports.blocks`) each writer lays out. Charts are the
dashboard's own (:mod:`web.charts`), rendered offline to PNG with the 图表编制 footer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from models.reads.report import Report

if TYPE_CHECKING:
    from reports.templating import Document

FORMATS = ("html", "docx", "md", "pdf")
MEDIA_TYPES = {
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "pdf": "application/pdf",
}


def write(
    report: Report,
    fmt: str,
    progress: Callable[[float, str], None] | None = None,
    template: str | None = None,
) -> bytes:
    """The report as a file of format ``fmt`` (html, docx, md or pdf), in the words of
    ``template`` (a style's name or a file; the default style when None)."""
    return write_all(report, (fmt,), progress, template)[fmt]


def write_all(
    report: Report,
    formats: Sequence[str] = FORMATS,
    progress: Callable[[float, str], None] | None = None,
    template: str | None = None,
) -> dict[str, bytes]:
    """The report in each of ``formats``, from one rendering of its template, its charts
    rendered once for all of them (the slow part: a PNG per chart)."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format {unknown[0]!r}; use one of {', '.join(FORMATS)}")
    from reports.templating import render

    document = render(report, template)  # first: a template error costs no chart
    images: dict[str, bytes] = {}
    if set(formats) & {"html", "docx", "pdf"}:
        from reports.figures import charts_for

        images = charts_for(report, progress)
    return {fmt: _write(document, fmt, images) for fmt in formats}


def _write(document: Document, fmt: str, images: dict[str, bytes]) -> bytes:
    if fmt == "md":
        from reports.markdown import markdown

        return markdown(document).encode("utf-8")
    if fmt in ("html", "pdf"):
        from reports.html import html

        page = html(document, images)
        if fmt == "pdf":  # the same page, printed (reports/pdf.py)
            from reports.pdf import pdf

            return pdf(page)
        return page.encode("utf-8")
    from reports.docx import docx

    return docx(document, images)
