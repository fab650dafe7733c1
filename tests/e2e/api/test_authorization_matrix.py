"""Every role x every route x own/other institution, with the expected status in each cell.

"own" targets the institution of the staff and lead users (RIPH); "other" targets another one
(CITT, or the food cluster run by LCB). Roles that are not scoped to an institution get the same
answer in both columns. Each cell that may write (any method but GET, or a route with a `setup`) runs
against a fresh store, so one cell's write cannot change another's answer (a route's `setup` prepares that
store first, e.g. a closed year to reopen). The GET cells without a setup share one store and app per module
(a world costs ~0.1 s to build, ~200 cells): each such cell also checks that its request recorded no event,
so a read that wrote would fail here instead of reaching the next cell. Strategy
and audit routes are added by `STRATEGY_ROUTES`, the year-closing routes by `CLOSING_ROUTES`.
"""

from __future__ import annotations

import itertools

from dataclasses import dataclass
from typing import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_NETWORK_ID
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings
from tests.support.world import World, auth, build_world
from tests.e2e.api.test_endpoints import V1

ROLES = ("staff", "lead", "coordinator", "auditor", "admin")
SCOPES = ("own", "other")


@dataclass(frozen=True)
class Route:
    method: str
    path: Callable[[World, str], str]
    body: Callable[[World, str], dict] | None
    expected: dict[str, tuple[int, int]]  # role -> (status for own, status for other)
    setup: Callable[[Container, World], None] | None = None  # runs on the cell's fresh store first


def inst(w: World, scope: str) -> str:
    return str(w.riph if scope == "own" else w.citt)


def partner(w: World, scope: str) -> str:
    return str(w.citt if scope == "own" else w.lcb)


def cluster(w: World, scope: str) -> str:
    return str(w.own_cluster if scope == "own" else w.cluster)


def record(w: World, scope: str) -> str:
    return str(w.own_record if scope == "own" else w.other_record)


def same(status: int) -> tuple[int, int]:
    return (status, status)


READ_ALL = {"staff": same(200), "lead": same(200), "coordinator": same(200), "auditor": same(200),
            "admin": same(200)}
COORDINATOR_ONLY = {"staff": same(403), "lead": same(403), "auditor": same(403), "admin": same(403)}
SCOPED_WRITE = {"staff": (201, 403), "lead": (201, 403), "coordinator": same(201), "auditor": same(403),
                "admin": same(403)}
SCOPED_CHANGE = {"staff": (200, 404), "lead": (200, 404), "coordinator": same(200), "auditor": same(403),
                 "admin": same(403)}
SCOPED_READ = {"staff": (200, 404), "lead": (200, 404), "coordinator": same(200), "auditor": same(200),
               "admin": same(403)}

