"""The year-closing pages in a real browser (Debian chromium), as issue 10's acceptance asks: every lead signs off
2012 on the year's page, the coordinator (signed in with the TOTP enrolment) closes it, reopens it for RIPH with
a reason, a record of 2012 is corrected, RIPH's lead signs off again, the coordinator closes again; versions 1
and 2 are viewable and their difference is shown. Every one of these pages, in Polish and English, has no
serious or critical axe violation, reflows at 320 px and loads with no failed request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from infra.users import UserStore
from tests.browser import harness
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    for short, institution in (("citt", world.citt), ("wpir", world.wpir), ("lcb", world.lcb)):
        users.add(email=f"lead-{short}@example.org", password=PASSWORD, role="lead", institution_id=institution,
                  municipality_id=DEFAULT_MUNICIPALITY_ID)
    container.runner.catch_up()
    return world


def lead_signs_off(new_page, server, email: str, short: str) -> None:
    page = new_page()
    sign_in(page, server, email)
    page.get_by_role("link", name="Lata sprawozdawcze").click()
    settle(page)
    page.get_by_role("link", name="2012").click()
    settle(page)
    page.get_by_role("button", name=f"Zatwierdź za {short}").click()
    expect(page.get_by_text(f"Zatwierdzono rok 2012 za {short}.")).to_be_visible()
    settle(page)
    check_page(page)
    page.context.close()


def close_year(page: Page, version: int) -> None:
    page.get_by_role("button", name="Zamknij rok").click()
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Zamknąć rok 2012?")
    check_page(page)
    page.get_by_role("button", name=f"Zamknij rok i opublikuj wersję {version}").click()
    expect(page.get_by_text(f"opublikowano wersję {version} jego sprawozdania")).to_be_visible()
    settle(page)


def test_close_reopen_correct_and_close_again_from_the_pages(live_server, world, new_page):
    coordinator = new_page()
    enrol_and_sign_in(coordinator, live_server, "coordinator@example.org")
    open_page(coordinator, live_server.url_for("/lata/2012"))
    check_page(coordinator)
    # Closing before the sign-offs: refused, naming who is missing.
    coordinator.get_by_role("button", name="Zamknij rok").click()
    settle(coordinator)
    coordinator.get_by_role("button", name="Zamknij rok i opublikuj wersję 1").click()
    settle(coordinator)
    expect(coordinator.get_by_text("Te instytucje nie zatwierdziły jeszcze roku 2012:")).to_be_visible()
    check_page(coordinator)

    for email, short in (("lead@example.org", "RIPH"), ("lead-citt@example.org", "CITT"),
                         ("lead-wpir@example.org", "WPiR"), ("lead-lcb@example.org", "LCB")):
        lead_signs_off(new_page, live_server, email, short)
    open_page(coordinator, live_server.url_for("/lata/2012"))
    close_year(coordinator, 1)
    check_page(coordinator)

    coordinator.get_by_role("button", name="Otwórz ponownie dla instytucji").click()
    settle(coordinator)
    coordinator.get_by_role("button", name="Otwórz ponownie dla tej instytucji").click()  # nothing picked
    settle(coordinator)
    expect(coordinator.locator(".govuk-error-summary")).to_be_visible()
    check_page(coordinator)
    coordinator.get_by_label("Instytucja").select_option(label="RIPH")
    coordinator.get_by_label("Dlaczego rok jest ponownie otwierany?").fill("Korekta opisu kontaktu RIPH")
    coordinator.get_by_role("button", name="Otwórz ponownie dla tej instytucji").click()
    expect(coordinator.get_by_text("Rok 2012 został ponownie otwarty dla RIPH.")).to_be_visible()
    settle(coordinator)
    check_page(coordinator)

    container = live_server.container
    riph_lead = container.users.get_by_email("lead@example.org")
    container.use_cases.records.correct(riph_lead, world.own_record, expected_version=1,
                                        reason="Literówka w opisie", changes={"summary": "Kontakt telefoniczny"})
    lead_signs_off(new_page, live_server, "lead@example.org", "RIPH")
    coordinator.reload(wait_until="load")
    settle(coordinator)
    close_year(coordinator, 2)

    coordinator.get_by_role("link", name="wersja 1").click()
    settle(coordinator)
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Wersja 1")
    check_page(coordinator)
    coordinator.go_back(wait_until="load")
    settle(coordinator)
    coordinator.get_by_role("link", name="różnice względem wersji 1").click()
    settle(coordinator)
    expect(coordinator.get_by_text("Liczba różnic: 1")).to_be_visible()
    expect(coordinator.locator(".splot-differences")).to_contain_text("wersja 1 → 2")
    check_page(coordinator)

    for path in ("/lata", "/lata/2012", "/lata/2012/zamkniecie", "/lata/2012/otwarcie/strategia",
                 "/lata/2012/wersje/2", "/lata/2012/wersje/1/roznice/2"):
        for language in ("pl", "en"):
            open_page(coordinator, live_server.url_for(f"{path}?lang={language}"))
            assert coordinator.locator("html").get_attribute("lang") == language
            check_page(coordinator)

    folder = os.environ.get("SPLOT_SCREENSHOTS")  # `make screenshots`: the year's page after two closes
    if folder:
        coordinator.set_viewport_size({"width": 1200, "height": 900})
        open_page(coordinator, live_server.url_for("/lata/2012?lang=pl"))
        harness.screenshot(coordinator, Path(folder) / "zamykanie-roku.png")
        open_page(coordinator, live_server.url_for("/lata/2012/wersje/1/roznice/2?lang=pl"))
        harness.screenshot(coordinator, Path(folder) / "roznice-wersji-raportu.png")
