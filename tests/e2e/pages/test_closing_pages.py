"""Closing a year from the pages (in-process, no browser): every lead signs off 2012, the coordinator closes it
(version 1), reopens it for RIPH with a reason, a record of 2012 is corrected, RIPH's lead signs off again, the
second close publishes version 2; both versions are viewable and their difference is said in words. A close
with sign-offs missing names the institutions; staff are offered nothing and a forged POST stores nothing."""

from __future__ import annotations

import re
from typing import Iterator
from uuid import UUID

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from infra.container import Container
from infra.users import UserStore
from tests.support.pages import csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World


def members(w: World) -> dict[str, UUID]:
    """The institutions that must sign off 2012 in the test world (the clusters never joined the network)."""
    return {"RIPH": w.riph, "CITT": w.citt, "WPiR": w.wpir, "LCB": w.lcb}


def add_leads(container: Container, w: World) -> dict[str, str]:
    """A lead for every member (the world has RIPH's): short name -> e-mail."""
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    leads = {"RIPH": "lead@example.org"}
    for short, institution in members(w).items():
        if short != "RIPH":
            leads[short] = f"lead-{short.lower()}@example.org"
            users.add(email=leads[short], password="correct horse battery", role="lead", institution_id=institution,
                      municipality_id=DEFAULT_MUNICIPALITY_ID)
    return leads


@pytest.fixture
def app(container: Container, world: World):
    return create_app(container)


def browser(app) -> TestClient:
    return TestClient(app, base_url="https://testserver")