ROUTES: dict[str, Route] = {
    "GET health": Route("GET", lambda w, s: "/health", None, READ_ALL),
    "GET municipalities": Route("GET", lambda w, s: "/municipalities", None, READ_ALL),
    "POST institutions": Route("POST", lambda w, s: "/institutions",
                               lambda w, s: {"name": "Nowa", "short_name": "NOWA", "kind": "other"},
                               {**COORDINATOR_ONLY, "coordinator": same(201)}),
    "GET institutions": Route("GET", lambda w, s: "/institutions", None, READ_ALL),
    "POST network/members": Route("POST", lambda w, s: "/network/members",
                                  lambda w, s: {"institution_id": cluster(w, s), "joined_on": "2011-01-01"},
                                  {**COORDINATOR_ONLY, "coordinator": same(201)}),
    "POST network/members/{id}/leave": Route("POST", lambda w, s: f"/network/members/{inst(w, s)}/leave",
                                             lambda w, s: {"left_on": "2013-12-31"},
                                             {**COORDINATOR_ONLY, "coordinator": same(200)}),
    "POST firms": Route("POST", lambda w, s: "/firms", lambda w, s: {"name": "Nowa firma", "nip": valid_nip(next(FIRM_NUMBERS))},
                        {"staff": same(201), "lead": same(201), "coordinator": same(201), "auditor": same(403),
                         "admin": same(403)}),
    "GET firms": Route("GET", lambda w, s: "/firms", None, READ_ALL),
    "POST clusters/{id}/members": Route("POST", lambda w, s: f"/clusters/{cluster(w, s)}/members",
                                        lambda w, s: {"firm_id": str(w.firm_b), "joined_on": "2011-01-01"},
                                        SCOPED_WRITE),
    "POST clusters/{id}/members/{firm}/leave": Route(
        "POST", lambda w, s: f"/clusters/{cluster(w, s)}/members/{w.firm_a}/leave",
        lambda w, s: {"left_on": "2012-01-01"}, {**SCOPED_WRITE, "staff": (200, 403), "lead": (200, 403),
                                                 "coordinator": same(200)}),
    "POST contacts": Route("POST", lambda w, s: "/contacts", lambda w, s: {
        "occurred_on": "2012-03-05", "institution_id": inst(w, s), "with_institution_id": partner(w, s),
        "channel": "phone", "summary": "Kontakt"}, SCOPED_WRITE),
    "POST meetings": Route("POST", lambda w, s: "/meetings", lambda w, s: {
        "occurred_on": "2012-03-05", "title": "Spotkanie", "kind": "network_meeting", "organiser_id": inst(w, s),
        "institution_ids": [partner(w, s)], "firm_ids": [str(w.firm_a)]}, SCOPED_WRITE),
    "POST information-exchanges": Route("POST", lambda w, s: "/information-exchanges", lambda w, s: {
        "occurred_on": "2012-03-05", "from_institution_id": inst(w, s), "to_institution_ids": [partner(w, s)],
        "to_firm_ids": [], "subject": "Informacja", "channel": "email"}, SCOPED_WRITE),
    "POST conclusions": Route("POST", lambda w, s: "/conclusions", lambda w, s: {
        "occurred_on": "2012-03-05", "title": "Wnioski", "kind": "conclusion", "institution_ids": [inst(w, s)]},
        SCOPED_WRITE),
    "GET records/{id}": Route("GET", lambda w, s: f"/records/{record(w, s)}", None, SCOPED_READ),
    "POST records/{id}/corrections": Route("POST", lambda w, s: f"/records/{record(w, s)}/corrections",
                                           lambda w, s: {"expected_version": 1, "reason": "Poprawka",
                                                         "changes": {"summary": "Nowy opis"}}, SCOPED_CHANGE),
    "POST records/{id}/retractions": Route("POST", lambda w, s: f"/records/{record(w, s)}/retractions",
                                           lambda w, s: {"expected_version": 1, "reason": "Duplikat"},
                                           SCOPED_CHANGE),
    "GET records": Route("GET", lambda w, s: f"/records?institution={inst(w, s)}", None,
                         {**SCOPED_READ, "staff": (200, 403), "lead": (200, 403)}),
    "GET users": Route("GET", lambda w, s: "/users", None, {**COORDINATOR_ONLY, "coordinator": same(403),
                                                            "admin": same(200)}),
    "POST users/{id}/disable": Route("POST", lambda w, s: f"/users/{w.other_staff_id}/disable", None,
                                     {**COORDINATOR_ONLY, "coordinator": same(403), "admin": same(200)}),
}

try:  # the strategy read model is built by another part of the team
    from tests.e2e.api.test_strategy import STRATEGY_ROUTES
except ImportError:  # pragma: no cover - before the strategy routes exist
    STRATEGY_ROUTES = {}
ROUTES.update(STRATEGY_ROUTES)
from tests.e2e.api.test_closing import CLOSING_ROUTES  # noqa: E402 (needs Route, defined above)
from tests.factories import valid_nip

FIRM_NUMBERS = itertools.count(1)  # every firm a matrix cell registers gets its own NIP

ROUTES.update(CLOSING_ROUTES)
from tests.e2e.api.test_strategy_changes import STRATEGY_CHANGE_ROUTES  # noqa: E402

ROUTES.update(STRATEGY_CHANGE_ROUTES)
from tests.e2e.api.test_investor_api import INVESTOR_ROUTES  # noqa: E402 (issue 14)

ROUTES.update(INVESTOR_ROUTES)
from tests.e2e.api.test_persons import PERSON_ROUTES  # noqa: E402 (contact persons and the DPO's, issue 12)

ROUTES.update(PERSON_ROUTES)
from tests.e2e.api.test_practices_api import PRACTICE_ROUTES  # noqa: E402 (shared networks, good practices, issue 14)

ROUTES.update(PRACTICE_ROUTES)
from tests.e2e.api.test_calendar_matrix import CALENDAR_ROUTES  # noqa: E402 (the joint events calendar, issue 14)

