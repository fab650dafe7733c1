"""The personal-data pages in a real browser (Debian chromium): the privacy notice (signed out), the DPO's search,
a person's page, the erasure form (with and without an error) and the retention review, the directory's person
page; each passes axe (no serious or critical violation), reflows at 320 px and loads only local files, in
Polish and English. With JavaScript off the DPO finds a person by name, downloads their PDF and erases them,
after which the meeting's page says "osoba usunięta"."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.values import Actor
from tests.browser import harness
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world

DPO = "iod@example.org"


@pytest.fixture(scope="module")
def world(live_server) -> dict:
    container = live_server.container
    world: World = build_world(container, DEFAULT_NETWORK_ID)
    container.users.add(email=DPO, password=PASSWORD, role="dpo", municipality_id=DEFAULT_MUNICIPALITY_ID)
    persons = {name: container.persons.add(name=name, email=f"{key}@example.org", phone="+48 65 529 00 10",
                                           institution_id=world.riph, position="prezes")
               for key, name in (("anna", "Anna Przeglądowa"), ("jan", "Jan Usuwany"))}
    meeting = container.app.records.record("meeting", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 3, 1), "title": "Spotkanie o targach",
        "kind": "network_meeting", "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [],
        "person_ids": list(persons.values())}, Actor(user_id="setup")).id
    container.runner.catch_up()
    return {"persons": persons, "meeting": meeting}


@pytest.fixture(scope="module")
def dpo_session(live_server, world, browser) -> dict:
    """The DPO signed in once (password and TOTP enrolment): a code is accepted only once, so the tests share
    the session's cookies rather than signing in again within the same 30 seconds."""
    context = browser.new_context()
    harness.watch(context)  # held to 127.0.0.1 like every other context
    try:
        enrol_and_sign_in(context.new_page(), live_server, DPO)
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_pages_are_accessible_reflow_and_load_only_local_files(live_server, world, dpo_session, new_page,
                                                                  language):
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    open_page(page, live_server.url_for(f"/ochrona-danych?lang={language}"))
    check_page(page)  # the notice, signed out
    anna = world["persons"]["Anna Przeglądowa"]
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB", storage_state=dpo_session)
    for path in ("/ochrona-danych/osoby", f"/ochrona-danych/osoby/{anna}", f"/ochrona-danych/osoby/{anna}/usun",
                 "/ochrona-danych/przeglad", "/ochrona-danych"):
        open_page(page, live_server.url_for(f"{path}?lang={language}"))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
    open_page(page, live_server.url_for(f"/ochrona-danych/osoby?lang={language}"))
    page.fill("#q", "Przeglądowa")  # the search's results
    page.locator("form[action='/ochrona-danych/osoby'] button[type=submit]").click()
    settle(page)
    assert page.get_by_role("link", name="Anna Przeglądowa").count() == 1
    check_page(page)
    open_page(page, live_server.url_for(f"/ochrona-danych/osoby/{anna}/usun"))
    page.locator("main form button[type=submit]").click()  # no ground chosen: the error summary
    settle(page)
    assert page.locator(".govuk-error-summary").count() == 1
    check_page(page)
    auditor = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(auditor, live_server, "auditor@example.org")
    open_page(auditor, live_server.url_for(f"/katalog/osoby/{anna}?lang={language}"))
    assert auditor.get_by_text("Spotkanie o targach").count() == 1
    check_page(auditor)


def test_with_javascript_off_the_dpo_finds_downloads_and_erases_a_person(live_server, world, dpo_session, new_page):
    page = new_page(java_script_enabled=False, accept_downloads=True, storage_state=dpo_session)
    page.goto(live_server.url_for("/"))
    page.get_by_role("link", name="Ochrona danych").click()
    page.fill("#q", "Jan Usuwany")
    page.get_by_role("button", name="Szukaj").click()
    assert "Jan+Usuwany" not in page.url and "Usuwany" not in page.url  # the search is not in the address
    page.get_by_role("link", name="Jan Usuwany").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz jako PDF").click()
    assert download.value.suggested_filename.startswith("dane-osoby-") and download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("button", name="Usuń dane tej osoby").click()
    page.get_by_label("art. 17 ust. 1 lit. b RODO – cofnięcie zgody").check()
    page.get_by_role("button", name="Usuń dane osoby").click()
    assert page.get_by_text("Dane osoby zostały usunięte.").count() == 1
    assert page.get_by_text("Usunięto dane osoby kontaktowej (art. 17 RODO): art. 17 ust. 1 lit. b RODO").count() == 1
    auditor = new_page()
    sign_in(auditor, live_server, "auditor@example.org")
    open_page(auditor, live_server.url_for(f"/wpisy/{world['meeting']}"))
    assert auditor.get_by_text("osoba usunięta").count() >= 1 and auditor.get_by_text("Jan Usuwany").count() == 0
