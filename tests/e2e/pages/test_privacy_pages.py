"""Personal data on the pages (issue 12): the privacy notice for everyone; the data-protection officer finds a
person by name (a POST: no name in a URL), sees everything held about them, exports it as JSON and PDF (each
export in the audit trail, nothing of another person of the same meeting in it), erases them on a chosen
ground (refused without one, nothing stored), after which records show "osoba usunięta"; the retention review;
and who may see what: only the DPO reaches these pages (not an admin, not a coordinator), staff of another
institution get 404 for a person, an auditor sees that a person took part but not their contact details."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.errors import NotFound
from domain.policy import Action, Forbidden, Role, may
from domain.values import Actor
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.second_factor import sign_in_with_second_factor
from tests.support.world import World

NAME, EMAIL, PHONE = "Zenobia Ćwikła-Prywatna", "zenobia.prywatna@example.org", "+48 601 777 313"
OTHER = "Bogumił Drugi-Uczestnik"


@pytest.fixture
def people(container: Container, world: World) -> dict:
    """Two persons on the same meeting (Zenobia of RIPH, Bogumił of CITT) and a DPO account."""
    container.users.add(email="iod@example.org", password="correct horse battery", role="dpo",
                        municipality_id=DEFAULT_MUNICIPALITY_ID)
    zenobia = container.persons.add(name=NAME, email=EMAIL, phone=PHONE, institution_id=world.riph, position="prezes")
    other = container.persons.add(name=OTHER, email="bogumil@example.org", institution_id=world.citt)
    meeting = container.app.records.record("meeting", {
        "network_id": world_network(container), "occurred_on": date(2013, 3, 1), "title": "Spotkanie o targach",
        "kind": "network_meeting", "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [],
        "person_ids": [zenobia, other]}, Actor(user_id="setup")).id
    container.runner.catch_up()
    return {"zenobia": zenobia, "other": other, "meeting": meeting}


def world_network(container: Container):
    from domain.application import DEFAULT_NETWORK_ID
    return DEFAULT_NETWORK_ID


@pytest.fixture
def client(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def dpo(client: TestClient, container: Container, people) -> TestClient:
    sign_in_with_second_factor(client, container, "iod@example.org")  # personal data: password and a TOTP code
    return client


def _search(client: TestClient, query: str):
    token = csrf_token(client, "/ochrona-danych/osoby")
    return client.post("/ochrona-danych/osoby", data={"csrf_token": token, "q": query})


# ---------------------------------------------------------------------------------------------- the notice
@pytest.mark.parametrize("lang, words", [("pl", ("Klauzula informacyjna", "art. 6 ust. 1 lit. e RODO", "5 lat")),
                                         ("en", ("Privacy notice", "Article 6(1)(e)", "5 years"))])
def test_the_privacy_notice_is_open_to_everyone_and_linked_from_every_footer(client, container, lang, words):
    page = client.get(f"/ochrona-danych?lang={lang}")
    assert page.status_code == 200
    for text in words:
        assert text in page.text
    assert container.settings.privacy_controller in page.text and container.settings.privacy_dpo_contact in page.text
    assert 'href="/ochrona-danych"' in client.get("/login").text  # the footer of a page for visitors too


def test_the_notice_says_the_configured_values(world):
    from infra.container import build_container, bootstrap
    from infra.settings import Settings

    c = build_container(Settings(in_memory=True, person_retention_years=3, privacy_controller="Burmistrz Testowa",
                                 privacy_dpo_contact="iod@testowa.example"))
    bootstrap(c)
    try:
        with TestClient(create_app(c), base_url="https://testserver") as test_client:
            page = test_client.get("/ochrona-danych")
        assert "Burmistrz Testowa" in page.text and "iod@testowa.example" in page.text and "3 lat" in page.text
    finally:
        c.close()


def test_the_retention_period_comes_from_the_environment():
    from infra.settings import load_settings

    assert load_settings({}).person_retention_years == 5
    assert load_settings({"SPLOT_PERSON_RETENTION_YEARS": "7"}).person_retention_years == 7
    for bad in ("0", "-1", "pięć", "５"):
        with pytest.raises(ValueError, match="SPLOT_PERSON_RETENTION_YEARS"):
            load_settings({"SPLOT_PERSON_RETENTION_YEARS": bad})


# ---------------------------------------------------------------------------------------------- who may
def test_only_the_dpo_has_the_data_protection_actions():
    for role in Role:
        from domain.policy import User
        from uuid import uuid4

        user = User(id=uuid4(), email="x@example.org", role=role, institution_id=None, active=True,
                    municipality_id=DEFAULT_MUNICIPALITY_ID)
        for action in (Action.READ_PERSONAL_DATA, Action.ERASE_PERSON, Action.EXPORT_SUBJECT_DATA):
            assert may(user, action) == (role is Role.DPO), (role, action)


@pytest.mark.parametrize("email", ["staff@example.org", "auditor@example.org"])
def test_other_roles_are_refused_the_dpo_pages(client, people, email):
    sign_in(client, email)
    assert "/ochrona-danych/osoby" not in client.get("/").text
    for path in ("/ochrona-danych/osoby", f"/ochrona-danych/osoby/{people['zenobia']}",
                 f"/ochrona-danych/osoby/{people['zenobia']}/usun", "/ochrona-danych/przeglad"):
        assert client.get(path).status_code == 403, path


def test_an_admin_cannot_erase_nor_export(client, container, people):
    admin = container.users.get_by_email("admin@example.org")
    with pytest.raises(Forbidden):
        container.use_cases.privacy.erase(admin, people["zenobia"], legal_ground="a")
    with pytest.raises(Forbidden):
        container.use_cases.privacy.export(admin, people["zenobia"], format="json")
    assert container.persons.get(people["zenobia"]).name == NAME
    sign_in_with_second_factor(client, container, "admin@example.org")
    assert client.get(f"/ochrona-danych/osoby/{people['zenobia']}/usun").status_code == 403
    form = client.get("/admin/uzytkownicy/nowy")  # but an admin may make someone the DPO
    assert form.status_code == 200 and 'value="dpo"' in form.text and "inspektor ochrony danych" in form.text


def test_staff_of_another_institution_get_404_for_a_person(client, container, world, people):
    sign_in(client, "staff@example.org")  # RIPH: Zenobia is theirs, Bogumił is CITT's
    own = client.get(f"/katalog/osoby/{people['zenobia']}")
    assert own.status_code == 200 and EMAIL in own.text and PHONE in own.text and "Spotkanie o targach" in own.text
    assert client.get(f"/katalog/osoby/{people['other']}").status_code == 404
    assert client.get(f"/katalog/osoby/{people['other']}/zmien").status_code == 404


def test_an_auditor_sees_that_a_person_took_part_but_not_their_contact_details(client, people):
    sign_in(client, "auditor@example.org")
    page = client.get(f"/katalog/osoby/{people['zenobia']}")
    assert page.status_code == 200
    assert NAME in page.text and "prezes" in page.text and "Spotkanie o targach" in page.text
    assert EMAIL not in page.text and "777 313" not in page.text
    record = client.get(f"/wpisy/{people['meeting']}")
    assert NAME in record.text and OTHER in record.text


def test_persons_are_found_by_name_institution_and_for_writers_by_email(client, people):
    sign_in(client, "auditor@example.org")
    token = csrf_token(client, "/katalog/osoby")
    by_name = client.post("/katalog/osoby", data={"csrf_token": token, "q": "ćwikła"})
    assert NAME in by_name.text and OTHER not in by_name.text
    by_institution = client.post("/katalog/osoby", data={"csrf_token": token, "q": "Instytucja CITT"})
    assert OTHER in by_institution.text and NAME not in by_institution.text
    by_email = client.post("/katalog/osoby", data={"csrf_token": token, "q": "zenobia.prywatna"})
    assert NAME not in by_email.text  # an auditor does not see e-mails, so cannot search by them
    assert "Żadna osoba nie pasuje do „zenobia.prywatna”." in by_email.text


# ---------------------------------------------------------------------------------------------- the DPO
def test_the_dpo_finds_a_person_by_name_email_or_phone_without_a_name_in_a_url(dpo, people):
    assert 'href="/ochrona-danych/osoby"' in dpo.get("/").text  # in the menu
    for query in ("zenobia", "ZENOBIA.PRYWATNA@", "777 313", "Instytucja RIPH"):
        found = _search(dpo, query)
        assert found.status_code == 200 and NAME in found.text, query
        assert f'href="/ochrona-danych/osoby/{people["zenobia"]}"' in found.text
        assert found.url.path == "/ochrona-danych/osoby" and not found.url.query
    nothing = _search(dpo, "Nikt Taki")
    assert "Żadna osoba nie pasuje do „Nikt Taki”." in nothing.text


def test_the_dpo_sees_everything_held_and_nothing_of_the_other_person(dpo, people):
    page = dpo.get(f"/ochrona-danych/osoby/{people['zenobia']}")
    assert page.status_code == 200
    for text in (NAME, EMAIL, PHONE, "prezes", "RIPH – Instytucja RIPH", "Spotkanie o targach", "1 marca 2013",
                 "RIPH, CITT"):
        assert text in page.text, text
    assert OTHER not in page.text and "bogumil@" not in page.text


def test_an_export_holds_the_person_and_their_records_and_is_audited(dpo, container, people):
    page = f"/ochrona-danych/osoby/{people['zenobia']}"
    token = csrf_token(dpo, page)
    before = container.runner.log_position()
    exported = dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "json"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/json")
    assert "attachment" in exported.headers["content-disposition"] and NAME not in exported.headers["content-disposition"]
    data = json.loads(exported.content)
    assert data["person"]["name"] == NAME and data["person"]["email"] == EMAIL and data["person"]["phone"] == PHONE
    [record] = data["records"]
    assert record["id"] == str(people["meeting"]) and record["occurred_on"] == "2013-03-01"
    assert record["title"] == "Spotkanie o targach" and record["institutions"] == ["RIPH", "CITT"]
    assert OTHER not in exported.text and "bogumil" not in exported.text and str(people["other"]) not in exported.text
    pdf = dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert container.runner.log_position() == before + 2  # two exports, two audited acts
    acts = dpo.get("/ochrona-danych/osoby")
    assert acts.text.count("Wydano dane osobowe osoby kontaktowej") == 2 and "(PDF)" in acts.text
    [latest] = container.use_cases.privacy.acts(container.users.get_by_email("iod@example.org"), limit=1)
    assert latest.format == "pdf"  # the newest act, not the first
    bad = dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "docx"})
    assert bad.status_code in (400, 422) and container.runner.log_position() == before + 2


def test_the_audit_trail_shows_the_export_and_the_erasure_with_its_ground_and_no_name(dpo, client, container,
                                                                                      people):
    page = f"/ochrona-danych/osoby/{people['zenobia']}"
    token = csrf_token(dpo, page)
    dpo.post(f"{page}/wydanie", data={"csrf_token": token, "format": "json"})
    dpo.post(f"{page}/usun", data={"csrf_token": token, "legal_ground": "c"})
    client.cookies.clear()
    sign_in(client, "auditor@example.org")
    trail = client.get("/audyt", params={"kind": "personal_data_act"})
    assert trail.status_code == 200
    assert "Usunięto dane osoby kontaktowej (art. 17 RODO)" in trail.text
    assert "art. 17 ust. 1 lit. c RODO – sprzeciw wobec przetwarzania" in trail.text
    assert "Wydano dane osobowe osoby kontaktowej (art. 15 RODO)" in trail.text
    assert "iod@example.org" in trail.text and "osoba usunięta" in trail.text
    csv = client.get("/audyt.csv")
    for text in (NAME, EMAIL, PHONE, "Ćwikła"):
        assert text not in trail.text and text not in csv.text


def test_an_erasure_without_a_ground_is_refused_and_stores_nothing(dpo, container, people):
    path = f"/ochrona-danych/osoby/{people['zenobia']}/usun"
    form = dpo.get(path)
    assert form.status_code == 200 and "art. 17 ust. 1 lit. a RODO" in form.text
    before = container.runner.log_position()
    for ground in ("", "z", "a; DROP"):
        refused = dpo.post(path, data={"csrf_token": csrf_token(dpo, path), "legal_ground": ground})
        assert refused.status_code == 400 and 'id="legal_ground-error"' in refused.text
        assert "Błąd:" in refused.text and 'href="#legal_ground-0"' in refused.text
    assert container.runner.log_position() == before
    assert container.persons.get(people["zenobia"]).name == NAME


def test_after_an_erasure_records_show_an_erased_person_and_still_count(dpo, client, container, people):
    coordinator = container.users.get_by_email("coordinator@example.org")
    report_before = container.use_cases.strategy.task_report(coordinator, "III.1.3")
    path = f"/ochrona-danych/osoby/{people['zenobia']}/usun"
    erased = dpo.post(path, data={"csrf_token": csrf_token(dpo, path), "legal_ground": "a"}, follow_redirects=False)
    assert erased.status_code == 303 and erased.headers["location"] == "/ochrona-danych/osoby?usunieto=1"
    assert "Dane osoby zostały usunięte." in dpo.get(erased.headers["location"]).text
    with pytest.raises(NotFound):
        container.persons.get(people["zenobia"])
    assert container.app.person_directory.exists(people["zenobia"])  # the id stays valid for the records
    assert dpo.get(f"/ochrona-danych/osoby/{people['zenobia']}").status_code == 404
    assert NAME not in _search(dpo, "zenobia").text
    client.cookies.clear()
    sign_in(client, "auditor@example.org")
    record = client.get(f"/wpisy/{people['meeting']}")
    assert record.status_code == 200 and "osoba usunięta" in record.text and OTHER in record.text
    assert str(people["zenobia"]) not in record.text and NAME not in record.text
    english = client.get(f"/wpisy/{people['meeting']}?lang=en")
    assert "erased person" in english.text
    register = client.get("/wpisy/pobierz/csv")
    assert register.status_code == 200 and "Spotkanie o targach" in register.text and NAME not in register.text
    assert container.use_cases.strategy.task_report(coordinator, "III.1.3") == report_before
    assert client.get(f"/katalog/osoby/{people['zenobia']}").status_code == 404


def test_a_record_naming_an_erased_person_can_still_be_corrected(container, people, world):
    dpo_user = container.users.get_by_email("iod@example.org")
    container.use_cases.privacy.erase(dpo_user, people["zenobia"], legal_ground="a")
    coordinator = container.users.get_by_email("coordinator@example.org")
    version = container.use_cases.records.view(coordinator, people["meeting"]).record.version
    saved = container.use_cases.records.correct(coordinator, people["meeting"], changes={"title": "Targi 2013"},
                                                reason="Pełny tytuł", expected_version=version)
    assert saved.version == version + 1  # the erased id still refers to a person the directory knew


def test_the_retention_review_lists_persons_no_record_named_for_the_period(dpo, container, world, people):
    old = container.persons.add(name="Stanisław Dawny", institution_id=world.citt)
    recent_record = container.persons.add(name="Regina Niedawna", institution_id=world.citt)
    with container.directory_db.transaction(write=True) as tx:  # both were added ten years ago
        tx.execute("UPDATE directory_persons SET created_at = '2016-01-04T10:00:00+00:00' WHERE id IN (?, ?)",
                   (str(old), str(recent_record)))
    today = container.app.today()
    container.app.records.record("contact", {
        "network_id": world_network(container), "occurred_on": today, "institution_id": world.citt,
        "with_institution_id": world.riph, "channel": "phone", "summary": "Rozmowa", "person_ids": [recent_record]},
        Actor(user_id="setup"))
    page = dpo.get("/ochrona-danych/przeglad")
    assert page.status_code == 200
    assert "od 5 lat" in page.text
    assert "Stanisław Dawny" in page.text and f"/ochrona-danych/osoby/{old}/usun" in page.text
    assert "Regina Niedawna" not in page.text  # named this year
    assert NAME not in page.text  # added today (for a record of 2013): counts from the adding
    assert re.search(r"Stanisław Dawny.*?nigdy", page.text, re.S)


def test_the_dpo_gives_a_second_factor_after_the_password(client, people):
    """Whoever may read and erase everyone's personal data signs in with a TOTP code, like coordinators and admins."""
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"csrf_token": token, "email": "iod@example.org",
                                         "password": "correct horse battery", "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/logowanie/kod")
    assert client.get("/ochrona-danych/osoby", follow_redirects=False).status_code in (303, 307)
