"""Bar charts drawn on the server as SVG: no script, readable in print and in either language.

Colours and fonts are SVG presentation attributes (not inline styles, which the pages' CSP
forbids): the page's stylesheet may restyle them, and a renderer that applies no page CSS to SVG
(WeasyPrint, which makes the PDF report) still draws them in colour."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

#: the chart's width in its units, which are CSS pixels: the chart is drawn at its own size (never
#: wider) so that its text, 12 units high and never under 11, shows at least 11 pixels high
WIDTH = 600
#: labels sit left of their bars, in a column as wide as the widest (at least SIDE_LABEL_WIDTH, or a
#: third of a narrower chart); when one is wider than SIDE_LABEL_MAX (or half the chart), above the bars
SIDE_LABEL_WIDTH = 200
SIDE_LABEL_MAX = 300
FONT = "Noto Sans CJK JP, sans-serif"
INK = "#1d2733"
LINE = "#d8dee6"
LINK = "#1f5fa8"
#: a bar's colour by its css class: the current period's (or a severity's), the previous period's
FILL = {"": "#1f5fa8", "key-current": "#1f5fa8", "previous": "#a9c2e3", "critical": "#7a1510",
        "high": "#b3261e", "medium": "#8a5a00", "low": "#5f6b7a"}


@dataclass
class Bar:
    """One row of a chart: a label, a value, optionally the previous period's value."""

    label: str
    value: float
    previous: float | None = None
    css: str = ""
    href: str | None = None


def bars(rows: list[Bar], title: str, *, current: str = "", previous: str = "",
         width: int = WIDTH) -> Markup:
    """A horizontal bar chart, width units wide; with previous values each row shows both periods."""
    compare = any(row.previous is not None for row in rows)
    widest = max((_text_width(row.label) for row in rows), default=0) + 12
    above = widest > min(SIDE_LABEL_MAX, width // 2)
    left = 4 if above else max(min(SIDE_LABEL_WIDTH, width // 3), widest)
    label_space = 16 if above else 0
    row_height = label_space + (30 if compare else 24)
    top = 6
    height = top + row_height * len(rows) + (24 if compare else 4)
    scale = max([1.0] + [float(r.value or 0) for r in rows] + [float(r.previous or 0) for r in rows])
    span = width - left - 60
    # an image's parts are hidden from assistive technology: a chart with links is a figure, so
    # that its links can be reached
    role = "figure" if any(row.href for row in rows) else "img"
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="{role}" xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" '
             f'font-family="{FONT}" font-size="12" fill="{INK}">'
             f'<title>{escape(title)}</title>']
    for index, row in enumerate(rows):
        y = top + row_height * index
        if above:
            text = f'<text x="{left}" y="{y + 12}">{escape(row.label)}</text>'
        else:
            text = f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(row.label)}</text>'
        parts.append(f'<a href="{escape(row.href)}" fill="{LINK}">{text}</a>' if row.href else text)
        y += label_space
        length = span * float(row.value or 0) / scale
        thickness = 12 if compare else 18
        parts.append(f'<rect class="bar {escape(row.css)}" x="{left}" y="{y + 3}" '
                     f'width="{length:.1f}" height="{thickness}" fill="{_fill(row.css)}"/>')
        parts.append(f'<text class="value" x="{left + length + 5:.1f}" y="{y + 14}" font-weight="600">'
                     f'{escape(_number(row.value))}</text>')
        if compare and row.previous is not None:
            before = span * float(row.previous) / scale
            parts.append(f'<rect class="bar previous" x="{left}" y="{y + 17}" '
                         f'width="{before:.1f}" height="7" fill="{FILL["previous"]}"/>')
            parts.append(f'<text x="{left + before + 5:.1f}" y="{y + 25}" font-size="11">'
                         f'{escape(_number(row.previous))}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" '
                 f'y2="{top + row_height * len(rows)}" stroke="{LINE}"/>')
    if compare:
        y = height - 6
        second = _text_width(current) + 30
        x = left if left + second + _text_width(previous) + 14 <= width else 4
        parts.append(f'<rect class="bar key-current" x="{x}" y="{y - 9}" width="10" height="10" '
                     f'fill="{FILL["key-current"]}"/><text x="{x + 14}" y="{y}">{escape(current)}</text>'
                     f'<rect class="bar previous" x="{x + second}" y="{y - 9}" width="10" height="10" '
                     f'fill="{FILL["previous"]}"/>'
                     f'<text x="{x + second + 14}" y="{y}">{escape(previous)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _text_width(text: str) -> int:
    """About how wide a label is drawn: a full-width (Japanese) character 12 units, others 7."""
    return sum(12 if unicodedata.east_asian_width(c) in ("W", "F") else 7 for c in text)


def _fill(css: str) -> str:
    return FILL.get(css, FILL[""])


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
