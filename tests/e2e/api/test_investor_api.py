"""The investor service over JSON (issue 14): an inquiry recorded by the coordinator is 404 for every other role
and for another municipality's investor service; its answer names sites the user may see, a site of another
municipality that is not shared is refused; the rows of the role x route matrix (INVESTOR_ROUTES)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from argon2 import PasswordHasher

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import Role, User
from domain.use_cases.users import OPERATOR
from infra.container import Container
from infra.users import UserStore
from tests.support.world import World, auth

V1 = "/api/v1"
SEEN: dict[str, str] = {}  # ids the matrix's setups create, for its paths
SITE = {"name": "Strefa Gronówko", "area_ha": "12.5", "zoning": "P/U", "utilities": ["water"],
        "ownership": "municipal", "status": "available", "address": "ul. Przemysłowa 1", "plots": "101/2"}


def _coordinator() -> User:
    return User(id=uuid4(), email="k@example.org", role=Role.COORDINATOR, institution_id=None, active=True,
                municipality_id=DEFAULT_MUNICIPALITY_ID)


def _with_inquiry(container: Container, world: World) -> None:
    SEEN["inquiry"] = str(container.use_cases.investor.receive(
        _coordinator(), codename="Orzeł", sectors=["food"], needs={}, received_on=date(2026, 3, 2)).id)


def _with_site(container: Container, world: World) -> None:
    SEEN["site"] = str(container.use_cases.investor.register_site(_coordinator(), SITE).id)


def _matrix_routes():
    from tests.e2e.api.test_authorization_matrix import Route, same

    hidden = {"staff": same(404), "lead": same(404), "auditor": same(404), "admin": same(404)}
    sites = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
             "admin": same(403)}
    service = {"staff": same(403), "lead": same(403), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}
    return {
        "GET investor/inquiries": Route("GET", lambda w, s: "/investor/inquiries", None,
                                        {**hidden, "coordinator": same(200)}),
        "POST investor/inquiries": Route("POST", lambda w, s: "/investor/inquiries", lambda w, s: {
            "codename": "Jodła", "sectors": ["logistics"], "received_on": "2026-03-02"},
            {**hidden, "coordinator": same(201)}),
        "GET investor/inquiries/{id}": Route("GET", lambda w, s: f"/investor/inquiries/{SEEN['inquiry']}", None,
                                             {**hidden, "coordinator": same(200)}, setup=_with_inquiry),
        "POST investor/inquiries/{id}/answer": Route(
            "POST", lambda w, s: f"/investor/inquiries/{SEEN['inquiry']}/answer",
            lambda w, s: {"answered_on": "2026-03-04"}, {**hidden, "coordinator": same(201)}, setup=_with_inquiry),
        "GET investor/sites": Route("GET", lambda w, s: "/investor/sites", None, sites),
        "GET investor/sites/{id}": Route("GET", lambda w, s: f"/investor/sites/{SEEN['site']}", None, sites,
                                         setup=_with_site),
        "GET investor/indicators": Route("GET", lambda w, s: "/investor/indicators", None, service),
        "GET investor/trainings": Route("GET", lambda w, s: "/investor/trainings", None, service),
    }


def __getattr__(name: str):
    if name == "INVESTOR_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    if name == "INVESTOR_USE_CASES":
        return _use_cases()
    raise AttributeError(name)


def test_an_inquiry_is_invisible_outside_the_investor_service(client, container: Container, world: World):
    gniezno = container.use_cases.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                                            network_name="Sieć Gniezna").id
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    for email, municipality in (("inwestor@example.org", DEFAULT_MUNICIPALITY_ID),
                                ("inwestor@gniezno.example.org", gniezno)):
        users.add(email=email, password="correct horse battery", role="investor_service", municipality_id=municipality)
    mine = {"Authorization": f"Bearer {users.create_token('inwestor@example.org').token}"}
    theirs = {"Authorization": f"Bearer {users.create_token('inwestor@gniezno.example.org').token}"}
    their_site = container.use_cases.investor.register_site(
        User(id=uuid4(), email="g@example.org", role=Role.INVESTOR_SERVICE, institution_id=None, active=True,
             municipality_id=gniezno), {**SITE, "name": "Teren w Gnieźnie"}).id

    created = client.post(f"{V1}/investor/inquiries", headers=mine, json={
        "codename": "Orzeł", "sectors": ["automotive"], "received_on": "2026-03-02",
        "needs": {"area_ha": "20", "utilities": ["power"], "jobs": 300, "text": "Hala"}})
    assert created.status_code == 201, created.text
    inquiry = created.json()["id"]
    got = client.get(f"{V1}/investor/inquiries/{inquiry}", headers=mine).json()
    assert got["codename"] == "Orzeł" and got["needs"]["jobs"] == 300 and got["due_on"] > got["received_on"]
    for headers in (theirs, auth(world.tokens["staff"]), auth(world.tokens["auditor"])):
        answer = client.get(f"{V1}/investor/inquiries/{inquiry}", headers=headers)
        assert answer.status_code == 404 and "Orzeł" not in answer.text
    assert client.get(f"{V1}/investor/inquiries", headers=theirs).json()["items"] == []
    assert client.get(f"{V1}/investor/sites/{their_site}", headers=mine).status_code == 404
    before = container.app.recorder.max_notification_id()
    refused = client.post(f"{V1}/investor/inquiries/{inquiry}/answer", headers=mine,
                          json={"answered_on": "2026-03-05", "site_ids": [str(their_site)]})
    assert refused.status_code == 422 and "site_ids" in refused.text
    assert container.app.recorder.max_notification_id() == before
    bad = client.post(f"{V1}/investor/inquiries", headers=mine, json={"codename": "X", "sectors": ["space"],
                                                                       "received_on": "2026-03-02"})
    assert bad.status_code == 422 and container.app.recorder.max_notification_id() == before


def _use_cases():
    """The same rows on the use cases directly (tests/integration/test_use_case_authorization.py)."""
    return {
        "GET investor/inquiries": lambda uc, u, w, s: uc.investor.inquiries(u),
        "POST investor/inquiries": lambda uc, u, w, s: uc.investor.receive(
            u, codename="Jodła", sectors=["logistics"], needs={}, received_on=date(2026, 3, 2)),
        "GET investor/inquiries/{id}": lambda uc, u, w, s: uc.investor.inquiry(u, SEEN["inquiry"]),
        "POST investor/inquiries/{id}/answer": lambda uc, u, w, s: uc.investor.answer(
            u, SEEN["inquiry"], answered_on=date(2026, 3, 4), site_ids=[]),
        "GET investor/sites": lambda uc, u, w, s: uc.investor.sites(u),
        "GET investor/sites/{id}": lambda uc, u, w, s: uc.investor.site(u, SEEN["site"]),
        "GET investor/indicators": lambda uc, u, w, s: uc.investor.indicators(u),
        "GET investor/trainings": lambda uc, u, w, s: uc.investor.trainings(u),
    }
