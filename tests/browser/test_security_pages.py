"""The security events on the audit page in a real browser (Debian chromium): after a failed sign-in naming no
account, the auditor picks the kind "Logowanie" in the filter form and finds it ("nieznane konto") beside their
own sign-in; the filtered page has no serious or critical axe violation, reflows at 320 px and loads with no
failed request, in Polish and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.application import DEFAULT_NETWORK_ID
from domain.use_cases.sign_in import SignInRefused
from tests.browser.session import check_page, open_page, settle, sign_in
from tests.support.world import World, build_world


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    with pytest.raises(SignInRefused):
        container.use_cases.sign_in.sign_in("ktos.obcy@example.org", "zgadywane hasło", address="192.0.2.44")
    return world


def test_the_auditor_filters_the_trail_by_sign_ins(live_server, world, page: Page):
    sign_in(page, live_server, "auditor@example.org")
    open_page(page, live_server.url_for("/audyt"))
    page.locator("#kind").select_option(value="sign_in")
    expect(page.locator("#kind option[value=sign_in]")).to_have_text("Logowanie")
    page.get_by_role("button", name="Filtruj").click()
    settle(page)
    table = page.get_by_role("table")
    expect(table.get_by_text("Nieudane logowanie")).to_be_visible()
    expect(table.get_by_text("nieznane konto").first).to_be_visible()
    expect(table.get_by_text("Zalogowano").first).to_be_visible()
    assert "ktos.obcy" not in page.content()
    check_page(page)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_sign_in_events_page_is_accessible_and_reflows(live_server, world, new_page, language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(page, live_server, "auditor@example.org")
    for path in (f"/audyt?kind=sign_in&lang={language}", "/audyt?kind=account_change", "/audyt?kind=api_token_change"):
        open_page(page, live_server.url_for(path))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
