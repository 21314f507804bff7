"""Report templates: a report's words from a Jinja2 template, its numbers from the context.

A template is rendered in Jinja2's (immutable) sandbox over one context, :class:`models.reads.report.
Report` (as ``r``), and writes the block language of :mod:`reports.blocks`, which the HTML,
DOCX and Markdown writers lay out: the formats never disagree. Shipped house styles live in
``reports/templates/`` as ``2023.jinja``, ``2024.jinja`` … (the latest is the default); ``TOUSU_REPORT_TEMPLATES``
names a folder of more; ``--template FILE`` takes an editor's own file.

Autoescaping is off on purpose: the output is the block language, not HTML, and each writer
escapes every text for its own format (the HTML one all of it), so neither the data nor the
template can inject markup.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from models.errors import TousuError
from models.reads.report import Report
from models.rules.labels import NOT_CHOSEN, UNKNOWN
from models.rules.report_text import cn_number, ended
from models.settings import get_settings
from reports.blocks import Block, data, parse

SHIPPED = Path(__file__).parent / "templates"
SUFFIX = ".jinja"


def percent(value: Decimal | float | int) -> str:
    """The reports' notation: 37.99%, 25.00%, but a whole 100%."""
    value = Decimal(str(value))
    return "100%" if value == 100 else f"{value:.2f}%"


def known(shares):
    """Shares with a label (未知 and 未选择 left out)."""
    return [s for s in shares if s.label not in (UNKNOWN, NOT_CHOSEN)]


def listed(shares, sep: str = "、") -> str:
    """信息泄露（37.99%）、网络欺诈（16.16%）…"""
    return sep.join(f"{s.label}（{percent(s.percent)}）" for s in shares)


def labels(shares, sep: str = "、") -> str:
    return sep.join(s.label for s in shares)


FILTERS = {
    "pct": percent,
    "cn": cn_number,
    "known": known,
    "listed": listed,
    "labels": labels,
    "sentence": ended,  # a full stop unless the text ends a sentence already
}


@dataclass(frozen=True)
class Document:
    """A rendered report: its title and its blocks."""

    title: str
    blocks: list[Block]


def folders() -> list[Path]:
    """Where named templates are looked up: the setting's folder first, then the shipped."""
    folder = get_settings().report_templates
    return [folder, SHIPPED] if folder else [SHIPPED]


def available() -> list[str]:
    """Every template name, shipped or added."""
    names = {p.stem for d in folders() if d.is_dir() for p in d.glob(f"*{SUFFIX}")}
    return sorted(names)


DEFAULT = max(p.stem for p in SHIPPED.glob(f"*{SUFFIX}"))  # the latest house style


def locate(template: str | None) -> Path:
    """The file of a template name (a shipped or added style) or a path to a file."""
    name = template or DEFAULT
    for folder in folders():
        path = folder / f"{name}{SUFFIX}"
        if path.is_file():
            return path
    path = Path(name)
    if path.is_file():
        return path
    raise TousuError(
        f"找不到报告模板：{name}（可用：{'、'.join(available())}，或给出模板文件的路径）"
    )


def source(template: str | None = None) -> str:
    """A template's text (``tousu report --print-template``)."""
    return locate(template).read_text(encoding="utf-8")


def _environment(folder: Path) -> ImmutableSandboxedEnvironment:
    # Immutable: a template cannot change the report's lists (the dashboard caches reports)
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        finalize=data,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def _line(exc: BaseException, path: Path) -> int | None:
    """The template line an error arose at (Jinja puts it in the traceback)."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return lines[-1] if lines else None


def _said(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return f"模板试图访问不允许的内容（{exc}）"
    if isinstance(exc, UndefinedError):
        return f"模板引用了不存在的字段（{exc}）"
    if isinstance(exc, TemplateSyntaxError):
        return f"模板语法错误（{exc.message}）"
    return f"{type(exc).__name__}: {exc}"


def render(report: Report, template: str | None = None) -> Document:
    """``report`` in the words of ``template`` (a name or a file; the default style when
    None). TousuError, with the file and line, when the template is wrong or unsafe."""
    path = locate(template).resolve()
    try:
        env = _environment(path.parent)
        text = env.get_template(path.name).render(r=report)
    except TemplateSyntaxError as exc:
        where = Path(exc.filename or path)
        raise TousuError(f"报告模板有误（{where}，第{exc.lineno}行）：{_said(exc)}") from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        line = _line(exc, path)
        at = f"，第{line}行" if line else ""
        raise TousuError(f"报告模板有误（{path}{at}）：{_said(exc)}") from None
    blocks = parse(text)
    title = next((b.text for b in blocks if b.kind == "title"), report.title)
    return Document(title, blocks)
