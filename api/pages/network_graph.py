"""The network picture as an inline SVG drawn on the server (no JavaScript): institutions on a circle, in
the order given (the use case orders them by kind and short name, so the layout is the same every time),
each labelled with its short name; a line between two institutions for the records they shared, its
thickness growing with the count and the count written on it. Colour carries nothing: every line is
the same ink, and the number says what the thickness suggests.

The SVG is `role="img"` with a `<title>` and a `<desc>` that say every pair and count in words; the page
has the same numbers in its tables.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape

SIZE = 640  # the square viewBox
RADIUS = 220  # of the circle the institutions sit on
NODE_R = 11
MARGIN = 150  # left and right of the circle, for the labels written outward
MIN_WIDTH, MAX_WIDTH = 1.5, 10.0
INK, PAPER, NODE_FILL = "#0b0c0c", "#ffffff", "#1d70b8"
LABEL_AT = 0.38  # where along a line its count is written (not the middle: lines across the circle meet there)


@dataclass(frozen=True)
class GraphWords:
    """The words of one picture in the page's language."""

    title: str
    no_pairs: str  # said in the description when no two institutions met
    pair: str  # "%(first)s – %(second)s: %(count)s", with the count already in words ("3 records")


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def positions(count: int) -> list[Point]:
    """`count` points on the circle, the first at the top, then clockwise."""
    centre = SIZE / 2
    return [Point(round(centre + RADIUS * math.sin(2 * math.pi * k / count), 1),
                  round(centre - RADIUS * math.cos(2 * math.pi * k / count), 1)) for k in range(count)]


def line_width(count: int, most: int) -> float:
    """Thicker for more records: from MIN_WIDTH (one record) to MAX_WIDTH (the most any pair has)."""
    if most <= 1:
        return MIN_WIDTH
    return round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (count - 1) / (most - 1), 1)


def network_svg(graph_id: str, labels: list[str], edges: list[tuple[int, int, int, str]], words: GraphWords) -> str:
    """`labels`: the institutions' short names in their order on the circle; `edges`: (index of one,
    index of the other, count, the count in words for the description)."""
    uid = _safe_id(graph_id)
    points = positions(len(labels))
    most = max((count for _, _, count, _ in edges), default=1)
    lines: list[str] = []
    counts: list[str] = []
    said: list[str] = []
    for a, b, count, spoken in edges:
        p, q = points[a], points[b]
        width = line_width(count, most)
        lines.append(f'<line x1="{p.x}" y1="{p.y}" x2="{q.x}" y2="{q.y}" stroke="{INK}" stroke-width="{width}" '
                     f'stroke-linecap="round" data-pair="{a}-{b}" data-count="{count}"/>')
        x, y = p.x + (q.x - p.x) * LABEL_AT, p.y + (q.y - p.y) * LABEL_AT
        text = str(count)
        box = 12 + 11 * len(text)
        counts.append(f'<rect x="{x - box / 2:.1f}" y="{y - 13:.1f}" width="{box}" height="26" rx="4" fill="{PAPER}" '
                      f'stroke="{INK}" stroke-width="1"/>'
                      f'<text x="{x:.1f}" y="{y + 6.5:.1f}" text-anchor="middle" font-size="19" font-weight="bold" '
                      f'fill="{INK}">{escape(text)}</text>')
        said.append(words.pair % {"first": labels[a], "second": labels[b], "count": spoken})
    nodes: list[str] = []
    centre = SIZE / 2
    for label, point in zip(labels, points):
        dx, dy = point.x - centre, point.y - centre
        distance = math.hypot(dx, dy) or 1.0
        lx, ly = point.x + dx / distance * (NODE_R + 8), point.y + dy / distance * (NODE_R + 8)
        anchor = "middle" if abs(dx) < 1 else ("start" if dx > 0 else "end")
        ly += 14 if dy > 1 else (7 if dy >= -1 else 0)
        nodes.append(f'<circle cx="{point.x}" cy="{point.y}" r="{NODE_R}" fill="{NODE_FILL}" stroke="{INK}" '
                     f'stroke-width="2"/>'
                     f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="21" fill="{INK}">'
                     f'{escape(label)}</text>')
    description = "; ".join(said) if said else words.no_pairs
    return (
        f'<svg class="splot-network" xmlns="http://www.w3.org/2000/svg" viewBox="{-MARGIN} 0 {SIZE + 2 * MARGIN} {SIZE}" '
        f'width="100%" role="img" aria-labelledby="{uid}-title {uid}-desc" focusable="false">'
        f'<title id="{uid}-title">{escape(words.title)}</title>'
        f'<desc id="{uid}-desc">{escape(description)}.</desc>'
        f'<g class="splot-network__lines">{"".join(lines)}</g>'
        f'<g class="splot-network__nodes">{"".join(nodes)}</g>'
        f'<g class="splot-network__counts">{"".join(counts)}</g></svg>'
    )
