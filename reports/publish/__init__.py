"""Publications other than the sector report — the 消费评级榜, the 投诉榜 and the company
report — written in every format from one HTML page, and the static site of a period's
publications (:mod:`reports.publish.site`)."""

from __future__ import annotations

from reports.publish.pages import Document

FORMATS = ("html", "pdf", "docx", "md")


def write_all(doc: Document, formats=FORMATS, **nav) -> dict[str, bytes]:
    """``doc`` in each of ``formats``: the HTML page, and the PDF, DOCX and Markdown made
    from that same page."""
    from reports.publish import convert, pages

    html = pages.page(doc, **nav)
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "html":
            out[fmt] = html.encode("utf-8")
        elif fmt == "pdf":
            from reports.pdf import pdf

            out[fmt] = pdf(html)
        elif fmt == "docx":
            out[fmt] = convert.docx(html)
        elif fmt == "md":
            out[fmt] = convert.markdown(html).encode("utf-8")
        else:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return out
