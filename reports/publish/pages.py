"""The publications' HTML pages from Jinja2 templates (``reports/templates/publish``): a
sandboxed environment with autoescape, so every text from data is escaped and a template
can reach only what it is given. The same HTML is the PDF (:mod:`reports.pdf`) and, read
back, the DOCX and Markdown (:mod:`reports.publish.convert`): the formats never disagree."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from models.reads.publications import CompanyReport, RankList, RatingList
from models.rules.report_text import cn_number
from reports.html import CSP_META, STYLE
from reports.publish import svg

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "publish"
EXTRA_STYLE = """
nav.meta { text-align: left; margin-bottom: 0; }
figure { margin: 8px auto; text-align: center; }
figure svg { max-width: 100%; height: auto; }
a { color: #c8102e; }
"""

Document = RatingList | RankList | CompanyReport


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda value: f"{Decimal(value)}%"
    env.filters["cn"] = cn_number
    return env


def _page(template: str, title: str, org: str, note: str = "", **context) -> str:
    return (
        environment()
        .get_template(template)
        .render(
            csp=Markup(CSP_META),
            style=Markup(STYLE + EXTRA_STYLE),
            title=title,
            org=org,
            note=note,
            home=context.pop("home", None),
            downloads=context.pop("downloads", ()),
            **context,
        )
    )


def _chart(title: str, items: list[tuple[str, float, str]]) -> Markup | None:
    # svg.bars escapes every text it draws: the markup is safe to insert as it is.
    return Markup(svg.bars(title, items)) if items else None


def page(doc: Document, *, home: str | None = None, downloads=()) -> str:
    """``doc`` as one self-contained HTML page (``home``: the site's index, relative)."""
    nav = {"home": home, "downloads": downloads}
    if isinstance(doc, RatingList):
        rated = [r for r in doc.ratings if r.rated]
        chart = _chart(
            f"{doc.title} 综合指数",
            [(r.platform, float(r.composite), str(r.composite)) for r in rated[:15]],
        )
        return _page("ratings.html", doc.title, doc.org, doc.note, doc=doc, chart=chart, **nav)
    if isinstance(doc, RankList):
        chart = _chart(
            f"{doc.title} 投诉量",
            [(r.platform, r.complaints, str(r.complaints)) for r in doc.ranks[:15]],
        )
        return _page("leaderboard.html", doc.title, doc.org, doc.note, doc=doc, chart=chart, **nav)
    charts = {
        d.dimension: _chart(
            d.heading, [(s.label, float(s.percent), f"{s.percent}%") for s in d.shares[:12]]
        )
        for d in doc.distributions
    }
    return _page("company.html", doc.title, doc.org, doc.note, doc=doc, charts=charts, **nav)


def index(title: str, org: str, intro: str, sectors: list[dict]) -> str:
    """The site's index: per sector, each publication with its downloads."""
    return _page("index.html", title, org, sectors=sectors, intro=intro)