@pytest.fixture
def coordinator(app, container) -> Iterator[TestClient]:
    with browser(app) as client:
        sign_in_with_second_factor(client, container, "coordinator@example.org")
        yield client


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sign_off_as(app, email: str, year: int = 2012) -> str:
    with browser(app) as lead:
        sign_in(lead, email)
        page = lead.get(f"/lata/{year}")
        assert page.status_code == 200
        short = page.text.split("Zatwierdź za ")[1].split("<")[0]
        token = csrf_token(lead, f"/lata/{year}")
        done = lead.post(f"/lata/{year}/podpis", data={"csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == f"/lata/{year}?podpisano=1"
        banner = lead.get(done.headers["location"])
        assert f"Zatwierdzono rok {year} za {short}." in banner.text
        assert "Zatwierdź za" not in banner.text  # nothing left to sign
        return short


def close(coordinator: TestClient, year: int = 2012):
    confirm = coordinator.get(f"/lata/{year}/zamkniecie")
    assert confirm.status_code == 200 and f"Zamknąć rok {year}?" in confirm.text
    token = csrf_token(coordinator, f"/lata/{year}/zamkniecie")
    return coordinator.post(f"/lata/{year}/zamkniecie", data={"csrf_token": token}, follow_redirects=False)


def test_a_year_is_closed_reopened_for_one_institution_corrected_and_closed_again(app, container, world, coordinator):
    leads = add_leads(container, world)
    years = coordinator.get("/lata")
    assert years.status_code == 200 and 'href="/lata/2012"' in years.text and "Lata sprawozdawcze" in years.text

    # A close before anyone signed off is refused, naming the institutions; nothing is stored.
    before = container.runner.log_position()
    refused = close(coordinator)
    assert refused.status_code == 409
    assert "Nie można jeszcze zamknąć roku" in refused.text
    assert all(f"<li>{short}</li>" in refused.text for short in members(world))
    assert str(world.riph) not in refused.text
    assert container.runner.log_position() == before

    for email in leads.values():
        sign_off_as(app, email)
    status = coordinator.get("/lata/2012")
    assert "Wszystkie instytucje zatwierdziły rok." in status.text
    assert "lead-citt@example.org" in status.text and "czas warszawski" in status.text

    first = close(coordinator)
    assert first.status_code == 303 and first.headers["location"] == "/lata/2012?zamknieto=1"
    closed = coordinator.get(first.headers["location"])
    assert "Rok 2012 jest zamknięty: opublikowano wersję 1 jego sprawozdania." in closed.text
    assert "Otwórz ponownie dla instytucji" in closed.text and "Zamknij rok" not in closed.text
    assert container.app.years.get_reporting_year(DEFAULT_NETWORK_ID, 2012).closed

    # Reopening needs a reason: without one the form says so and nothing is stored.
    token = csrf_token(coordinator, "/lata/2012/otwarcie/instytucja")
    before = container.runner.log_position()
    no_reason = coordinator.post("/lata/2012/otwarcie/instytucja",
                                 data={"csrf_token": token, "institution_id": str(world.riph), "reason": " "})
    assert no_reason.status_code == 400
    assert "Napisz, dlaczego rok jest ponownie otwierany." in no_reason.text and "Błąd:" in no_reason.text
    assert container.runner.log_position() == before
    reopened = coordinator.post("/lata/2012/otwarcie/instytucja", follow_redirects=False,
                                data={"csrf_token": token, "institution_id": str(world.riph),
                                      "reason": "Korekta opisu kontaktu RIPH"})
    assert reopened.status_code == 303
    page = coordinator.get(reopened.headers["location"])
    assert "Rok 2012 został ponownie otwarty dla RIPH." in page.text
    assert "Korekta opisu kontaktu RIPH" in page.text and "Pozostało do zatwierdzenia: RIPH." in page.text

    # RIPH's record of 2012 is corrected (the year is open for RIPH only), then its lead signs off again.
    riph_lead = container.users.get_by_email("lead@example.org")
    container.use_cases.records.correct(riph_lead, world.own_record, expected_version=1,
                                        reason="Literówka w opisie", changes={"summary": "Kontakt telefoniczny"})
    sign_off_as(app, "lead@example.org")
    second = close(coordinator)
    assert second.status_code == 303 and second.headers["location"] == "/lata/2012?zamknieto=2"

    status = coordinator.get("/lata/2012")
    assert 'href="/lata/2012/wersje/1"' in status.text and 'href="/lata/2012/wersje/1/roznice/2"' in status.text
    versions = container.app.years.get_reporting_year(DEFAULT_NETWORK_ID, 2012).versions
    for published in versions:
        view = coordinator.get(f"/lata/2012/wersje/{published['version']}")
        assert view.status_code == 200
        assert published["report_hash"] in view.text and "coordinator@example.org" in view.text
        assert "III.1.3.W2" in view.text and "Wykonanie 2012" in view.text
    diff = coordinator.get("/lata/2012/wersje/1/roznice/2")
    assert diff.status_code == 200
    text = visible_text(diff.text)
    assert "Liczba różnic: 1" in text
    assert "Wpis Kontakt : wersja 1 → 2" in text
    assert f'href="/wpisy/{world.own_record}"' in diff.text


def test_a_refused_reopening_names_the_field_and_the_auditor_reads_without_buttons(app, container, world,
                                                                                   coordinator):
    leads = add_leads(container, world)
    for email in leads.values():
        sign_off_as(app, email)
    assert close(coordinator).status_code == 303
    token = csrf_token(coordinator, "/lata/2012/otwarcie/instytucja")
    unpicked = coordinator.post("/lata/2012/otwarcie/instytucja",
                                data={"csrf_token": token, "institution_id": "", "reason": "Korekta"})
    assert unpicked.status_code == 400 and "Wybierz instytucję z listy." in unpicked.text
    strategy = coordinator.post("/lata/2012/otwarcie/strategia", follow_redirects=False,
                                data={"csrf_token": token, "reason": "Korekta celu W1"})
    assert strategy.status_code == 303
    assert "ponownie otwarty dla danych strategii" in coordinator.get(strategy.headers["location"]).text
    with browser(app) as auditor:
        sign_in(auditor, "auditor@example.org")
        page = auditor.get("/lata/2012")
        assert page.status_code == 200 and "Korekta celu W1" in page.text
        assert 'href="/lata/2012/wersje/1"' in page.text
        assert "Zamknij rok" not in page.text and "Otwórz ponownie" not in page.text and "Zatwierdź za" not in page.text
        assert auditor.get("/lata/2012/wersje/1").status_code == 200


def test_staff_are_offered_nothing_and_a_forged_post_stores_nothing(app, container, world, coordinator):
    with browser(app) as staff:
        sign_in(staff, "staff@example.org")
        home = staff.get("/")
        assert 'href="/lata"' not in home.text
        assert staff.get("/lata/2012").status_code == 403
        token = csrf_token(staff, "/")
        before = container.runner.log_position()
        for path, data in (("/lata/2012/podpis", {}), ("/lata/2012/zamkniecie", {}),
                           ("/lata/2012/otwarcie/strategia", {"reason": "x"}),
                           ("/lata/2012/otwarcie/instytucja", {"institution_id": str(world.riph), "reason": "x"})):
            forged = staff.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
            assert forged.status_code == 403, path
        assert container.runner.log_position() == before
    # A lead is not offered the coordinator's buttons, and cannot close by POSTing either.
    with browser(app) as lead:
        sign_in(lead, "lead@example.org")
        page = lead.get("/lata/2012")
        assert "Zatwierdź za RIPH" in page.text and "Zamknij rok" not in page.text
        token = csrf_token(lead, "/lata/2012")
        before = container.runner.log_position()
        assert lead.post("/lata/2012/zamkniecie", data={"csrf_token": token}).status_code == 403
        assert container.runner.log_position() == before
