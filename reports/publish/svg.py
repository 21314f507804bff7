"""Charts as inline SVG written by hand: no script, no font or file fetched, the same bytes
for the same figures (a page's content hash changes only when its numbers do)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

RED = "#c8102e"
FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', sans-serif"


def bars(title: str, items: Sequence[tuple[str, float, str]], *, width: int = 640) -> str:
    """A horizontal bar chart: one bar per (label, value, printed value), longest = full.

    Labels and printed values are escaped (they come from data); an empty ``items`` draws
    the title only.
    """
    row, label_w, value_w, top = 24, 150, 80, 34
    height = top + row * len(items) + 10
    scale = max((v for _l, v, _p in items), default=0) or 1
    span = width - label_w - value_w - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="{width / 2:.0f}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value, printed) in enumerate(items):
        y = top + i * row
        length = max(0.0, value) / scale * span
        parts += [
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(_short(label))}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" fill="{RED}"/>',
            f'<text x="{label_w + length + 6:.1f}" y="{y + 16}">{escape(printed)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, most: int = 11) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"