ROUTES.update(CALENDAR_ROUTES)

CELLS = [(route, role, scope) for route in ROUTES for role in ROLES for scope in SCOPES]


def reads_only(route: Route) -> bool:
    return route.method == "GET" and route.setup is None


@pytest.fixture(scope="module")
def read_store():
    """(client, container, world) shared by the GET cells without a setup."""
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        world = build_world(container, DEFAULT_NETWORK_ID)
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield client, container, world
    finally:
        container.close()


def events_in(container: Container) -> int:
    return container.app.recorder.max_notification_id() or 0


@pytest.mark.parametrize(("route_name", "role", "scope"), CELLS, ids=[f"{r}|{role}|{s}" for r, role, s in CELLS])
def test_cell(request, route_name, role, scope):
    route = ROUTES[route_name]
    shared = reads_only(route)
    client, container, world = (request.getfixturevalue("read_store") if shared else
                                [request.getfixturevalue(name) for name in ("client", "container", "world")])
    if route.setup:
        route.setup(container, world)
    expected = route.expected[role][SCOPES.index(scope)]
    path = V1 + route.path(world, scope)
    body = route.body(world, scope) if route.body else None
    before = events_in(container)
    response = client.request(route.method, path, headers=auth(world.tokens[role]), json=body)
    assert response.status_code == expected, (route_name, role, scope, response.text)
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    if shared:
        assert events_in(container) == before, f"{route_name} recorded an event: it must not share a store"


def test_every_api_route_is_in_the_matrix(client):
    documented = {(method.upper(), path) for path, ops in client.get("/api/openapi.json").json()["paths"].items()
                  for method in ops}

    def shape(method: str, path: str) -> tuple[str, ...]:
        """Method and path segments, placeholders anonymous (the matrix names them briefly)."""
        return (method, *("{}" if part.startswith("{") else part for part in path.split("/")))

    covered = {shape(*name.split(" ", 1)) for name in ROUTES}
    missing = {(m, p) for m, p in documented if shape(m, p.removeprefix(V1 + "/")) not in covered}
    assert not missing, f"routes without a row in the matrix: {sorted(missing)}"


def test_participant_may_read_but_not_change_another_institutions_record(client, world):
    staff = auth(world.tokens["staff"])
    path = f"{V1}/records/{world.shared_record}"
    assert client.get(path, headers=staff).status_code == 200
    fix = client.post(f"{path}/corrections", headers=staff,
                      json={"expected_version": 1, "reason": "x", "changes": {"summary": "y"}})
    assert fix.status_code == 403
    assert client.post(f"{path}/retractions", headers=staff, json={"expected_version": 1, "reason": "x"}
                       ).status_code == 403


def test_staff_cannot_hand_a_record_to_another_institution_by_correction(client, world):
    response = client.post(f"{V1}/records/{world.own_record}/corrections", headers=auth(world.tokens["staff"]),
                           json={"expected_version": 1, "reason": "Inny właściciel",
                                 "changes": {"institution_id": str(world.lcb)}})
    assert response.status_code == 403
    assert client.get(f"{V1}/records/{world.own_record}", headers=auth(world.tokens["staff"])).json()["version"] == 1


def test_revoked_token_and_disabled_user_are_rejected(client, world, container):
    from infra.users import UserStore

    users = UserStore(container.directory_db)
    assert client.get(f"{V1}/firms", headers=auth(world.tokens["staff"])).status_code == 200
    users.revoke_token(world.tokens["staff"])
    assert client.get(f"{V1}/firms", headers=auth(world.tokens["staff"])).status_code == 401
    assert client.get(f"{V1}/firms", headers=auth(world.tokens["lead"])).status_code == 200
    users.disable("lead@example.org")
    assert client.get(f"{V1}/firms", headers=auth(world.tokens["lead"])).status_code == 401


def test_the_acting_user_is_recorded_without_their_email(client, world, container):
    from infra.users import UserStore

    staff = UserStore(container.directory_db).get_by_email("staff@example.org")
    created = client.post(f"{V1}/firms", headers=auth(world.tokens["staff"]), json={"name": "Firma X", "nip": valid_nip(next(FIRM_NUMBERS))}).json()
    events = list(container.app.events.get(UUID(created["id"])))
    assert events[0].actor_user_id == str(staff.id) and events[0].actor_institution_id == world.riph
