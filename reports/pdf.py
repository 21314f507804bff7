"""PDF from a publication's own HTML (WeasyPrint, A4 from the page's @page rule, the CJK
fonts Debian ships in fonts-noto-cjk): what the house puts up for download."""

from __future__ import annotations


def pdf(html: str) -> bytes:
    """``html`` (a self-contained page: its pictures are data: URLs) as PDF bytes."""
    from weasyprint import HTML  # loads pango: only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    # Only data: URLs may be read: a page that named an outside file would lose the
    # picture rather than make a request.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
