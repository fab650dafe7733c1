"""Logging, correcting and retracting a meeting through the pages (in-process, no browser): the record
appears in the register, the indicator goes up by exactly one, a correction into another year moves the
count, a retraction stops it; an empty or invalid form records nothing and names every field."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World


@pytest.fixture
def pages(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "staff@example.org")
        yield client


def meetings_of(container: Container, world: World, year: int) -> int:
    """Indicator III.1.3.W3 (meetings of two or more network institutions) for the network, as the API says."""
    coordinator = container.users.get_by_email("coordinator@example.org")
    report = container.use_cases.strategy.task_report(coordinator, "III.1.3")
    [indicator] = [i for i in report["indicators"] if i["code"] == "III.1.3.W3"]
    return indicator["years"][str(year)]["actual"]


def meeting_form(world: World, token: str, day: str = "14.03.2012") -> dict:
    return {"csrf_token": token, "occurred_on-day": day, "title": "Spotkanie sieci w sprawie targów",
            "kind": "network_meeting", "organiser_id": str(world.riph),
            "institution_ids": [str(world.citt), str(world.wpir)], "firm_ids": [str(world.firm_a), str(world.firm_b)]}


def test_a_meeting_logged_through_the_form_counts_once(pages, container, world):
    before = container.runner.log_position()
    count_before = meetings_of(container, world, 2012)
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    form = meeting_form(world, token)
    check = pages.post("/wpisy/nowy/meeting", data=form)
    assert check.status_code == 200 and "Sprawdź odpowiedzi" in check.text
    assert "14 marca 2012" in check.text and "Instytucja CITT" in check.text and "Firma A" in check.text
    assert container.runner.log_position() == before  # checking saves nothing
    saved = pages.post("/wpisy/nowy/meeting/zapisz", data=form, follow_redirects=False)
    assert saved.status_code == 303
    record_url = saved.headers["location"].split("?")[0]
    page = pages.get(saved.headers["location"])
    assert "Wpis został zapisany." in page.text and "Spotkanie sieci w sprawie targów" in page.text
    assert meetings_of(container, world, 2012) == count_before + 1
    register = pages.get("/wpisy")
    assert record_url in register.text
    # The same meeting again is flagged as a likely duplicate before it is saved.
    again = pages.post("/wpisy/nowy/meeting", data=form)
    assert "wygląda jak wpis, który już istnieje" in again.text and record_url in again.text


def test_a_correction_into_another_year_moves_the_count_and_a_retraction_stops_it(pages, container, world):
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    form = meeting_form(world, token)
    location = pages.post("/wpisy/nowy/meeting/zapisz", data=form, follow_redirects=False).headers["location"]
    record_url = location.split("?")[0]
    in_2012, in_2013 = meetings_of(container, world, 2012), meetings_of(container, world, 2013)
    correction = pages.get(f"{record_url}/korekta")
    assert 'value="14"' in correction.text and 'value="2012"' in correction.text  # the form starts from the record
    changed = {**form, "occurred_on-day": "5", "occurred_on-month": "6", "occurred_on-year": "2013",
               "expected_version": "1", "reason": "Pomyłka w dacie spotkania"}
    response = pages.post(f"{record_url}/korekta", data=changed, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert meetings_of(container, world, 2012) == in_2012 - 1
    assert meetings_of(container, world, 2013) == in_2013 + 1
    page = pages.get(record_url)
    assert "Pomyłka w dacie spotkania" in page.text
    assert re.search(r"<del>14 marca 2012</del>\s*→\s*<ins>5 czerwca 2013</ins>", page.text)
    retract = pages.post(f"{record_url}/wycofanie", data={"csrf_token": token, "expected_version": "2",
                                                          "reason": "Spotkanie się nie odbyło"},
                         follow_redirects=False)
    assert retract.status_code == 303
    assert meetings_of(container, world, 2013) == in_2013
    page = pages.get(record_url)
    assert "wycofany" in page.text and "Spotkanie się nie odbyło" in page.text


def test_an_empty_form_names_every_missing_field_and_records_nothing(pages, container, world):
    before = container.runner.log_position()
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    response = pages.post("/wpisy/nowy/meeting", data={"csrf_token": token})
    assert response.status_code == 400
    assert "<title>Błąd:" in response.text
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.text, re.S).group(1)
    links = re.findall(r'href="#([^"]+)"', summary)
    assert {"occurred_on-day", "title", "kind-0"} <= set(links)
    for link in links:
        assert f'id="{link}"' in response.text  # each links to its field
    assert container.runner.log_position() == before


def test_an_invalid_date_keeps_the_entered_values(pages, container, world):
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    form = {**meeting_form(world, token), "occurred_on-day": "31", "occurred_on-month": "2", "occurred_on-year": "2013"}
    before = container.runner.log_position()
    response = pages.post("/wpisy/nowy/meeting/zapisz", data=form)
    assert response.status_code == 400
    assert "prawdziwą datę" in response.text and 'value="Spotkanie sieci w sprawie targów"' in response.text
    assert container.runner.log_position() == before


def test_staff_are_offered_only_their_own_institution_and_cannot_post_another(pages, container, world):
    form_page = pages.get("/wpisy/nowy/meeting")
    assert f'name="organiser_id" value="{world.riph}"' in form_page.text  # fixed, not a choice
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    before = container.runner.log_position()
    response = pages.post("/wpisy/nowy/meeting/zapisz", data={**meeting_form(world, token),
                                                              "organiser_id": str(world.citt)})
    assert response.status_code == 400 and "tylko w imieniu swojej instytucji" in response.text
    assert container.runner.log_position() == before


def test_the_register_filters_and_downloads_csv(pages, container, world):
    token = csrf_token(pages, "/wpisy/nowy/meeting")
    pages.post("/wpisy/nowy/meeting/zapisz", data=meeting_form(world, token))
    assert "Spotkanie sieci w sprawie targów" in pages.get("/wpisy?text=targ").text
    assert "Spotkanie sieci w sprawie targów" not in pages.get("/wpisy?text=zzz").text
    assert "Spotkanie sieci w sprawie targów" not in pages.get("/wpisy?year=2013").text
    csv = pages.get("/wpisy.csv?kind=meeting")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf") and "Spotkanie sieci w sprawie targów" in csv.text


def test_english_pages_show_english_only(pages):
    page = pages.get("/wpisy/nowy/meeting?lang=en")
    assert "Log: Meeting" in page.text and "Zapisz" not in page.text
    assert pages.get("/").text.count('lang="pl"') >= 1  # the cookie remembers English; the switch offers Polish


def test_a_contact_with_a_person_picked_by_name_and_a_firm_just_registered(pages, container, world):
    from domain.use_cases.people import PersonDetails

    staff = container.users.get_by_email("staff@example.org")
    anna = container.use_cases.people.add(staff, PersonDetails(name="Anna Nowak", email="anna@example.org",
                                                               institution_id=world.riph))
    form_page = pages.get("/wpisy/nowy/contact")
    assert "Anna Nowak – RIPH – Instytucja RIPH" in form_page.text
    assert 'href="/katalog/firmy/nowa?wroc=/wpisy/nowy/contact"' in form_page.text
    back = pages.get(f"/wpisy/nowy/contact?firma={world.firm_b}")  # where the directory sends the user back
    assert f'<option value="{world.firm_b}" selected>' in back.text
    token = csrf_token(pages, "/wpisy/nowy/contact")
    form = {"csrf_token": token, "occurred_on-day": "05.03.2012", "institution_id": str(world.riph),
            "person_ids": [str(anna)], "channel": "phone", "summary": "Rozmowa z panią Anną"}
    saved = pages.post("/wpisy/nowy/contact/zapisz", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = pages.get(saved.headers["location"])
    assert "Anna Nowak" in page.text and str(anna) not in page.text  # shown by name, never by id
