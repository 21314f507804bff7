"""The report as Markdown for pasting into a CMS. Every text from data is escaped, so a
complaint can never become a link, an image or markup."""

from __future__ import annotations

import re

from models.reads.report import Report
from models.rules.report_text import cn_number

# CommonMark's meaningful punctuation, escaped wherever it stands; what only means something
# at the start of a line (a list, a quote, a heading), escaped there. Everything else
# (dots, dashes, percent signs) stays readable for the editor pasting it.
_INLINE = re.compile(r"([\\`*_\[\]<>|~!#&])")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])(?=\s|$)")


def literal(text: str) -> str:
    """``text`` as Markdown that shows exactly these characters, on one line."""
    line = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", line))


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(literal(c) for c in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(literal(v) for v in row) + " |" for row in rows]
    return lines


def markdown(report: Report) -> str:
    r = report
    out = [f"# {literal(r.title)}", ""]
    if r.coverage:
        out += [literal(r.coverage), ""]
    out += ["## 一、报告摘要", ""]
    if r.intro:
        out += [literal(p) for p in r.intro.splitlines() if p.strip()] + [""]
    out += [f"**{r.year}年 {literal(r.sector)}投诉榜**", ""]
    out += _table(["排名", "平台"], [[str(i), name] for i, name in enumerate(r.leaderboard, 1)])
    out += ["", literal(r.leaderboard_sentence), "", literal(r.highlights_sentence), ""]
    out += ["## 二、整体数据", ""]
    for i, d in enumerate(r.distributions, 1):
        out += [f"### （{cn_number(i)}）{d.heading}", "", f"**{literal(d.chart_title)}**", ""]
        out += _table(
            ["类别", "投诉量", "占比"], [[s.label, str(s.count), f"{s.percent}%"] for s in d.shares]
        )
        out += ["", f"*{literal(r.footer)}*", "", literal(d.sentence or "该年度没有相关数据。"), ""]
    out += ["## 三、评级数据与典型案例", ""]
    if r.cases:
        out += [literal(r.cases_intro), "", f"**{literal(r.cases_table_title)}**", ""]
        out += _table(
            ["投诉时间", "投诉平台", "投诉案例"], [[c.day, c.platform, c.headline] for c in r.cases]
        )
        out += [""]
    for s in r.platforms:
        out += [f"### {literal(s.heading)}", ""]
        if s.count_sentence:
            out += [literal(s.count_sentence), ""]
        out += [f"**{literal(s.platform)}电商消费{r.year}年评级数据**", ""]
        out += [*_table(list(r.columns), [[row[c] for c in r.columns] for row in s.table]), ""]
        out += [literal(s.problems_sentence), ""]
        for n, c in enumerate(s.cases, 1):
            out += [
                f"**【案例{cn_number(n)}】{literal(c.headline)}**",
                "",
                literal(c.paragraph),
                "",
            ]
            out += [literal(c.reply), ""]
    out += ["## 评级原理", ""] + [literal(line) for line in r.method_note] + [""]
    return "\n".join(out)
