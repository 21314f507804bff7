"""The report as DOCX (python-docx): real headings, tables and pictures, so an editor can
finish the draft in Word or WPS."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from models.reads.report import Report
from models.rules.report_text import cn_number

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


def _overall(document, r: Report, images: dict[str, bytes]) -> None:
    """二、整体数据: each distribution's chart, numbers and sentence."""
    document.add_heading("二、整体数据", level=1)
    for i, d in enumerate(r.distributions, 1):
        document.add_heading(_t(f"（{cn_number(i)}）{d.heading}"), level=2)
        _caption(document, d.chart_title)
        if d.dimension in images:
            document.add_picture(io.BytesIO(images[d.dimension]), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _table(
            document,
            ["类别", "投诉量", "占比"],
            [[s.label, str(s.count), f"{s.percent}%"] for s in d.shares],
        )
        _footer(document, r.footer)
        document.add_paragraph(_t(d.sentence or "该年度没有相关数据。"))


def _platforms(document, r: Report) -> None:
    """三、评级数据与典型案例: the cases table, then each leaderboard platform's section."""
    document.add_heading("三、评级数据与典型案例", level=1)
    if r.cases:
        document.add_paragraph(_t(r.cases_intro))
        _caption(document, r.cases_table_title)
        _table(
            document,
            ["投诉时间", "投诉平台", "投诉案例"],
            [[c.day, c.platform, c.headline] for c in r.cases],
        )
        _footer(document, f"图表编制：{r.org}")
    for s in r.platforms:
        document.add_heading(_t(s.heading), level=2)
        if s.count_sentence:
            document.add_paragraph(_t(s.count_sentence))
        _caption(document, f"{s.platform}电商消费{r.year}年评级数据")
        _table(document, list(r.columns), [[row[c] for c in r.columns] for row in s.table])
        _footer(document, f"图表编制：{r.org}")
        document.add_paragraph(_t(s.problems_sentence))
        for n, c in enumerate(s.cases, 1):
            document.add_paragraph().add_run(_t(f"【案例{cn_number(n)}】{c.headline}")).bold = True
            document.add_paragraph(_t(c.paragraph))
            document.add_paragraph(_t(c.reply))


def docx(report: Report, images: dict[str, bytes]) -> bytes:
    r = report
    document = Document()
    _fonts(document)
    document.core_properties.title = r.title
    document.add_heading(_t(r.title), level=0)
    document.add_paragraph(_t(f"数据来源：{r.data_org}　案例来源：{r.org}"))
    if r.coverage:
        document.add_paragraph(_t(r.coverage))

    document.add_heading("一、报告摘要", level=1)
    for line in (r.intro or "").splitlines():
        if line.strip():
            document.add_paragraph(_t(line))
    _caption(document, f"{r.year}年 {r.sector}投诉榜")
    _table(document, ["排名", "平台"], [[str(i), n] for i, n in enumerate(r.leaderboard, 1)])
    document.add_paragraph(_t(r.leaderboard_sentence))
    document.add_paragraph(_t(r.highlights_sentence))
    document.add_page_break()
    _overall(document, r, images)
    document.add_page_break()
    _platforms(document, r)
    document.add_heading("评级原理", level=1)
    for line in r.method_note:
        document.add_paragraph(_t(line))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
