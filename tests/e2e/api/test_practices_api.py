"""The shared networks' and good practices' JSON API (issue 14): the network and its comparison (each city's
figures as its own report), a coordinator's choice of shared indicators, the library with its search,
publishing, one practice, its document's bytes (an attachment), linking a meeting, withdrawing; a practice is
not found for a municipality outside the network. `PRACTICE_ROUTES` and `PRACTICE_USE_CASES` give the two
role matrices their rows."""

from __future__ import annotations

import hashlib
from datetime import date
from uuid import UUID

from argon2 import PasswordHasher

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.practices import Practice
from domain.use_cases.practices import PracticeFilter
from domain.use_cases.users import OPERATOR
from domain.values import Actor, stable_id
from infra.users import UserStore
from tests.support.world import auth

V1 = "/api/v1"
NETWORK = stable_id("test", "metropolitan network")
PDF = b"%PDF-1.4\n% Dobra praktyka\n%%EOF\n"


def practice_of(w, scope: str) -> UUID:
    return stable_id("test", "practice", scope)


def document_of(w, scope: str) -> UUID:
    return stable_id("practice-document", str(practice_of(w, scope)), hashlib.sha256(PDF).hexdigest())


def meeting_of(w) -> UUID:
    return w.practice_meeting


def add_metro(container, world) -> None:
    """A metropolitan network with the world's municipality in it since 2011; a practice of RIPH ("own") and of
    CITT ("other"), each with a PDF; a meeting of RIPH and CITT; the coordinator shares III.1.3.W2."""
    app = container.app
    app.registry.register_shared_network(name="Metropolia", kind="municipal_network", actor=Actor(user_id="setup"),
                                         id=NETWORK)
    app.registry.admit_municipality(network_id=NETWORK, municipality_id=DEFAULT_MUNICIPALITY_ID,
                                    joined_on=date(2011, 1, 1), actor=Actor(user_id="setup"))
    coordinator = container.users.get_by_email("coordinator@example.org")
    for scope, institution in (("own", world.riph), ("other", world.citt)):
        app._save(Practice.publish(network_id=NETWORK, municipality_id=DEFAULT_MUNICIPALITY_ID,
                                   institution_id=institution, title=f"Praktyka {scope}", description="Opis",
                                   tags=["inkubator"], year=2012, actor=Actor(user_id="setup"),
                                   id=practice_of(world, scope)))
        container.use_cases.practices.attach(coordinator, practice_of(world, scope), filename="p.pdf", data=PDF)
    world.practice_meeting = container.use_cases.records.record(coordinator, "meeting", {
        "occurred_on": date(2012, 5, 10), "title": "Wizyta studyjna", "kind": "study_visit",
        "organiser_id": world.riph, "institution_ids": [world.citt]}).id
    container.use_cases.shared_networks.share_indicators(coordinator, network_id=NETWORK,
                                                         indicator_codes=["III.1.3.W2"])
    container.runner.catch_up()


def _matrix_routes() -> dict:
    from tests.e2e.api.test_authorization_matrix import Route, same

    readers = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}
    writers = {"staff": (200, 403), "lead": (200, 403), "coordinator": same(200), "auditor": same(403),
               "admin": same(403)}
    return {
        "GET shared-networks": Route("GET", lambda w, s: "/shared-networks", None, {**readers, "admin": same(200)},
                                     setup=add_metro),
        "GET shared-networks/{id}/comparison": Route("GET", lambda w, s: f"/shared-networks/{NETWORK}/comparison",
                                                     None, readers, setup=add_metro),
        "PUT shared-networks/{id}/shared-indicators": Route(
            "PUT", lambda w, s: f"/shared-networks/{NETWORK}/shared-indicators",
            lambda w, s: {"indicator_codes": ["III.1.3.W1" if s == "own" else "III.1.3.W3"]},
            {role: same(403) for role in ("staff", "lead", "auditor", "admin")} | {"coordinator": same(200)},
            setup=add_metro),
        "GET practices": Route("GET", lambda w, s: "/practices", None, readers, setup=add_metro),
        "POST practices": Route("POST", lambda w, s: "/practices", lambda w, s: {
            "network_id": str(NETWORK), "institution_id": str(w.riph if s == "own" else w.citt), "title": "Nowa",
            "description": "Opis", "tags": [], "year": 2012},
            {**writers, "staff": (201, 403), "lead": (201, 403), "coordinator": same(201)}, setup=add_metro),
        "GET practices/{id}": Route("GET", lambda w, s: f"/practices/{practice_of(w, s)}", None, readers,
                                    setup=add_metro),
        "GET practices/{id}/documents/{id}": Route(
            "GET", lambda w, s: f"/practices/{practice_of(w, s)}/documents/{document_of(w, s)}", None, readers,
            setup=add_metro),
        "POST practices/{id}/presentations": Route(
            "POST", lambda w, s: f"/practices/{practice_of(w, s)}/presentations",
            lambda w, s: {"record_id": str(meeting_of(w))}, writers, setup=add_metro),
        "POST practices/{id}/withdrawal": Route("POST", lambda w, s: f"/practices/{practice_of(w, s)}/withdrawal",
                                                lambda w, s: {"reason": "Omyłka"}, writers, setup=add_metro),
    }


