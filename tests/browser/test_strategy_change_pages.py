"""The coordinator's strategy pages in a real browser (Debian chromium): the coordinator (signed in with the TOTP
enrolment) changes III.1.3.W2's target for 2013, changes III.1.3.W4's rule to an entered value after seeing
it in words, enters a value for it, reports a stage's progress, all with JavaScript on; the same target form
again with JavaScript off. Every one of these pages, in Polish and English, has no serious or critical axe
violation, reflows at 320 px and loads with no failed request; the task page shows what was saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from domain.application import DEFAULT_NETWORK_ID
from tests.browser import harness
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.support.world import World, build_world

COORDINATOR = "coordinator@example.org"
PAGES = ("/strategia/wskazniki/III.1.3.W2/zmiana", "/strategia/wskazniki/III.1.3.W2/regula",
         "/strategia/zadania/III.1.3/etapy", "/strategia/plik")


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.runner.catch_up()
    return world


def _target(server, world, code: str, year: str):
    container = server.container
    coordinator = container.users.get_by_email(COORDINATOR)
    report = container.use_cases.strategy.task_report(coordinator, code.rsplit(".", 1)[0])
    return next(i for i in report["indicators"] if i["code"] == code)["years"][year]


def test_the_coordinator_changes_the_strategy_from_the_pages(live_server, world, new_page):
    page = new_page()
    enrol_and_sign_in(page, live_server, COORDINATOR)
    for language in ("pl", "en"):
        for path in PAGES:
            open_page(page, live_server.url_for(f"{path}?lang={language}"))
            assert page.locator("html").get_attribute("lang") == language
            check_page(page)
    open_page(page, live_server.url_for("/strategia/zadania/III.1.3?lang=pl"))
    page.get_by_role("link", name="Zmień wartości docelowe, wartości lub regułę III.1.3.W2").click()
    settle(page)
    page.fill("#target-2013", "9")
    page.fill("#reason", "Uchwała rady z 12 marca 2013")
    page.get_by_role("button", name="Zapisz wartości docelowe").click()
    settle(page)
    expect(page.get_by_text("Zapisano wartości docelowe.")).to_be_visible()
    check_page(page)
    assert _target(live_server, world, "III.1.3.W2", "2013")["target"] == 9

    # an error is shown on its field, accessibly
    page.fill("#target-2012", "sporo")
    page.fill("#reason", "test")
    page.get_by_role("button", name="Zapisz wartości docelowe").click()
    settle(page)
    expect(page.locator("#target-2012-error")).to_be_visible()
    check_page(page)

    open_page(page, live_server.url_for("/strategia/wskazniki/III.1.3.W4/regula"))
    page.get_by_label("Wartość wprowadzana przez koordynatora (np. dane GUS)").check()
    page.get_by_role("button", name="Sprawdź regułę").click()
    settle(page)
    expect(page.locator("#new-rule")).to_contain_text("Wartość wprowadzana przez koordynatora")
    check_page(page)
    page.fill("#reason", "Dane zewnętrzne")
    page.get_by_role("button", name="Zapisz nową regułę").click()
    settle(page)
    page.select_option("#year", "2011")
    page.fill("#value", "6")
    page.fill("#value_reason", "Sprawozdanie WPiR")
    page.get_by_role("button", name="Zapisz wartość").click()
    settle(page)
    expect(page.get_by_text("Zapisano wprowadzoną wartość.")).to_be_visible()
    assert _target(live_server, world, "III.1.3.W4", "2011")["actual"] == 6

    open_page(page, live_server.url_for("/strategia/zadania/III.1.3/etapy"))
    page.fill("#realised-4-2013", "2,5")
    page.get_by_role("button", name="Zapisz realizację").click()
    settle(page)
    expect(page.get_by_text("Zapisano realizację etapów.")).to_be_visible()
    open_page(page, live_server.url_for("/strategia/zadania/III.1.3"))
    assert "2,5/2,5%" in page.locator("#stages").inner_text().replace(" ", "")

    # the same form with JavaScript off, in the same session
    no_js = new_page(java_script_enabled=False, storage_state=page.context.storage_state())
    no_js.goto(live_server.url_for("/strategia/wskazniki/III.1.3.W2/zmiana"))
    no_js.fill("#target-2013", "11")
    no_js.fill("#reason", "Korekta bez JavaScriptu")
    no_js.get_by_role("button", name="Zapisz wartości docelowe").click()
    no_js.wait_for_load_state()
    expect(no_js.get_by_text("Zapisano wartości docelowe.")).to_be_visible()
    assert _target(live_server, world, "III.1.3.W2", "2013")["target"] == 11


@pytest.mark.skipif(not os.environ.get("SPLOT_SCREENSHOTS"), reason="set SPLOT_SCREENSHOTS=DIR to write them")
def test_screenshots(live_server, world, page):
    """The task dashboard with its charts and the audit trail, as the auditor sees them (`make screenshots`)."""
    folder = Path(os.environ["SPLOT_SCREENSHOTS"])
    sign_in(page, live_server, "auditor@example.org")
    page.set_viewport_size({"width": 1200, "height": 900})
    open_page(page, live_server.url_for("/strategia/zadania/III.1.3?lang=pl"))
    harness.screenshot(page, folder / "zadanie-wskazniki-i-wykresy.png")
    open_page(page, live_server.url_for("/audyt?lang=pl"))
    harness.screenshot(page, folder / "dziennik-audytu.png")
