"""The report as Markdown for pasting into a CMS. Every text from data is escaped, so a
complaint can never become a link, an image or markup."""

from __future__ import annotations

import re

from reports.blocks import Block
from reports.templating import Document

# CommonMark's meaningful punctuation, escaped wherever it stands; what only means something
# at the start of a line (a list, a quote, a heading), escaped there. Everything else
# (dots, dashes, percent signs) stays readable for the editor pasting it.
_INLINE = re.compile(r"([\\`*_\[\]<>|~!#&])")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])(?=\s|$)")


def literal(text: str) -> str:
    """``text`` as Markdown that shows exactly these characters, on one line."""
    line = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", line))


def _table(columns, rows) -> list[str]:
    lines = ["| " + " | ".join(literal(c) for c in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(literal(v) for v in row) + " |" for row in rows]
    return lines


_MARKS = {"title": "# {}", "h1": "## {}", "h2": "### {}", "caption": "**{}**"}
_MARKS |= {"footer": "*{}*", "case": "**{}**", "figure": "**{}**"}


def _block(b: Block) -> list[str]:
    if b.kind == "table":
        return [*_table(b.columns, b.rows), ""]
    if b.kind == "pagebreak" or not b.text:
        return []
    return [_MARKS.get(b.kind, "{}").format(literal(b.text)), ""]


def markdown(document: Document) -> str:
    return "\n".join(line for b in document.blocks for line in _block(b))