def _use_cases() -> dict:
    return {
        "GET shared-networks": lambda uc, u, w, s: uc.shared_networks.networks(u),
        "GET shared-networks/{id}/comparison": lambda uc, u, w, s: uc.shared_networks.compare(u, NETWORK),
        "PUT shared-networks/{id}/shared-indicators": lambda uc, u, w, s: uc.shared_networks.share_indicators(
            u, network_id=NETWORK, indicator_codes=["III.1.3.W1" if s == "own" else "III.1.3.W3"]),
        "GET practices": lambda uc, u, w, s: uc.practices.library(u, PracticeFilter()),
        "POST practices": lambda uc, u, w, s: uc.practices.publish(
            u, network_id=NETWORK, institution_id=w.riph if s == "own" else w.citt, title="Nowa", description="Opis",
            tags=[], year=2012),
        "GET practices/{id}": lambda uc, u, w, s: uc.practices.practice(u, practice_of(w, s)),
        "GET practices/{id}/documents/{id}": lambda uc, u, w, s: uc.practices.document(u, practice_of(w, s),
                                                                                        document_of(w, s)),
        "POST practices/{id}/presentations": lambda uc, u, w, s: uc.practices.link_presentation(
            u, practice_of(w, s), record_id=meeting_of(w)),
        "POST practices/{id}/withdrawal": lambda uc, u, w, s: uc.practices.withdraw(u, practice_of(w, s),
                                                                                     reason="Omyłka"),
    }


def __getattr__(name: str):
    if name == "PRACTICE_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    if name == "PRACTICE_USE_CASES":
        return _use_cases()
    raise AttributeError(name)


# ---------------------------------------------------------------------------------------------- the API itself
def test_the_library_a_practice_and_its_document(client, container, world):
    add_metro(container, world)
    staff = auth(world.tokens["staff"])
    listed = client.get(f"{V1}/practices?q=PRAKTYKA%20own", headers=staff)
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()] == [str(practice_of(world, "own"))]
    assert client.get(f"{V1}/practices?year=2011", headers=staff).json() == []
    one = client.get(f"{V1}/practices/{practice_of(world, 'other')}", headers=staff).json()
    assert one["title"] == "Praktyka other" and not one["may_change"] and one["documents"][0]["filename"] == "p.pdf"
    assert one["documents"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    document = client.get(f"{V1}/practices/{practice_of(world, 'own')}/documents/{document_of(world, 'own')}",
                          headers=staff)
    assert document.status_code == 200 and document.content == PDF
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("attachment;")

    linked = client.post(f"{V1}/practices/{practice_of(world, 'own')}/presentations", headers=staff,
                         json={"record_id": str(meeting_of(world))})
    assert linked.status_code == 200, linked.text
    presentations = client.get(f"{V1}/practices/{practice_of(world, 'own')}", headers=staff).json()["presentations"]
    assert [(p["title"], p["meeting_kind"], p["visible"]) for p in presentations] == [
        ("Wizyta studyjna", "study_visit", True)]
    again = client.post(f"{V1}/practices/{practice_of(world, 'own')}/presentations", headers=staff,
                        json={"record_id": str(meeting_of(world))})
    assert again.status_code in (409, 422) and again.headers["content-type"].startswith("application/problem+json")


def test_a_municipality_outside_the_network_finds_nothing(client, container, world):
    add_metro(container, world)
    second = container.use_cases.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt=None,
                                                           network_name="Sieć Gniezna").id
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.add(email="auditor@gniezno.example.org", password="correct horse battery", role="auditor",
              municipality_id=second)
    outsider = auth(users.create_token("auditor@gniezno.example.org").token)
    assert client.get(f"{V1}/practices", headers=outsider).json() == []
    assert client.get(f"{V1}/shared-networks", headers=outsider).json() == []
    for path in (f"/practices/{practice_of(world, 'own')}",
                 f"/practices/{practice_of(world, 'own')}/documents/{document_of(world, 'own')}",
                 f"/shared-networks/{NETWORK}/comparison"):
        response = client.get(V1 + path, headers=outsider)
        assert response.status_code == 404, (path, response.text)


def test_the_comparison_gives_the_citys_own_report(client, container, world):
    add_metro(container, world)
    auditor = auth(world.tokens["auditor"])
    comparison = client.get(f"{V1}/shared-networks/{NETWORK}/comparison", headers=auditor).json()
    [indicator] = comparison["indicators"]
    [city] = indicator["cities"]
    report = client.get(f"{V1}/strategy/tasks/III.1.3/report", headers=auditor).json()
    own = next(i for i in report["indicators"] if i["code"] == "III.1.3.W2")
    assert {y: c["actual"] for y, c in city["years"].items()} == {y: c["actual"] for y, c in own["years"].items()}
    assert city["rule_pl"] and city["rule_en"] and city["rule_pl"] != city["rule_en"]
    changed = client.put(f"{V1}/shared-networks/{NETWORK}/shared-indicators", headers=auth(world.tokens["coordinator"]),
                         json={"indicator_codes": ["NO.SUCH"]})
    assert changed.status_code == 404 and changed.json()["errors"][0]["field"] == "indicator_code"
