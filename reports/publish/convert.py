"""DOCX and Markdown read back from a publication's HTML: its headings, paragraphs and
tables in order (charts are pictures of the tables beside them and are left out), so the
three formats say the same thing by construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from reports.markdown import literal

SKIPPED = {"head", "nav", "svg", "figure", "style", "title"}
BLOCKS = {"h1", "h2", "h3", "p", "div"}


@dataclass
class Block:
    kind: str  # h1 h2 h3 p table
    text: str = ""
    css: str = ""
    rows: list[list[str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.skip = 0
        self.text: list[str] | None = None
        self.block: Block | None = None
        self.table: Block | None = None

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "table":
            self.table = Block("table")
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("td", "th"):
            self.text = []
        elif tag in BLOCKS and self.table is None:
            self.block = Block("p" if tag == "div" else tag, css=dict(attrs).get("class") or "")
            self.text = []

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skip -= 1
        elif self.skip:
            return
        elif tag == "table" and self.table is not None:
            self.blocks.append(self.table)
            self.table = None
        elif tag in ("td", "th") and self.table is not None and self.text is not None:
            self.table.rows[-1].append("".join(self.text).strip())
            self.text = None
        elif tag in BLOCKS and self.block is not None and self.text is not None:
            self.block.text = "".join(self.text).strip()
            if self.block.text:
                self.blocks.append(self.block)
            self.block, self.text = None, None

    def handle_data(self, data):
        if not self.skip and self.text is not None:
            self.text.append(data)


def blocks(html: str) -> list[Block]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def docx(html: str) -> bytes:
    """The page as a Word document (headings, paragraphs, tables with a header row)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    from reports.docx import saved

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    for b in blocks(html):
        if b.kind in ("h1", "h2", "h3"):
            doc.add_heading(b.text, level=int(b.kind[1]) - 1 if b.kind != "h1" else 0)
        elif b.kind == "table":
            width = max(len(r) for r in b.rows) if b.rows else 0
            if not width:
                continue
            table = doc.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = value
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        else:
            para = doc.add_paragraph(b.text)
            if "caption" in b.css or "case" in b.css:
                para.runs[0].bold = True
            if "caption" in b.css or "meta" in b.css:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif "footer" in b.css:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return saved(doc)


def markdown(html: str) -> str:
    out: list[str] = []
    for b in blocks(html):
        if b.kind in ("h1", "h2", "h3"):
            out.append("#" * int(b.kind[1]) + " " + literal(b.text))
        elif b.kind == "table" and b.rows:
            head, *rows = b.rows
            out.append("| " + " | ".join(map(literal, head)) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(map(literal, r)) + " |" for r in rows]
        elif "caption" in b.css or "case" in b.css:
            out.append(f"**{literal(b.text)}**")
        else:
            out.append(literal(b.text))
        out.append("")
    return "\n".join(out)
