"""The strategy pages in a real browser (Debian chromium): the tree, the task pages of III.1.3 and I.3.5 (with
their charts), an as-of view and a drill-down, in Polish and English: no serious or critical axe
violation, reflow at 320 px, no failed request while the browser may reach only 127.0.0.1; the
drill-down a cell links to lists exactly the records the use case returns."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.values import WARSAW
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.world import World, build_world

AUDITOR = "auditor@example.org"


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.runner.catch_up()
    return world


@pytest.mark.parametrize("language", ["pl", "en"])
def test_strategy_pages_are_accessible_reflow_and_load_only_local_files(live_server, world, new_page, language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(page, live_server, AUDITOR)
    today = datetime.now(WARSAW).date().isoformat()
    for path in ("/strategia", "/strategia/zadania/III.1.3", "/strategia/zadania/I.3.5",
                 f"/strategia/zadania/III.1.3?as_of={today}", "/strategia/wskazniki/III.1.3.W2/2012",
                 "/strategia/wskazniki/III.1.3.W1/2012", "/strategia/wskazniki/III.1.3.W3/2012"):
        open_page(page, live_server.url_for(f"{path}{'&' if '?' in path else '?'}lang={language}"))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
    open_page(page, live_server.url_for("/strategia/zadania/III.1.3"))
    assert page.locator("svg[role=img] title").count() == 4  # one chart per indicator of III.1.3


def test_a_cells_link_opens_exactly_the_records_behind_it(live_server, world, page):
    sign_in(page, live_server, AUDITOR)
    container = live_server.container
    auditor = container.users.get_by_email(AUDITOR)
    events = container.use_cases.strategy.indicator_events(auditor, "III.1.3.W2", 2012)
    open_page(page, live_server.url_for("/strategia"))
    page.get_by_role("link", name="III.1.3 Tworzenie sieci jednostek okołobiznesowych dla subregionu").click()
    settle(page)
    page.locator('[data-cell="III.1.3.W2|actual|2012"] a').click()
    settle(page)
    listed = page.locator("a[data-record]").evaluate_all("links => links.map(a => a.dataset.record)")
    assert sorted(listed) == sorted(e["record_id"] for e in events)
    assert page.locator("#actual").inner_text().strip() == str(len(events))
