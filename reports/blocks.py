"""The block language a report template writes, read into blocks the writers lay out.

A template's output is lines; what a line is comes only from the template's own text at
its start, never from data: every value a template prints is wrapped in two control
characters (:func:`data`), so a complaint that begins with ``#`` or holds a ``|`` is still
text. Lines (leading spaces ignored, blank lines skipped):

``= 标题``          the title                ``? 一行``       a line under the title
``# 一、报告摘要``   a section heading        ``## （1）…``    a sub-heading
``: 图表标题``       a caption (centred)      ``~ 图表编制：…`` a footer (small, right)
``! 【案例一】…``    a case heading (bold)    ``- 一行``       a line without indent
``[table 列|列]``   a table; its rows follow as ``| 值 | 值``
``[figure 维度] 标题`` the chart of a distribution (its caption where there is none)
``[pagebreak]``     a page break (DOCX)      anything else    a paragraph
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPEN, CLOSE = "\x1e", "\x1f"  # around every printed value (ASCII record/unit separators)

KINDS = {"=": "title", "?": "meta", "#": "h1", "##": "h2", ":": "caption", "~": "footer"}
KINDS |= {"!": "case", "-": "plain"}


@dataclass(frozen=True)
class Block:
    """One block of a report: ``kind`` is title, meta, h1, h2, p, plain, caption, footer,
    case, table, figure or pagebreak. A table has columns and rows; a figure names its
    distribution's dimension in ``key`` and its title in ``text``."""

    kind: str
    text: str = ""
    key: str = ""
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)


def data(value: object) -> str:
    """A printed value as data: one line, marked so no character of it is read as syntax."""
    if value is None:
        return ""
    text = str(value).replace(OPEN, "").replace(CLOSE, "")
    return OPEN + " ".join(text.split()) + CLOSE if text.strip() else ""


def _split(line: str, sep: str) -> list[str]:
    """``line`` split at ``sep`` where it is the template's own, not inside a value."""
    parts, current, inside = [], [], False
    for ch in line:
        if ch == OPEN:
            inside = True
        elif ch == CLOSE:
            inside = False
        if ch == sep and not inside:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _plain(text: str) -> str:
    return text.replace(OPEN, "").replace(CLOSE, "").strip()


def parse(output: str) -> list[Block]:
    """The blocks of a rendered template."""
    blocks: list[Block] = []
    table: Block | None = None
    for raw in output.split("\n"):  # not splitlines(): it splits at the markers too
        line = raw.strip(" \t\r")  # not strip(): the markers count as whitespace
        if not line:
            continue
        if table is not None and line.startswith("|"):
            cells = tuple(_plain(c) for c in _split(line[1:], "|"))
            table.rows.append((cells + ("",) * len(table.columns))[: len(table.columns)])
            continue
        table = None
        if line.startswith("[table ") and line.endswith("]"):
            table = Block("table", columns=tuple(_plain(c) for c in _split(line[7:-1], "|")))
            blocks.append(table)
        elif line.startswith("[figure ") and "]" in line:
            key, _, title = line[8:].partition("]")
            blocks.append(Block("figure", _plain(title), key=_plain(key)))
        elif line == "[pagebreak]":
            blocks.append(Block("pagebreak"))
        else:
            mark, _, rest = line.partition(" ")
            kind = KINDS.get(mark)
            blocks.append(Block(kind, _plain(rest)) if kind else Block("p", _plain(line)))
    return blocks
