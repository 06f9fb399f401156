"""Bar charts drawn on the server as SVG: no script, readable in print and in either language."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 600
#: labels up to this many characters sit left of their bars; longer ones go above them
SIDE_LABEL_CHARS = 16
SIDE_LABEL_WIDTH = 200


@dataclass
class Bar:
    """One row of a chart: a label, a value, optionally the previous period's value."""

    label: str
    value: float
    previous: float | None = None
    css: str = ""
    href: str | None = None


def bars(rows: list[Bar], title: str, *, current: str = "", previous: str = "") -> Markup:
    """A horizontal bar chart; with previous values each row shows both periods."""
    compare = any(row.previous is not None for row in rows)
    above = any(len(row.label) > SIDE_LABEL_CHARS for row in rows)
    left = 4 if above else SIDE_LABEL_WIDTH
    label_space = 16 if above else 0
    row_height = label_space + (30 if compare else 24)
    top = 6
    height = top + row_height * len(rows) + (24 if compare else 4)
    scale = max([1.0] + [float(r.value or 0) for r in rows] + [float(r.previous or 0) for r in rows])
    span = WIDTH - left - 60
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
             f'<title>{escape(title)}</title>']
    for index, row in enumerate(rows):
        y = top + row_height * index
        if above:
            text = f'<text x="{left}" y="{y + 12}">{escape(row.label)}</text>'
        else:
            text = f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(row.label)}</text>'
        parts.append(f'<a href="{escape(row.href)}">{text}</a>' if row.href else text)
        y += label_space
        length = span * float(row.value or 0) / scale
        thickness = 12 if compare else 18
        parts.append(f'<rect class="bar {escape(row.css)}" x="{left}" y="{y + 3}" '
                     f'width="{length:.1f}" height="{thickness}"/>')
        parts.append(f'<text class="value" x="{left + length + 5:.1f}" y="{y + 14}">'
                     f'{escape(_number(row.value))}</text>')
        if compare and row.previous is not None:
            before = span * float(row.previous) / scale
            parts.append(f'<rect class="bar previous" x="{left}" y="{y + 17}" '
                         f'width="{before:.1f}" height="7"/>')
            parts.append(f'<text x="{left + before + 5:.1f}" y="{y + 25}" font-size="10">'
                         f'{escape(_number(row.previous))}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" '
                 f'y2="{top + row_height * len(rows)}"/>')
    if compare:
        y = height - 6
        parts.append(f'<rect class="bar key-current" x="{left}" y="{y - 9}" width="10" height="10"/>'
                     f'<text x="{left + 14}" y="{y}">{escape(current)}</text>'
                     f'<rect class="bar previous" x="{left + 180}" y="{y - 9}" width="10" '
                     f'height="10"/><text x="{left + 194}" y="{y}">{escape(previous)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
