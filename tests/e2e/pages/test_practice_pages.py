"""The good-practice pages (/dobre-praktyki) of one city in a metropolitan network: a refused form (nothing
typed, a bad year, a file that is no document, a file over the limit, no CSRF token) names its field and stores
nothing; the change forms are offered only to whoever may change the practice; a withdrawn practice leaves
the library; the pages speak English with ?lang=en."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.use_cases.users import OPERATOR
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World


@pytest.fixture
def network(container: Container, world: World):
    uc = container.use_cases
    network = uc.shared_networks.add(OPERATOR, name="Metropolia", kind="municipal_network").id
    uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=DEFAULT_MUNICIPALITY_ID,
                             joined_on=date(2011, 1, 1))
    return network


@pytest.fixture
def page(container: Container, world: World, network) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "staff@example.org")
        yield client


def _form(page: TestClient, network, world: World, **overrides) -> dict:
    return {"csrf_token": csrf_token(page, "/dobre-praktyki/nowa"), "network_id": str(network),
            "institution_id": str(world.riph), "title": "Punkt obsługi eksportera", "description": "Doradztwo.",
            "tags": "eksport", "year": "2013", **overrides}


def _publish(page: TestClient, network, world: World) -> str:
    done = page.post("/dobre-praktyki/nowa", data=_form(page, network, world), follow_redirects=False)
    assert done.status_code == 303, done.text
    return done.headers["location"]


def test_refused_forms_name_their_field_and_store_nothing(page, container, network, world):
    before = container.runner.log_position()
    for overrides, field, words in (({"title": ""}, "title", "Pole title nie może być puste"),
                                    ({"year": "20x3"}, "year", "Podaj rok czterema cyframi"),
                                    ({"institution_id": "nie-ma"}, "institution_id", "Wybierz jedną z pozycji"),
                                    ({"institution_id": str(world.citt)}, None, None)):
        response = page.post("/dobre-praktyki/nowa", data=_form(page, network, world, **overrides))
        if field is None:  # another institution's name: the staff member may not publish for it
            assert response.status_code == 403
            continue
        assert response.status_code == 422, (overrides, response.status_code)
        assert f'href="#{field}"' in response.text and words in response.text
        assert response.text.count('class="govuk-error-message"') == 1
    no_token = page.post("/dobre-praktyki/nowa", data={k: v for k, v in _form(page, network, world).items()
                                                       if k != "csrf_token"})
    assert no_token.status_code == 403
    assert container.runner.log_position() == before

    practice = _publish(page, network, world)
    before = container.runner.log_position()
    token = csrf_token(page, practice)
    for name, data, status in (("plik.pdf", b"<html>nie pdf</html>", 422), ("pusty.pdf", b"", 422),
                               ("duzy.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), 413)):
        response = page.post(f"{practice}/dokumenty", data={"csrf_token": token},
                             files={"file": (name, data, "application/pdf")})
        assert response.status_code == status, (name, response.status_code)
        if status == 422:
            assert 'href="#file"' in response.text
    missing = page.post(f"{practice}/dokumenty", data={"csrf_token": token})
    assert missing.status_code == 422 and "Wybierz plik do dołączenia" in missing.text
    link = page.post(f"{practice}/spotkania", data={"csrf_token": token, "record_id": str(world.own_record)})
    assert link.status_code == 422  # a contact, not a meeting
    withdraw = page.post(f"{practice}/wycofanie", data={"csrf_token": token, "reason": " "})
    assert withdraw.status_code == 422 and 'href="#reason"' in withdraw.text
    assert container.runner.log_position() == before


def test_only_who_may_change_it_gets_the_forms_and_a_withdrawn_practice_leaves(page, container, network, world):
    practice = _publish(page, network, world)
    own = page.get(practice)
    assert 'id="attach-form"' in own.text and 'id="withdraw-form"' in own.text
    with TestClient(create_app(container), base_url="https://testserver") as auditor:
        sign_in(auditor, "auditor@example.org")
        shown = auditor.get(practice)
        assert shown.status_code == 200 and "Punkt obsługi eksportera" in shown.text
        assert 'id="attach-form"' not in shown.text and 'id="withdraw-form"' not in shown.text
        refused = auditor.post(f"{practice}/wycofanie", data={"csrf_token": csrf_token(auditor, practice),
                                                            "reason": "Nie"})
        assert refused.status_code == 403
    done = page.post(f"{practice}/wycofanie", data={"csrf_token": csrf_token(page, practice), "reason": "Omyłka"},
                     follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/dobre-praktyki?wycofano=1"
    assert page.get(practice).status_code == 404
    library = page.get("/dobre-praktyki?wycofano=1")
    assert "Praktyka została wycofana z biblioteki" in library.text and "Punkt obsługi eksportera" not in library.text


def test_the_pages_in_english(page, network, world):
    practice = _publish(page, network, world)
    english = page.get(f"{practice}?lang=en")
    assert "Where it was presented" in english.text and "Attach a document" in english.text
    library = page.get("/dobre-praktyki?lang=en&rok=2013")
    assert re.search(r"1 practice found", library.text) and "Punkt obsługi eksportera" in library.text
    bad = page.get("/dobre-praktyki?lang=en&rok=dwa")
    assert bad.status_code == 400 and "Give the year as four digits" in bad.text
    assert "Shared networks" in page.get("/sieci-wspolne?lang=en").text
