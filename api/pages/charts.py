"""Inline SVG charts drawn on the server (no chart JavaScript): an indicator's target against its actual
value per year.

Colour is never the only carrier: the target bar is hatched and outlined, the actual bar solid, a legend
names both, and every bar has its value written above it; a year with "-" (not planned) or "bd" (no
data) gets that mark written instead of a bar. The chart is `role="img"` with a `<title>` and a
`<desc>` that say the same numbers in words, and the page's table has them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any


WIDTH, HEIGHT = 480, 220
TOP, BOTTOM, LEFT, RIGHT = 40, 40, 10, 10
TARGET_FILL, ACTUAL_FILL, INK = "#1d70b8", "#0b0c0c", "#0b0c0c"


@dataclass(frozen=True)
class ChartWords:
    """The words of one chart in the page's language."""

    title: str
    target: str
    actual: str
    not_planned: str
    no_data: str


def is_number(value: Any) -> bool:
    """A value to draw as a bar (the report's "-" and "bd" are text)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _spoken(value: Any, words: ChartWords, shown: str) -> str:
    if value == "-":
        return words.not_planned
    if value == "bd":
        return words.no_data
    return shown


def target_actual_chart(chart_id: str, years: list[str], cells: dict[str, dict[str, Any]], words: ChartWords,
                        shown: dict[str, dict[str, str]]) -> str:
    """An SVG of paired bars per year (target hatched, actual solid). `cells[year]` has "target" and
    "actual" as the report gives them; `shown[year]` the same values as the page writes them."""
    uid = _safe_id(chart_id)
    numbers = [float(v) for y in years for v in (cells[y]["target"], cells[y]["actual"]) if is_number(v)]
    top = max(numbers + [1.0])
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    bar = slot * 0.32
    parts: list[str] = []
    description: list[str] = []
    for n, year in enumerate(years):
        x0 = LEFT + n * slot + slot * 0.15
        said = []
        for k, (series, fill) in enumerate((("target", f"url(#{uid}-hatch)"), ("actual", ACTUAL_FILL))):
            value = cells[year][series]
            text = shown[year][series]
            x = x0 + k * (bar + slot * 0.06)
            label = words.target if series == "target" else words.actual
            said.append(f"{label} {_spoken(value, words, text)}")
            if is_number(value):
                h = plot_h * float(value) / top
                y = TOP + plot_h - h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}" '
                             f'stroke="{INK}" stroke-width="1"/>')
                label_y = y - 4
            else:
                label_y = TOP + plot_h - 4
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="12" '
                         f'fill="{INK}">{escape(text)}</text>')
        parts.append(f'<text x="{x0 + bar + slot * 0.03:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{escape(year)}</text>')
        description.append(f"{year}: " + ", ".join(said))
    base_y = TOP + plot_h
    legend = (f'<rect x="{LEFT}" y="8" width="16" height="12" fill="url(#{uid}-hatch)" stroke="{INK}"/>'
              f'<text x="{LEFT + 22}" y="18" font-size="12" fill="{INK}">{escape(words.target)}</text>'
              f'<rect x="{LEFT + 200}" y="8" width="16" height="12" fill="{ACTUAL_FILL}" stroke="{INK}"/>'
              f'<text x="{LEFT + 222}" y="18" font-size="12" fill="{INK}">{escape(words.actual)}</text>')
    return (
        f'<svg class="splot-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{uid}-title {uid}-desc" focusable="false">'
        f'<title id="{uid}-title">{escape(words.title)}</title>'
        f'<desc id="{uid}-desc">{escape("; ".join(description))}.</desc>'
        f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{TARGET_FILL}" stroke-width="3"/></pattern></defs>'
        f'{legend}'
        f'<line x1="{LEFT}" y1="{base_y}" x2="{WIDTH - RIGHT}" y2="{base_y}" stroke="{INK}" stroke-width="1"/>'
        f'{"".join(parts)}</svg>'
    )
