"""The report as one self-contained HTML file: charts embedded, nothing fetched, A4 print
with a page break before each section. Every text from data is escaped, and the file's
first element is a Content-Security-Policy under which nothing in it may run or fetch."""

from __future__ import annotations

import base64
from html import escape

from reports.blocks import Block
from reports.templating import Document

# Nothing in the file may fetch or run anything: images are inline (data: URLs), styles
# are the one <style> below, fonts are the reader's own. No script-src: none may run.
# base-uri and form-action do not fall back to default-src, so they are named.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
#: The policy as the file's first element: a <meta> applies only to what follows it.
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

STYLE = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; color: #222;
       max-width: 900px; margin: 0 auto; padding: 24px; line-height: 1.75; }
h1 { font-size: 26px; text-align: center; margin: 40px 0 8px; }
.meta { text-align: center; color: #666; margin-bottom: 32px; }
h2 { font-size: 21px; border-bottom: 2px solid #c8102e; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 17px; margin-top: 26px; }
p { text-indent: 2em; margin: 8px 0; }
p.plain, p.caption, p.footer { text-indent: 0; }
p.caption { font-weight: bold; text-align: center; margin-top: 18px; }
p.footer { color: #666; font-size: 12px; text-align: right; }
p.case { font-weight: bold; text-indent: 0; margin-top: 18px; }
table { border-collapse: collapse; margin: 8px auto; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: center; }
th { background: #f3e5e7; }
img { display: block; width: 100%; max-width: 620px; margin: 8px auto; }
@media print {
  body { padding: 0; max-width: none; }
  h2 { break-before: page; }
  table, img, .keep { break-inside: avoid; }
}
"""


def _p(text: str, cls: str = "") -> str:
    return f"<p{f' class={cls!r}' if cls else ''}>{escape(text)}</p>"


def _table(columns, rows) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


_CLASSES = {"p": "", "plain": "plain", "caption": "caption", "footer": "footer", "case": "case"}


def _block(b: Block, images: dict[str, bytes]) -> str:
    if b.kind == "title":
        return f"<h1>{escape(b.text)}</h1>"
    if b.kind == "meta":
        return f'<div class="meta">{escape(b.text)}</div>'
    if b.kind in ("h1", "h2"):
        tag = "h2" if b.kind == "h1" else "h3"
        return f"<{tag}>{escape(b.text)}</{tag}>"
    if b.kind == "table":
        return _table(b.columns, b.rows)
    if b.kind == "figure":  # the picture carries its title and 图表编制 line
        return _img(images[b.key], b.text) if b.key in images else _p(b.text, "caption")
    if b.kind == "pagebreak":
        return ""  # print CSS breaks before each section
    return _p(b.text, _CLASSES[b.kind])


def html(document: Document, images: dict[str, bytes]) -> str:
    body = "".join(_block(b, images) for b in document.blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head>{CSP_META}<meta charset="utf-8">'
        f"<title>{escape(document.title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def framed(document: str) -> str:
    """``document`` (a report) inside a frame sandboxed with no permission at all: no
    script, no form, no navigation of the page around it, an origin of its own.

    For a preview in Streamlit, whose ``st.iframe`` allows scripts and same-origin access
    to the app: the report's own policy forbids scripts too, and this frame makes that
    hold whatever the document holds. The wrapper has the same policy (a srcdoc frame
    inherits it, so the report needs nothing more).
    """
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head>{CSP_META}<meta charset="utf-8">'
        "<style>html, body { margin: 0; height: 100%; } "
        "iframe { display: block; border: 0; width: 100%; height: 100%; }</style></head>"
        f'<body><iframe sandbox="" title="报告预览" srcdoc="{escape(document)}"></iframe>'
        "</body></html>\n"
    )
