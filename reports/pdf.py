"""PDF from a publication's own HTML (WeasyPrint, A4 from the page's @page rule, the CJK
fonts Debian ships in fonts-noto-cjk): what the house puts up for download."""

from __future__ import annotations


def pdf(html: str) -> bytes:
    """``html`` (a self-contained page: nothing to fetch) as PDF bytes."""
    from weasyprint import HTML  # loads pango: only when a PDF is asked for

    # No base URL and a fetcher that refuses: a page that named an outside file would
    # fail to show it rather than make a request.
    return HTML(string=html, url_fetcher=_refuse).write_pdf()


def _refuse(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"a publication fetches nothing: {url}")
