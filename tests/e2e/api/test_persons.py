"""The contact persons' and the DPO's JSON API (issue 12): searches by POST (no name in a URL or the access log),
staff of another institution get 404 for a person, auditors see the person and their records but not the
e-mail and phone, a PATCH changes only what it sends, only the DPO exports (recorded) and erases (with a ground;
the records keep counting). `PERSON_ROUTES` and `PERSON_USE_CASES` give the two role matrices their rows."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.use_cases.people import PersonDetails
from domain.values import Actor
from tests.support.world import auth

V1 = "/api/v1"
NAME = "Zdzisława Niepowtarzalna"


def add_persons(container, world) -> None:
    """A person of RIPH (the staff's own institution) and one of CITT, named by a record of CITT and RIPH."""
    coordinator = container.users.get_by_email("coordinator@example.org")
    people = container.use_cases.people
    world.persons = {
        "own": str(people.add(coordinator, PersonDetails(name=NAME, email="zdzislawa@example.pl", phone="+48 600 100 200",
                                                         position="doradczyni", institution_id=world.riph))),
        "other": str(people.add(coordinator, PersonDetails(name="Cyprian Obcy", email="cyprian@example.pl",
                                                           institution_id=world.citt)))}
    container.app.records.record("meeting", {
        "network_id": container.use_cases.users.scopes.of(coordinator).network(), "occurred_on": date(2012, 4, 4),
        "title": "Spotkanie z doradcami", "kind": "network_meeting", "organiser_id": world.citt,
        "institution_ids": [world.riph], "firm_ids": [], "person_ids": list(world.persons.values())},
        Actor(user_id="setup", institution_id=world.citt))
    container.runner.catch_up()


def add_dpo(container) -> str:
    """The data-protection officer's user and API token."""
    container.users.add(email="iod@example.org", password="correct horse battery", role="dpo",
                        municipality_id=DEFAULT_MUNICIPALITY_ID)
    return container.users.create_token("iod@example.org").token


@pytest.fixture
def persons(container, world) -> dict[str, str]:
    add_persons(container, world)
    return world.persons


def _log(container) -> int:
    return container.app.recorder.max_notification_id() or 0


def test_staff_find_their_own_persons_by_post_and_get_404_for_another_institutions(client, world, persons):
    staff = auth(world.tokens["staff"])
    found = client.post(f"{V1}/persons/search", headers=staff, json={"text": "niepowtarzalna"})
    assert found.status_code == 200, found.text
    assert [p["name"] for p in found.json()["items"]] == [NAME]
    assert found.json()["items"][0]["email"] == "zdzislawa@example.pl"
    assert client.post(f"{V1}/persons/search", headers=staff, json={"text": "Cyprian"}).json()["items"] == []
    assert client.get(f"{V1}/persons/{persons['other']}", headers=staff).status_code == 404
    assert client.get(f"{V1}/persons/{persons['other']}/records", headers=staff).status_code == 404
    by_institution = client.post(f"{V1}/persons/search", headers=auth(world.tokens["coordinator"]),
                                 json={"institution_id": str(world.citt)})
    assert [p["id"] for p in by_institution.json()["items"]] == [persons["other"]]
    # a name in the query string is refused, not read: names are searched by POST only
    assert client.get(f"{V1}/persons", params={"text": NAME}, headers=staff).status_code == 422


def test_an_auditor_sees_the_participation_but_not_the_contact_details(client, world, persons):
    auditor = auth(world.tokens["auditor"])
    person = client.get(f"{V1}/persons/{persons['own']}", headers=auditor)
    assert person.status_code == 200
    body = person.json()
    assert body["name"] == NAME and body["position"] == "doradczyni" and body["details_shown"] is False
    assert body["email"] is None and body["phone"] is None
    assert "zdzislawa@example.pl" not in client.post(f"{V1}/persons/search", headers=auditor, json={}).text
    records = client.get(f"{V1}/persons/{persons['own']}/records", headers=auditor).json()["items"]
    assert [(r["title"], r["status"], r["named_now"]) for r in records] == [("Spotkanie z doradcami", "active", True)]
    assert client.patch(f"{V1}/persons/{persons['own']}", headers=auditor, json={"position": "x"}).status_code == 403


def test_a_person_is_added_and_a_patch_changes_only_what_it_sends(client, world, persons):
    staff = auth(world.tokens["staff"])
    added = client.post(f"{V1}/persons", headers=staff, json={"name": "Nowa Osoba", "institution_id": str(world.riph),
                                                              "email": "Nowa.Osoba@Example.pl"})
    assert added.status_code == 201, added.text
    new_id = added.json()["id"]
    assert added.json()["email"] == "nowa.osoba@example.pl"
    changed = client.patch(f"{V1}/persons/{new_id}", headers=staff, json={"phone": "+48 65 529 00 00"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["email"], changed.json()["phone"], changed.json()["name"]) == (
        "nowa.osoba@example.pl", "+48 65 529 00 00", "Nowa Osoba")
    cleared = client.patch(f"{V1}/persons/{new_id}", headers=staff, json={"phone": None}).json()
    assert cleared["phone"] is None and cleared["email"] == "nowa.osoba@example.pl"
    refused = client.patch(f"{V1}/persons/{new_id}", headers=staff, json={"email": "to nie adres"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "email"
    assert client.get(f"{V1}/persons/{new_id}", headers=staff).json()["email"] == "nowa.osoba@example.pl"
    other = client.post(f"{V1}/persons", headers=staff, json={"name": "Cudza", "institution_id": str(world.citt)})
    assert other.status_code == 403
    unknown = client.post(f"{V1}/persons", headers=staff, json={"name": "Ktoś", "institutionId": str(world.riph)})
    assert unknown.status_code == 422


def test_only_the_dpo_exports_and_erases_and_the_records_keep_counting(client, container, world, persons):
    dpo = auth(add_dpo(container))
    for role in ("staff", "lead", "coordinator", "auditor", "admin"):
        assert client.post(f"{V1}/persons/{persons['own']}/erasure", headers=auth(world.tokens[role]),
                           json={"legal_ground": "b"}).status_code == 403
        assert client.get(f"{V1}/persons/{persons['own']}/subject-access",
                          headers=auth(world.tokens[role])).status_code == 403
    found = client.post(f"{V1}/privacy/persons/search", headers=dpo, json={"text": "obcy"}).json()["items"]
    assert [(p["name"], p["email"]) for p in found] == [("Cyprian Obcy", "cyprian@example.pl")]
    before = _log(container)
    export = client.get(f"{V1}/persons/{persons['own']}/subject-access", headers=dpo)
    assert export.status_code == 200 and NAME in export.text
    assert "Cyprian" not in export.text  # nothing of anyone else
    assert _log(container) == before + 1  # the export is recorded
    meeting = client.post(f"{V1}/persons/search", headers=auth(world.tokens["coordinator"]), json={}).json()
    assert len(meeting["items"]) == 2
    bad = client.post(f"{V1}/persons/{persons['own']}/erasure", headers=dpo, json={"legal_ground": "z"})
    assert bad.status_code == 422 and _log(container) == before + 1
    erased = client.post(f"{V1}/persons/{persons['own']}/erasure", headers=dpo, json={"legal_ground": "b"})
    assert erased.status_code == 201, erased.text
    assert UUID(erased.json()["id"]) and erased.json()["notification_id"] == before + 2
    assert client.get(f"{V1}/persons/{persons['own']}", headers=auth(world.tokens["coordinator"])).status_code == 404
    assert client.post(f"{V1}/persons/{persons['own']}/erasure", headers=dpo,
                       json={"legal_ground": "b"}).status_code == 404
    records = client.get(f"{V1}/persons/{persons['other']}/records", headers=auth(world.tokens["coordinator"]))
    assert len(records.json()["items"]) == 1  # the meeting still names the other person and counts
    review = client.get(f"{V1}/privacy/retention-review", headers=dpo)
    assert review.status_code == 200 and review.json()["years"] == 5
    assert all(c["person"]["id"] != persons["own"] for c in review.json()["candidates"])


def test_the_dpo_retention_review_lists_persons_no_record_names_for_years(client, container, world):
    dpo = auth(add_dpo(container))
    coordinator = container.users.get_by_email("coordinator@example.org")
    container.use_cases.people.add(coordinator, PersonDetails(name="Dawno Niewidziany", institution_id=world.lcb))
    review = client.get(f"{V1}/privacy/retention-review", headers=dpo).json()
    # added today: not yet past the retention period
    assert [c["person"]["name"] for c in review["candidates"]] == []
    assert date.fromisoformat(review["cutoff"]).year == date.today().year - 5


# ---------------------------------------------------------------------------------------------- the matrices
def _matrix_routes() -> dict:
    from tests.e2e.api.test_authorization_matrix import Route, same

    def person(w, s):
        return w.persons[s]

    readers = {"staff": (200, 404), "lead": (200, 404), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}
    everyone = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
                "admin": same(403)}
    dpo_only = {role: same(403) for role in ("staff", "lead", "coordinator", "auditor", "admin")}
    return {
        "GET persons": Route("GET", lambda w, s: "/persons", None, everyone, setup=add_persons),
        "POST persons/search": Route("POST", lambda w, s: "/persons/search", lambda w, s: {"text": "a"}, everyone,
                                     setup=add_persons),
        "POST persons": Route("POST", lambda w, s: "/persons",
                              lambda w, s: {"name": "Nowa Osoba", "institution_id": str(w.riph if s == "own" else w.citt)},
                              {"staff": (201, 403), "lead": (201, 403), "coordinator": same(201),
                               "auditor": same(403), "admin": same(403)}),
        "GET persons/{id}": Route("GET", lambda w, s: f"/persons/{person(w, s)}", None, readers, setup=add_persons),
        "PATCH persons/{id}": Route("PATCH", lambda w, s: f"/persons/{person(w, s)}",
                                    lambda w, s: {"position": "kierownik"},
                                    {**readers, "auditor": same(403)}, setup=add_persons),
        "GET persons/{id}/records": Route("GET", lambda w, s: f"/persons/{person(w, s)}/records", None, readers,
                                          setup=add_persons),
        "GET persons/{id}/subject-access": Route("GET", lambda w, s: f"/persons/{person(w, s)}/subject-access", None,
                                                 dpo_only, setup=add_persons),
        "POST persons/{id}/erasure": Route("POST", lambda w, s: f"/persons/{person(w, s)}/erasure",
                                           lambda w, s: {"legal_ground": "a"}, dpo_only, setup=add_persons),
        "POST privacy/persons/search": Route("POST", lambda w, s: "/privacy/persons/search", lambda w, s: {"text": ""},
                                             dpo_only, setup=add_persons),
        "GET privacy/retention-review": Route("GET", lambda w, s: "/privacy/retention-review", None, dpo_only,
                                              setup=add_persons),
    }


def _use_cases() -> dict:
    def person(w, s):
        return UUID(w.persons[s])

    return {
        "GET persons": lambda uc, u, w, s: uc.people.persons(u),
        "POST persons/search": lambda uc, u, w, s: uc.people.find(u, "a"),
        "POST persons": lambda uc, u, w, s: uc.people.add(u, PersonDetails(
            name="Nowa Osoba", institution_id=w.riph if s == "own" else w.citt)),
        "GET persons/{id}": lambda uc, u, w, s: uc.people.person(u, person(w, s)),
        "PATCH persons/{id}": lambda uc, u, w, s: uc.people.edit(u, person(w, s), PersonDetails(
            name="Osoba", position="kierownik", institution_id=w.riph if s == "own" else w.citt)),
        "GET persons/{id}/records": lambda uc, u, w, s: uc.people.appearances(u, person(w, s)),
        "GET persons/{id}/subject-access": lambda uc, u, w, s: uc.privacy.export(u, person(w, s), format="json"),
        "POST persons/{id}/erasure": lambda uc, u, w, s: uc.privacy.erase(u, person(w, s), legal_ground="a"),
        "POST privacy/persons/search": lambda uc, u, w, s: uc.privacy.find(u, ""),
        "GET privacy/retention-review": lambda uc, u, w, s: uc.privacy.retention(u),
    }


def __getattr__(name: str):
    if name == "PERSON_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    if name == "PERSON_USE_CASES":
        return _use_cases()
    raise AttributeError(name)
