"""The network picture's SVG: the same layout every time, a labelled node per institution, a line per pair
whose thickness grows with the count and which carries the count as text, and a title and description
that say every pair in words."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from api.pages.network_graph import MAX_WIDTH, MIN_WIDTH, RADIUS, SIZE, GraphWords, line_width, network_svg, positions

WORDS = GraphWords(title="Sieć instytucji w 2013 r.", no_pairs="Brak par", pair="%(first)s – %(second)s: %(count)s")
SVG = "{http://www.w3.org/2000/svg}"


def _draw(labels, edges):
    return network_svg("network-2013", labels, [(a, b, n, f"{n} wpisy") for a, b, n in edges], WORDS)


def test_the_layout_is_a_circle_starting_at_the_top_and_the_same_every_time():
    points = positions(4)
    assert (points[0].x, points[0].y) == (SIZE / 2, SIZE / 2 - RADIUS)
    assert points[1].x > SIZE / 2 and points[3].x < SIZE / 2  # clockwise
    for p in points:
        assert math.isclose(math.hypot(p.x - SIZE / 2, p.y - SIZE / 2), RADIUS, abs_tol=0.2)
    edges = [(0, 1, 3), (1, 2, 1)]
    assert _draw(["A", "B", "C"], edges) == _draw(["A", "B", "C"], edges)


def test_thickness_grows_with_the_count_and_every_line_carries_its_count():
    assert line_width(1, 5) == MIN_WIDTH and line_width(5, 5) == MAX_WIDTH
    assert MIN_WIDTH < line_width(3, 5) < MAX_WIDTH
    assert line_width(1, 1) == MIN_WIDTH
    svg = ET.fromstring(_draw(["RIPH", "CITT", "LCB", "WPiR"], [(0, 1, 5), (1, 2, 1), (0, 3, 3)]))
    lines = svg.findall(f".//{SVG}line")
    widths = {line.get("data-pair"): float(line.get("stroke-width")) for line in lines}
    assert widths["0-1"] > widths["0-3"] > widths["1-2"]
    counts = [t.text for t in svg.find(f".//{SVG}g[@class='splot-network__counts']").findall(f"{SVG}text")]
    assert sorted(counts) == ["1", "3", "5"]
    colours = {line.get("stroke") for line in lines}
    assert len(colours) == 1  # colour carries nothing


def test_every_institution_is_a_labelled_node_and_text_is_escaped():
    svg = ET.fromstring(_draw(["RIPH", "A&B <x>", "LCB"], []))
    labels = [t.text for t in svg.find(f".//{SVG}g[@class='splot-network__nodes']").findall(f"{SVG}text")]
    assert labels == ["RIPH", "A&B <x>", "LCB"]
    assert len(svg.findall(f".//{SVG}circle")) == 3


def test_the_title_and_description_name_the_picture_and_say_every_pair():
    text = _draw(["RIPH", "CITT", "LCB"], [(0, 1, 2), (1, 2, 1)])
    svg = ET.fromstring(text)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text == WORDS.title
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == "RIPH – CITT: 2 wpisy; CITT – LCB: 1 wpisy."
    assert ET.fromstring(_draw(["RIPH"], [])).find(f"{SVG}desc").text == "Brak par."
    assert not re.search(r"<script|https?://(?!www\.w3\.org)", text)


def test_no_institutions_draws_an_empty_picture():
    svg = ET.fromstring(_draw([], []))
    assert svg.findall(f".//{SVG}circle") == [] and svg.find(f"{SVG}desc").text == "Brak par."
