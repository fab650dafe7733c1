"""The audit pages in a real browser (Debian chromium): the auditor (no second factor) picks a user by
e-mail and a day range in the filter form and finds a correction with its reason, checks the hash chain
from the page, and every state of the page (filtered, with internal entries, with a wrong date, after a
chain check) has no serious or critical axe violation, reflows at 320 px and loads with no failed request,
in Polish and English."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from domain.application import DEFAULT_NETWORK_ID
from domain.values import WARSAW
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.world import World, build_world

REASON = "Literówka w opisie — poprawiono po rozmowie z RIPH"


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    staff = container.users.get_by_email("staff@example.org")
    record = container.app.get_record(world.own_record)
    container.use_cases.records.correct(staff, world.own_record, expected_version=record.version, reason=REASON,
                                        changes={"summary": "Kontakt w sprawie targów"})
    container.runner.catch_up()
    return world


def sign_in_as_auditor(page: Page, server) -> None:
    sign_in(page, server, "auditor@example.org")


def test_the_auditor_filters_by_user_and_days_and_finds_the_correction(live_server, world, page):
    sign_in_as_auditor(page, live_server)
    page.get_by_role("link", name="Audyt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ślad audytowy")
    today = datetime.now(WARSAW).date().isoformat()
    page.get_by_label("Kto zapisał").select_option(label="staff@example.org (RIPH – Instytucja RIPH)")
    page.get_by_label("Zarejestrowane od dnia").fill(today)
    page.get_by_label("Zarejestrowane do dnia (włącznie)").fill(today)
    page.get_by_role("button", name="Filtruj").click()
    settle(page)
    table = page.get_by_role("table")
    expect(table.get_by_text(REASON)).to_be_visible()
    expect(table.get_by_text("Poprawiono wpis")).to_be_visible()
    assert table.locator("tbody tr").count() == 1
    check_page(page)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_state_of_the_audit_page_is_accessible_and_reflows(live_server, world, new_page, language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in_as_auditor(page, live_server)
    for path in (f"/audyt?lang={language}", "/audyt?internal=1", f"/audyt?wpis={world.own_record}",
                 "/audyt?kind=contact&from=2001-01-01"):
        open_page(page, live_server.url_for(path))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
    open_page(page, live_server.url_for("/audyt?from=5.03.2013"))
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    check_page(page)
    open_page(page, live_server.url_for("/audyt"))
    page.get_by_role("button", name="Sprawdź łańcuch" if language == "pl" else "Check the chain").click()
    settle(page)
    expect(page.locator(".govuk-notification-banner--success")).to_have_count(1)
    expect(page.locator("#lancuch ~ .govuk-inset-text .govuk-tag--green")).to_have_count(1)
    check_page(page)
