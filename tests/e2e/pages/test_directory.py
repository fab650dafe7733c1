"""The directory pages (in-process, no browser): institutions with their membership over time, a cluster's
firms, firms searched and registered (a wrong NIP shown on its field and nothing stored), contact persons
of my institution (staff see and edit only their own; an auditor sees no e-mail), nothing of another
municipality, and the way back to a record form after adding a firm or a person."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.use_cases.users import OPERATOR
from domain.values import Actor
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World, auth


@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def staff(client: TestClient) -> TestClient:
    sign_in(client, "staff@example.org")
    return client


@pytest.fixture
def elsewhere(container: Container, world: World) -> dict:
    """A second municipality with its own institution, firm and contact person."""
    uc = container.use_cases
    municipality = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                                network_name="Sieć instytucji Gniezna").id
    network = uc.registry.scopes.of_municipality(municipality).home_network_id
    actor = Actor(user_id="setup")
    institution = container.app.registry.register_institution(network_id=network, name="Izba Gnieźnieńska",
                                                              short_name="IGN", kind="chamber", actor=actor).id
    container.app.registry.register_firm(network_id=network, name="Firma z Gniezna", nip="7251801126", regon=None,
                                         actor=actor)
    person = container.persons.add(name="Gabriela Gnieźnieńska", email="gabriela@gniezno.example",
                                   institution_id=institution)
    container.runner.catch_up()
    return {"institution": institution, "person": person}


def persons_of(container: Container, world: World) -> dict:
    riph = container.persons.add(name="Roman Riphowski", email="roman@riph.example", phone="+48 65 529 00 01",
                                 institution_id=world.riph, position="prezes")
    citt = container.persons.add(name="Celina Cittowska", email="celina@citt.example", institution_id=world.citt)
    return {"riph": riph, "citt": citt}


def test_institutions_show_names_kinds_and_membership_dates(staff, world):
    page = staff.get("/katalog/instytucje")
    assert page.status_code == 200
    assert "Instytucja RIPH" in page.text and "Klaster spożywczy" in page.text
    assert "od 1 stycznia 2009" in page.text and "Izba gospodarcza" in page.text
    assert str(world.riph) not in re.sub(r'href="[^"]*"', "", page.text)  # ids only in links, never shown
    cluster = staff.get(f"/katalog/instytucje/{world.cluster}")
    assert cluster.status_code == 200
    assert "Firma A" in cluster.text and "1 stycznia 2010" in cluster.text and "nadal członek" in cluster.text
    assert "LCB – Instytucja LCB" in cluster.text  # the institution running the cluster, by name


def test_a_firm_left_a_cluster_shows_both_dates(staff, container, world):
    container.app.registry.leave_cluster(cluster_id=world.cluster, firm_id=world.firm_a, left_on=date(2011, 6, 30),
                                         actor=Actor(user_id="setup"))
    page = staff.get(f"/katalog/instytucje/{world.cluster}")
    assert "1 stycznia 2010" in page.text and "30 czerwca 2011" in page.text and "nadal członek" not in page.text


def test_firms_are_listed_by_name_and_searched_by_name_or_nip(staff, world):
    page = staff.get("/katalog/firmy")
    assert "Firma A" in page.text and "5260250274" in page.text and "Firma B" in page.text
    by_nip = staff.get("/katalog/firmy", params={"q": "526-025"})
    assert "Firma A" in by_nip.text and "Firma B" not in by_nip.text
    by_name = staff.get("/katalog/firmy", params={"q": "firma b"})
    assert "Firma B" in by_name.text and "Firma A" not in by_name.text


def test_a_wrong_nip_is_shown_on_its_field_and_stores_nothing(staff, container, world):
    before = container.runner.log_position()
    token = csrf_token(staff, "/katalog/firmy/nowa")
    response = staff.post("/katalog/firmy/nowa", data={"csrf_token": token, "name": "Nowa Firma",
                                                       "nip": "5260250275", "regon": ""})
    assert response.status_code == 400
    assert "<title>Błąd:" in response.text
    assert "NIP 5260250275 ma błędną cyfrę kontrolną." in response.text
    assert 'href="#nip"' in response.text and 'id="nip-error"' in response.text
    assert 'value="Nowa Firma"' in response.text  # what was typed stays
    assert container.runner.log_position() == before


def test_a_valid_firm_appears_in_the_list_and_the_api(staff, container, world):
    token = csrf_token(staff, "/katalog/firmy/nowa")
    response = staff.post("/katalog/firmy/nowa", data={"csrf_token": token, "name": "Piekarnia Nowak",
                                                       "nip": "123-456-32-18", "regon": ""}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/katalog/firmy?zarejestrowano=")
    page = staff.get(response.headers["location"])
    assert "Firma Piekarnia Nowak została zarejestrowana." in page.text and "1234563218" in page.text
    api = staff.get("/api/v1/firms", headers=auth(world.tokens["staff"]))
    assert "Piekarnia Nowak" in {f["name"] for f in api.json()["items"]}


def test_after_registering_a_firm_the_record_form_is_back(staff, world):
    token = csrf_token(staff, "/katalog/firmy/nowa?wroc=/wpisy/nowy/meeting")
    form = staff.get("/katalog/firmy/nowa?wroc=/wpisy/nowy/meeting")
    assert 'name="wroc" value="/wpisy/nowy/meeting"' in form.text
    response = staff.post("/katalog/firmy/nowa", data={"csrf_token": token, "name": "Kuźnia Kowalski",
                                                       "nip": "", "regon": "123456785",
                                                       "wroc": "/wpisy/nowy/meeting"}, follow_redirects=False)
    assert response.status_code == 303
    assert re.fullmatch(r"/wpisy/nowy/meeting\?firma=[0-9a-f-]{36}", response.headers["location"])


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_the_way_back_is_a_path_of_this_site_only(staff, world, target):
    token = csrf_token(staff, "/katalog/firmy/nowa")
    response = staff.post("/katalog/firmy/nowa", data={"csrf_token": token, "name": f"Firma {len(target)}",
                                                       "nip": "", "regon": "123456785", "wroc": target},
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/katalog/firmy?")


def test_an_auditor_is_not_offered_firm_registration_and_is_refused(client, container, world):
    sign_in(client, "auditor@example.org")
    assert "/katalog/firmy/nowa" not in client.get("/katalog/firmy").text
    assert client.get("/katalog/firmy/nowa").status_code == 403


def test_staff_see_only_their_institutions_persons_and_cannot_edit_another(staff, container, world):
    ids = persons_of(container, world)
    page = staff.get("/katalog/osoby")
    assert "Roman Riphowski" in page.text and "roman@riph.example" in page.text and "prezes" in page.text
    assert "Celina Cittowska" not in page.text
    assert f"/katalog/osoby/{ids['citt']}/zmien" not in page.text
    # Another institution's person is not found for staff (issue 12: their existence does not leak).
    assert staff.get(f"/katalog/osoby/{ids['citt']}/zmien").status_code == 404
    token = csrf_token(staff, "/katalog/osoby")
    refused = staff.post(f"/katalog/osoby/{ids['citt']}/zmien",
                         data={"csrf_token": token, "name": "Ktoś Inny", "institution_id": str(world.citt)})
    assert refused.status_code == 404
    assert container.persons.get(ids["citt"]).name == "Celina Cittowska"


def test_staff_add_and_edit_a_person_of_their_institution(staff, container, world):
    token = csrf_token(staff, "/katalog/osoby/nowa")
    bad = staff.post("/katalog/osoby/nowa", data={"csrf_token": token, "name": "Anna Nowak", "email": "anna(at)x"})
    assert bad.status_code == 400 and 'id="email-error"' in bad.text and 'value="Anna Nowak"' in bad.text
    assert container.persons.list(institution_ids=[str(world.riph)]) == []
    added = staff.post("/katalog/osoby/nowa", data={"csrf_token": token, "name": "Anna Nowak",
                                                    "email": "Anna@Example.org", "phone": "65 529 00 02",
                                                    "position": "specjalistka", "firm_id": str(world.firm_a)},
                       follow_redirects=False)
    assert added.status_code == 303
    listed = staff.get(added.headers["location"])
    assert "Dodano osobę kontaktową: Anna Nowak." in listed.text and "anna@example.org" in listed.text
    assert "Firma A" in listed.text
    [person] = container.persons.list(institution_ids=[str(world.riph)])
    assert person.institution_id == world.riph and person.firm_id == world.firm_a  # own institution, picked firm
    changed = staff.post(f"/katalog/osoby/{person.id}/zmien",
                         data={"csrf_token": token, "name": "Anna Nowak-Kowalska", "email": "anna@example.org",
                               "institution_id": str(world.riph), "firm_id": ""}, follow_redirects=False)
    assert changed.status_code == 303
    assert "Anna Nowak-Kowalska" in staff.get(changed.headers["location"]).text
    assert container.persons.get(person.id).firm_id is None


def test_adding_a_person_from_a_record_form_goes_back_to_it(staff, container, world):
    token = csrf_token(staff, "/katalog/osoby/nowa?wroc=/wpisy/nowy/contact")
    response = staff.post("/katalog/osoby/nowa", data={"csrf_token": token, "name": "Jan Kowalski",
                                                       "wroc": "/wpisy/nowy/contact"}, follow_redirects=False)
    assert response.status_code == 303
    assert re.fullmatch(r"/wpisy/nowy/contact\?osoba=[0-9a-f-]{36}", response.headers["location"])


def test_a_person_added_writes_no_event(staff, container, world):
    before = container.runner.log_position()
    token = csrf_token(staff, "/katalog/osoby/nowa")
    staff.post("/katalog/osoby/nowa", data={"csrf_token": token, "name": "Jan Kowalski", "email": "jan@example.org"})
    assert container.runner.log_position() == before  # personal data stays out of the event log


def test_an_auditor_sees_no_persons_email(client, container, world):
    persons_of(container, world)
    sign_in(client, "auditor@example.org")
    page = client.get("/katalog/osoby")
    assert page.status_code == 200
    assert "Roman Riphowski" in page.text and "Celina Cittowska" in page.text  # the whole municipality
    assert "@riph.example" not in page.text and "@citt.example" not in page.text and "529 00 01" not in page.text
    assert "/katalog/osoby/nowa" not in page.text
    assert client.get("/katalog/osoby/nowa").status_code == 403


def test_nothing_of_another_municipality_is_listed(client, container, world, elsewhere):
    persons_of(container, world)
    sign_in(client, "auditor@example.org")
    for path in ("/katalog/instytucje", "/katalog/firmy", "/katalog/osoby"):
        page = client.get(path)
        assert page.status_code == 200
        assert "IGN" not in page.text and "Gniezn" not in page.text, path
    assert client.get(f"/katalog/instytucje/{elsewhere['institution']}").status_code == 404
    searched = client.get("/katalog/firmy", params={"q": "7251801126"})
    assert "Żadna firma nie pasuje do „7251801126”." in searched.text and "Firma z Gniezna" not in searched.text


def test_a_coordinator_may_not_edit_another_municipalitys_person(container, world, elsewhere):
    from domain.errors import NotFound
    from domain.use_cases.people import PersonDetails

    coordinator = container.users.get_by_email("coordinator@example.org")
    assert "Gabriela Gnieźnieńska" not in {p.name for p in container.use_cases.people.persons(coordinator)}
    with pytest.raises(NotFound):
        container.use_cases.people.edit(coordinator, elsewhere["person"],
                                        PersonDetails(name="X", institution_id=world.riph))
    assert container.persons.get(elsewhere["person"]).name == "Gabriela Gnieźnieńska"


def test_an_older_person_directory_gets_the_new_columns(container):
    from infra.person_directory import PersonDirectory

    db = container.directory_db
    with db.transaction(write=True) as tx:
        tx.execute("DROP TABLE directory_persons")
        tx.execute("CREATE TABLE directory_persons (id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, "
                   "institution_id TEXT, created_at TEXT NOT NULL, erased_at TEXT)")
        tx.execute("INSERT INTO directory_persons (id, name, created_at) VALUES "
                   "('00000000-0000-0000-0000-000000000001', 'Stara Osoba', '2020-01-01')")
    directory = PersonDirectory(db)
    old = directory.get(__import__("uuid").UUID("00000000-0000-0000-0000-000000000001"))
    assert old.name == "Stara Osoba" and old.firm_id is None and old.position is None
