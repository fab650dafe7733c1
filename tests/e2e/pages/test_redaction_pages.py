"""Redacting a record's free text on the pages (issue 12): the DPO finds records by the text they hold (a POST: no
name in a URL) or from a person's page, sees the text that will go, picks the legal ground and confirms; the
record then shows "treść usunięta (RODO)" and keeps counting, the act is in the audit trail, a second redaction
and one without a ground are refused with a clear error and store nothing; only the DPO reaches these pages."""

from __future__ import annotations

from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.privacy import REDACTED_TEXT
from domain.use_cases.audit import AuditFilter
from domain.values import Actor
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World

NAME = "Wiesława Trzcińska-Poufna"


@pytest.fixture
def records(container: Container, world: World) -> dict:
    container.users.add(email="iod@example.org", password="correct horse battery", role="dpo",
                        municipality_id=DEFAULT_MUNICIPALITY_ID)
    person = container.persons.add(name=NAME, email="wieslawa@example.org", institution_id=world.riph)
    meeting = container.app.records.record("meeting", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 3, 1), "title": "Spotkanie o targach",
        "kind": "network_meeting", "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [],
        "minutes": f"Pani {NAME} opowiedziała o chorobie", "person_ids": [person]}, Actor(user_id="setup")).id
    other = container.app.records.record("contact", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 4, 2), "institution_id": world.riph,
        "with_institution_id": world.citt, "channel": "phone", "summary": "Rozmowa o targach"},
        Actor(user_id="setup")).id
    container.runner.catch_up()
    return {"meeting": meeting, "other": other, "person": person}


@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def dpo(client: TestClient, container: Container, records) -> TestClient:
    sign_in_with_second_factor(client, container, "iod@example.org")
    return client


def test_the_dpo_finds_a_record_by_its_text_and_redacts_it(dpo, container, records):
    page = dpo.get("/ochrona-danych/wpisy")
    assert page.status_code == 200 and "Ochrona danych: treść wpisów" in page.text
    found = dpo.post("/ochrona-danych/wpisy", data={"csrf_token": csrf_token(dpo, "/ochrona-danych/wpisy"),
                                                     "q": "trzcińska"})
    assert found.status_code == 200
    link = f"/ochrona-danych/wpisy/{records['meeting']}/redakcja"
    assert link in found.text and f"/ochrona-danych/wpisy/{records['other']}/redakcja" not in found.text
    form = dpo.get(link)
    assert form.status_code == 200 and f"Pani {NAME} opowiedziała o chorobie" in form.text
    assert "Podstawa prawna usunięcia treści" in form.text

    position = container.runner.log_position()
    refused = dpo.post(link, data={"csrf_token": csrf_token(dpo, link)})  # no ground
    assert refused.status_code == 400 and "Wybierz podstawę prawną" in refused.text
    assert "Błąd:" in refused.text and container.runner.log_position() == position

    done = dpo.post(link, data={"csrf_token": csrf_token(dpo, link), "legal_ground": "c"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/ochrona-danych/wpisy?usunieto=1"
    listed = dpo.get("/ochrona-danych/wpisy?usunieto=1")
    assert "Treść wpisu została usunięta" in listed.text and "sprzeciw wobec przetwarzania" in listed.text
    assert container.runner.log_position() == position + 1

    again = dpo.get(link)
    assert "Treść tego wpisu została już usunięta." in again.text and NAME not in again.text
    twice = dpo.post(link, data={"csrf_token": csrf_token(dpo, link), "legal_ground": "c"})
    assert twice.status_code == 400 and "już usunięta" in twice.text
    assert container.runner.log_position() == position + 1

    coordinator = container.users.get_by_email("coordinator@example.org")
    view = container.use_cases.records.view(coordinator, records["meeting"])
    assert view.record.fields["minutes"] == REDACTED_TEXT and view.record.fields["title"] == REDACTED_TEXT
    trail, _ = container.use_cases.audit.entries(coordinator, AuditFilter(kind="personal_data_act"))
    redactions = [e for e in trail if e["event_type"] == "PersonalDataAct.RecordRedacted"]
    assert len(redactions) == 1 and NAME not in repr(redactions)
    assert {c["field"]: c["new"] for c in redactions[0]["changes"]}["record_id"] == str(records["meeting"])


def test_the_persons_page_links_each_record_to_its_redaction_in_both_languages(dpo, records):
    page = dpo.get(f"/ochrona-danych/osoby/{records['person']}")
    assert page.status_code == 200
    assert f"/ochrona-danych/wpisy/{records['meeting']}/redakcja" in page.text and "Usuń treść" in page.text
    english = dpo.get(f"/ochrona-danych/wpisy/{records['meeting']}/redakcja?lang=en")
    assert "Redact the text of a record" in english.text and "Legal ground of the redaction" in english.text


def test_an_unknown_record_is_404(dpo):
    assert dpo.get("/ochrona-danych/wpisy/00000000-0000-4000-8000-000000000000/redakcja").status_code == 404


@pytest.mark.parametrize("email", ["staff@example.org", "coordinator@example.org", "auditor@example.org",
                                   "admin@example.org"])
def test_other_roles_are_refused_the_redaction_pages_and_nothing_is_stored(client, container, records, email):
    if email in ("coordinator@example.org", "admin@example.org"):
        sign_in_with_second_factor(client, container, email)
    else:
        sign_in(client, email)
    link = f"/ochrona-danych/wpisy/{records['meeting']}/redakcja"
    for path in ("/ochrona-danych/wpisy", link):
        assert client.get(path).status_code == 403, path
    position = container.runner.log_position()
    token = csrf_token(client, "/")
    assert client.post(link, data={"csrf_token": token, "legal_ground": "a"}).status_code == 403
    assert client.post("/ochrona-danych/wpisy", data={"csrf_token": token, "q": "Trzcińska"}).status_code == 403
    assert container.runner.log_position() == position
    assert not container.app.mapper.keys.is_redacted(records["meeting"])
