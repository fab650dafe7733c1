"""The register import page in a real browser (Debian chromium): the coordinator (signed in with the TOTP
enrolment) checks a workbook with a bad row (listed with its sheet and row, nothing saved), imports its valid
rows, and imports another file with JavaScript off. The page, empty and with each result, in Polish and English,
has no serious or critical axe violation, reflows at 320 px and loads with no failed request."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from domain.application import DEFAULT_NETWORK_ID
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle
from tests.support.registers import CONTACT_HEADER, contacts, csv_file, xlsx_file
from tests.support.world import World, build_world

COORDINATOR = "coordinator@example.org"


@pytest.fixture(scope="module")
def world(live_server) -> World:
    container = live_server.container
    world = build_world(container, DEFAULT_NETWORK_ID)
    container.runner.catch_up()
    return world


def _records(server) -> int:
    container = server.container
    return len(container.use_cases.records.register_all(container.users.get_by_email("auditor@example.org")))


def test_the_coordinator_imports_a_register(live_server, world, new_page, tmp_path: Path):
    rows = contacts(3)
    rows[1][1] = "Nieistniejąca"
    workbook = tmp_path / "rejestr.xlsx"
    workbook.write_bytes(xlsx_file({"kontakty": (CONTACT_HEADER, rows)}))
    page = new_page()
    enrol_and_sign_in(page, live_server, COORDINATOR)
    for language in ("pl", "en"):
        open_page(page, live_server.url_for(f"/import?lang={language}"))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
    open_page(page, live_server.url_for("/import?lang=pl"))
    before = _records(live_server)

    page.set_input_files("#file", str(workbook))
    page.get_by_role("button", name="Importuj", exact=True).click()
    settle(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("niczego nie zaimportowano")
    expect(page.locator("#rejected-rows")).to_contain_text("Nieistniejąca")
    check_page(page)
    assert _records(live_server) == before

    page.set_input_files("#file", str(workbook))
    page.get_by_label("Importuj tylko poprawne wiersze").check()
    page.get_by_role("button", name="Importuj", exact=True).click()
    settle(page)
    expect(page.locator("#import-result")).to_have_text("Zaimportowano 2 wiersze.")
    check_page(page)
    assert _records(live_server) == before + 2

    open_page(page, live_server.url_for("/import?lang=en"))
    page.set_input_files("#file", str(workbook))
    page.get_by_role("button", name="Check only").click()
    settle(page)
    expect(page.locator("#rejected-rows")).to_contain_text("No institution")
    check_page(page)

    # another file with JavaScript off, in the same session
    register = tmp_path / "kontakty.csv"
    register.write_bytes(csv_file(CONTACT_HEADER, contacts(2, start=100)))
    no_js = new_page(java_script_enabled=False, storage_state=page.context.storage_state())
    no_js.goto(live_server.url_for("/import?lang=pl"))
    no_js.set_input_files("#file", str(register))
    no_js.get_by_role("button", name="Importuj", exact=True).click()
    no_js.wait_for_load_state()
    expect(no_js.locator("#import-result")).to_have_text("Zaimportowano 2 wiersze.")
    assert _records(live_server) == before + 4
