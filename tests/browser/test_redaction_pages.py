"""The redaction pages in a real browser (Debian chromium): the DPO's search of records by their text (with and
without results), the confirmation page (with and without an error, and once the text is gone) and a person's
page with its links; each passes axe (no serious or critical violation), reflows at 320 px and loads only local
files, in Polish and English. With JavaScript off the DPO finds a record by the name typed into it, redacts it on
a chosen ground, and the record's page then says "treść usunięta (RODO)" where the typed text was."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.values import Actor
from tests.browser import harness
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world

DPO = "iod-redakcja@example.org"
NAME = "Leokadia Wrzosowa-Tajna"


@pytest.fixture(scope="module")
def world(live_server) -> dict:
    container = live_server.container
    world: World = build_world(container, DEFAULT_NETWORK_ID)
    container.users.add(email=DPO, password=PASSWORD, role="dpo", municipality_id=DEFAULT_MUNICIPALITY_ID)
    person = container.persons.add(name=NAME, email="leokadia@example.org", institution_id=world.riph)
    actor = Actor(user_id="setup")
    meetings = [container.app.records.record("meeting", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 3, day), "title": f"Spotkanie o targach {day}",
        "kind": "network_meeting", "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [],
        "minutes": f"Wystąpiła {NAME}", "person_ids": [person],
        "follow_ups": [{"action": f"Wysłać {NAME} protokół", "due_on": date(2013, 4, 1), "institution_id": None}]},
        actor).id for day in (1, 2, 3)]
    container.runner.catch_up()
    return {"person": person, "meetings": meetings}


@pytest.fixture(scope="module")
def dpo_session(live_server, world, browser) -> dict:
    """The DPO signed in once (password and TOTP enrolment), shared by the tests (a code is accepted once)."""
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
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB", storage_state=dpo_session)
    first, second = world["meetings"][0], world["meetings"][1 if language == "pl" else 2]
    for path in ("/ochrona-danych/wpisy", f"/ochrona-danych/wpisy/{first}/redakcja",
                 f"/ochrona-danych/osoby/{world['person']}"):
        open_page(page, live_server.url_for(f"{path}?lang={language}"))
        assert page.locator("html").get_attribute("lang") == language
        check_page(page)
    open_page(page, live_server.url_for(f"/ochrona-danych/wpisy?lang={language}"))
    for text, found in (("Wrzosowa", True), ("nikt-taki", False)):  # results, and none
        page.fill("#q", text)
        page.locator("main form button[type=submit]").click()
        settle(page)
        assert (page.locator("a[href$='/redakcja']").count() >= 2) == found
        check_page(page)
    open_page(page, live_server.url_for(f"/ochrona-danych/wpisy/{second}/redakcja?lang={language}"))
    page.locator("main form button[type=submit]").click()  # no ground chosen: the error summary
    settle(page)
    assert page.locator(".govuk-error-summary").count() == 1
    check_page(page)
    page.locator("#legal_ground-0").check()
    page.locator("main form button[type=submit]").click()
    settle(page)
    assert page.locator(".govuk-notification-banner--success").count() == 1  # redacted: the list with its banner
    check_page(page)
    open_page(page, live_server.url_for(f"/ochrona-danych/wpisy/{second}/redakcja?lang={language}"))
    assert page.locator("#already-redacted").count() == 1 and page.get_by_text(NAME).count() == 0
    check_page(page)


def test_with_javascript_off_the_dpo_finds_and_redacts_a_record(live_server, world, dpo_session, new_page):
    page = new_page(java_script_enabled=False, storage_state=dpo_session)
    page.goto(live_server.url_for("/ochrona-danych/osoby"))
    page.get_by_role("link", name="Treść wpisów").click()
    page.fill("#q", NAME)
    page.get_by_role("button", name="Szukaj").click()
    assert "Wrzosowa" not in page.url and "Leokadia" not in page.url  # the search is not in the address
    page.locator(f"a[href='/ochrona-danych/wpisy/{world['meetings'][0]}/redakcja']").click()
    assert page.get_by_text(f"Wystąpiła {NAME}").count() == 1  # the text that will go
    page.get_by_label("art. 17 ust. 1 lit. c RODO – sprzeciw wobec przetwarzania").check()
    page.get_by_role("button", name="Usuń treść").click()
    assert page.get_by_text("Treść wpisu została usunięta.", exact=False).count() == 1
    auditor = new_page()
    sign_in(auditor, live_server, "auditor@example.org")
    open_page(auditor, live_server.url_for(f"/wpisy/{world['meetings'][0]}"))
    assert auditor.get_by_text("treść usunięta (RODO)", exact=False).count() >= 1
    # The person still took part (named as a participant: not erased); what was typed about them is gone.
    assert auditor.get_by_text(f"Wystąpiła {NAME}", exact=False).count() == 0
    assert auditor.get_by_text(f"Wysłać {NAME} protokół", exact=False).count() == 0
