"""The network picture and the comparison of two published versions in a real browser (Debian chromium):
staff reach /siec from the strategy tree, pick a year in the form, and find the graph by its accessible
name and the pairs' table; the picture, a refused year and the comparison page (reached from the task
page's form) pass axe (no serious or critical violation), reflow at 320 px and load nothing from outside
127.0.0.1, in Polish and English.

`SPLOT_SCREENSHOTS=docs/screenshots pytest tests/browser/test_network_pages.py -k screenshots` (part of
`make screenshots`) writes docs/screenshots/siec-instytucji.png."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from tests.browser import harness
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.world import World, build_world

STAFF = "staff@example.org"
TASK = "III.1.3"
SETUP = Actor(user_id="setup")


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    app = container.app

    def meeting(day: date, organiser, others, title: str) -> None:
        app.records.record("meeting", {"network_id": DEFAULT_NETWORK_ID, "occurred_on": day, "title": title,
                                       "kind": "network_meeting", "organiser_id": organiser,
                                       "institution_ids": list(others), "firm_ids": []}, SETUP)

    meeting(date(2013, 3, 1), world.riph, [world.citt, world.lcb], "Spotkanie sieci w sprawie targów")
    meeting(date(2013, 4, 2), world.wpir, [world.riph], "Narada w sprawie strategii")
    meeting(date(2013, 5, 6), world.citt, [world.lcb, world.wpir], "Warsztaty dla klastrów")
    app.strategy.publish_report(task_code=TASK, title="Sprawozdanie za 2012 r.", actor=SETUP)
    app.records.record("contact", {"network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2012, 11, 5),
                                   "institution_id": world.riph, "with_institution_id": world.lcb,
                                   "channel": "phone", "summary": "Kontakt dopisany po publikacji"}, SETUP)
    app.strategy.publish_report(task_code=TASK, title="Sprawozdanie po uzupełnieniu", actor=SETUP)
    container.runner.catch_up()
    return world


WORDS = {
    "pl": {"link": "Sieć instytucji: kto z kim się spotykał", "year": "Rok", "show": "Pokaż",
           "graph": "Sieć instytucji w 2013 r.: kto z kim się spotykał i jak często", "compare": "Porównaj wersje"},
    "en": {"link": "Network of institutions: who met whom", "year": "Year", "show": "Show",
           "graph": "Network of institutions in 2013: who met whom and how often", "compare": "Compare the versions"},
}


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_network_picture_and_the_comparison_are_accessible_and_reflow(live_server, world, new_page, language):
    words = WORDS[language]
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(page, live_server, STAFF)
    open_page(page, live_server.url_for(f"/strategia?lang={language}"))
    page.get_by_role("link", name=re.compile(words["link"])).click()
    settle(page)
    page.get_by_label(words["year"], exact=True).fill("2013")
    page.get_by_role("button", name=words["show"], exact=True).click()
    settle(page)
    assert "rok=2013" in page.url
    graph = page.get_by_role("img", name=words["graph"])
    expect(graph).to_be_visible()
    assert "RIPH" in (graph.locator("desc").text_content() or "")
    pairs = page.locator("#network-pairs tbody tr")
    assert pairs.count() == graph.locator("line").count() > 0
    check_page(page)

    page.get_by_label(words["year"], exact=True).fill("dwa tysiące")
    page.get_by_role("button", name=words["show"], exact=True).click()
    settle(page)
    expect(page.locator("#rok-error")).to_be_visible()
    assert page.locator("svg.splot-network").count() == 0
    check_page(page)

    open_page(page, live_server.url_for(f"/strategia/zadania/{TASK}"))
    page.locator("#compare-publications").get_by_role("button", name=words["compare"], exact=True).click()
    settle(page)
    assert "/porownanie?" in page.url
    changed = page.locator("#changed-cells tbody tr[data-change='indicator|III.1.3.W2|2012|actual']")
    expect(changed).to_have_count(1)
    check_page(page)


@pytest.mark.skipif(not os.environ.get("SPLOT_SCREENSHOTS"), reason="set SPLOT_SCREENSHOTS=DIR to write them")
def test_screenshots(live_server, world, page):
    folder = Path(os.environ["SPLOT_SCREENSHOTS"])
    sign_in(page, live_server, STAFF)
    page.set_viewport_size({"width": 1200, "height": 900})
    open_page(page, live_server.url_for("/siec?rok=2013"))
    harness.screenshot(page, folder / "siec-instytucji.png")
