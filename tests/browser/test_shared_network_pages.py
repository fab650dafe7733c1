"""The shared-network pages in a real browser (Debian chromium), in Polish and English: a Leszno staff member
opens the shared networks from the menu, publishes a good practice with the form (a refused form shows the
error summary), attaches a PDF and finds the practice in the library; a Gniezno staff member of the same
metropolitan network reads it and opens the comparison of the shared indicators (table, chart, rule in
words); the deployment admin's page. Every page passes axe (no serious or critical violation), reflows at
320 px and loads nothing from outside 127.0.0.1."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.use_cases.users import OPERATOR
from infra.strategy_loader import load_strategy_file
from tests.browser.session import check_page, enrol_and_sign_in, open_page, settle, sign_in
from tests.e2e.test_two_municipalities import SECOND_STRATEGY
from tests.support.pages import PASSWORD
from tests.support.world import World, build_world

STAFF, OTHER_STAFF, ADMIN = "staff@example.org", "staff@gniezno.example.org", "deployment-admin@example.org"
CODE = "III.1.3.W2"

WORDS = {
    "pl": {"menu": "Sieci wspólne", "practices": "Dobre praktyki", "publish": "Opublikuj dobrą praktykę",
           "submit": "Opublikuj", "title": "Tytuł", "description": "Opis", "tags": "Tagi (nieobowiązkowe)",
           "year": "Rok praktyki", "problem": "Wystąpił problem", "attach": "Dołącz dokument",
           "attach_button": "Dołącz", "attached": "Dokument został dołączony.", "search": "Szukaj",
           "search_field": "Szukaj w tytule, opisie i tagach", "compare": "Porównaj udostępnione wskaźniki",
           "manage": "Zarządzaj sieciami wspólnymi"},
    "en": {"menu": "Shared networks", "practices": "Good practices", "publish": "Publish a good practice",
           "submit": "Publish", "title": "Title", "description": "Description", "tags": "Tags (optional)",
           "year": "Year of the practice", "problem": "There is a problem", "attach": "Attach a document",
           "attach_button": "Attach", "attached": "The document has been attached.", "search": "Search",
           "search_field": "Search the title, description and tags", "compare": "Compare the shared indicators",
           "manage": "Manage the shared networks"},
}


@pytest.fixture(scope="module")
def metro(live_server, tmp_path_factory) -> dict:
    container = live_server.container
    world: World = build_world(container, DEFAULT_NETWORK_ID)
    uc = container.use_cases
    gniezno = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                           network_name="Sieć instytucji Gniezna").id
    strategy = Path(tmp_path_factory.mktemp("strategy")) / "gniezno.toml"
    strategy.write_text(SECOND_STRATEGY, encoding="utf-8")
    load_strategy_file(container.app, strategy, network_id=uc.registry.scopes.of_municipality(gniezno).home_network_id)
    network = uc.shared_networks.add(OPERATOR, name="Metropolia Wielkopolska", kind="municipal_network").id
    for municipality in (DEFAULT_MUNICIPALITY_ID, gniezno):
        uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=municipality, joined_on=date(2011, 1, 1))
    users = container.users
    users.add(email=ADMIN, password=PASSWORD, role="admin")
    coordinators = [users.add(email=f"koordynator-{n}@example.org", password=PASSWORD, role="coordinator",
                              municipality_id=m) for n, m in enumerate((DEFAULT_MUNICIPALITY_ID, gniezno))]
    izba = uc.registry.register_institution(coordinators[1], name="Izba Gnieźnieńska", short_name="IZG", kind="chamber").id
    urzad = uc.registry.register_institution(coordinators[1], name="Urząd Miasta Gniezna", short_name="UMG",
                                             kind="city_department").id
    for institution in (izba, urzad):
        uc.registry.join_network(coordinators[1], institution_id=institution, joined_on=date(2010, 1, 1))
    users.add(email=OTHER_STAFF, password=PASSWORD, role="staff", institution_id=izba, municipality_id=gniezno)
    for day in ("2011-03-01", "2012-03-01", "2012-04-01"):
        uc.records.record(coordinators[1], "contact", {"occurred_on": date.fromisoformat(day), "institution_id": izba,
                                                       "with_institution_id": urzad, "channel": "phone",
                                                       "summary": "Kontakt"})
    for coordinator in coordinators:
        uc.shared_networks.share_indicators(coordinator, network_id=network, indicator_codes=[CODE])
    container.runner.catch_up()
    return {"network": network, "world": world}


@pytest.mark.parametrize("language", ["pl", "en"])
def test_publish_attach_find_read_and_compare(live_server, metro, new_page, tmp_path, language):
    words = WORDS[language]
    page = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(page, live_server, STAFF)
    open_page(page, live_server.url_for(f"/?lang={language}"))
    page.get_by_role("link", name=words["menu"], exact=True).click()
    settle(page)
    check_page(page)
    page.get_by_role("link", name=words["practices"], exact=True).click()
    settle(page)
    check_page(page)
    page.get_by_role("link", name=words["publish"]).click()
    settle(page)
    check_page(page)

    page.get_by_role("button", name=words["submit"], exact=True).click()  # nothing typed: refused
    settle(page)
    expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    check_page(page)

    title = f"Inkubator przy izbie ({language})"
    page.get_by_label(words["title"], exact=True).fill(title)
    page.get_by_label(words["description"], exact=True).fill("Biura dla młodych firm przez dwa lata.")
    page.get_by_label(words["tags"], exact=True).fill("inkubator, start-upy")
    page.get_by_label(words["year"], exact=True).fill("2012")
    page.get_by_role("button", name=words["submit"], exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    check_page(page)
    practice_url = page.url.split("?")[0]

    pdf = tmp_path / "prezentacja.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% Prezentacja\ntrailer<<>>\n%%EOF\n")
    page.get_by_label(words["attach"], exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name=words["attach_button"], exact=True).click()
    settle(page)
    expect(page.get_by_text(words["attached"])).to_be_visible()
    expect(page.get_by_role("link", name="prezentacja.pdf")).to_be_visible()
    check_page(page)

    open_page(page, live_server.url_for("/dobre-praktyki"))
    page.get_by_label(words["search_field"]).fill("mlodych")
    page.get_by_role("button", name=words["search"], exact=True).click()
    settle(page)
    expect(page.get_by_role("link", name=title)).to_be_visible()
    check_page(page)

    other = new_page(locale="pl-PL" if language == "pl" else "en-GB")
    sign_in(other, live_server, OTHER_STAFF)
    open_page(other, live_server.url_for(f"{urlsplit(practice_url).path}?lang={language}"))
    expect(other.get_by_role("heading", name=title)).to_be_visible()
    check_page(other)
    open_page(other, live_server.url_for(f"/sieci-wspolne/{metro['network']}"))
    check_page(other)
    other.get_by_role("link", name=words["compare"]).click()
    settle(other)
    assert other.locator("svg[role=img] title").count() == 1
    assert other.locator(f'table[data-indicator="{CODE}"] tbody tr').count() == 2
    check_page(other)


def test_the_deployment_admins_page(live_server, metro, page):
    enrol_and_sign_in(page, live_server, ADMIN)
    for language in ("pl", "en"):
        open_page(page, live_server.url_for(f"/admin/sieci?lang={language}"))
        expect(page.get_by_role("heading", name=WORDS[language]["manage"], exact=True)).to_be_visible()
        check_page(page)
    page.get_by_role("button", name="Create the network").click()  # nothing typed: refused, the summary shown
    settle(page)
    expect(page.get_by_role("heading", name=WORDS["en"]["problem"])).to_be_visible()
    check_page(page)
