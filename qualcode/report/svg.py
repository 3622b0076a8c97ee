"""Charts for the report as hand-written SVG, and matplotlib's SVG made fit for inline use.

Why by hand rather than matplotlib for the bar charts: labels stay crisp text at any zoom, the
chart needs no fonts from elsewhere and it is a few kilobytes even with a hundred codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.report.html import NotAvailable, esc


def clean_svg(svg: str, label: str) -> str:
    """matplotlib's SVG made fit for inline use: no XML prologue or metadata (which names
    matplotlib's web site), scalable to the column width, with an accessible name."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(label)}" class="chart" ', 1)


@dataclass
class Bar:
    label: str
    value: float
    color: str = "#4e79a7"
    group: str | None = None
    note: str = ""
    text: str | None = None  # the value as printed next to the bar (default: the value)


def bar_chart_svg(bars: Sequence[Bar], title: str, *, width: int = 820, row: int = 22, vmax: float | None = None,
                  marks: Sequence[tuple[float, str]] = ()) -> str:
    """Horizontal bars, grouped under a heading per group, as hand-written SVG.

    Why by hand rather than matplotlib: labels stay crisp text at any zoom, the chart needs no
    fonts from elsewhere and it is a few kilobytes even with a hundred codes.
    """
    if not bars:
        raise NotAvailable("nothing to chart")
    longest = max(len(b.label) for b in bars)
    label_w = min(320, max(90, int(longest * 7.2) + 12))
    value_w = 48
    bar_w = max(120, width - label_w - value_w)
    vmax = vmax or max(b.value for b in bars) or 1
    parts: list[str] = []
    y = 8
    group = object()
    for b in bars:
        if b.group != group:
            group = b.group
            if group is not None:
                y += 8
                parts.append(f'<text x="0" y="{y + 15}" class="g">{esc(group)}</text>')
                y += row
        w = bar_w * b.value / vmax
        label = b.label if len(b.label) <= 46 else b.label[:45] + "…"
        shown = b.text if b.text is not None else f"{b.value:g}"
        tip = f"{b.label}: {shown}" + (f" ({b.note})" if b.note else "")
        parts.append(
            f'<g><title>{esc(tip)}</title>'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="l">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 7}" rx="2" fill="{esc(b.color)}"/>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" class="v">{esc(shown)}</text></g>'
        )
        y += row
    for value, text in marks:
        x = label_w + bar_w * value / vmax
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{y + 2}" class="m"/>'
                     f'<text x="{x + 3:.1f}" y="{y + 14}" class="v">{esc(text)}</text>')
    height = y + (20 if marks else 8)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" aria-label="{esc(title)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f"<title>{esc(title)}</title>"
            "<style>.l{font:13px sans-serif;fill:#333}.v{font:12px sans-serif;fill:#555}"
            ".g{font:bold 13px sans-serif;fill:#111}.m{stroke:#888;stroke-dasharray:3 3}</style>"
            + "".join(parts) + "</svg>")
