"""The authorization matrix on the use-case layer itself, without HTTP: every route of the JSON API's
matrix (tests/e2e/api/test_authorization_matrix.py) is called here as the use case behind it, by every role
for its own and another institution, and must end as the matrix says — done, `Forbidden`, or not found —
so a second face (pages, CLI) that calls the same use cases gets the same answers. As there, the GET rows
without a setup share one store per module and check that their call recorded no event; every other cell
gets a fresh store."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable
from uuid import UUID

import pytest

from domain.errors import DomainError, NotFound, UnknownReference
from domain.policy import Forbidden
from domain.use_cases import UseCases
from domain.use_cases.audit import AuditFilter
from domain.application import DEFAULT_NETWORK_ID
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings
from tests.support.world import World, build_world, world  # noqa: F401 (world is a fixture)
from tests.e2e.api.test_authorization_matrix import (ROLES, ROUTES, SCOPES, cluster, events_in, inst, partner,
                                                     reads_only, record)
from tests.factories import valid_nip

D = date(2012, 3, 5)
Call = Callable[[UseCases, Any, World, str], object]

_firms = iter(range(500, 10_000))


def _contact(uc, u, w, s):
    return uc.records.record(u, "contact", {"occurred_on": D, "institution_id": UUID(inst(w, s)),
                                            "with_institution_id": UUID(partner(w, s)), "channel": "phone",
                                            "summary": "Kontakt"})


USE_CASES: dict[str, Call] = {
    "GET municipalities": lambda uc, u, w, s: uc.registry.municipalities(u),
    "POST institutions": lambda uc, u, w, s: uc.registry.register_institution(u, name="Nowa", short_name="NOWA",
                                                                               kind="other"),
    "GET institutions": lambda uc, u, w, s: uc.registry.institutions(u),
    "POST network/members": lambda uc, u, w, s: uc.registry.join_network(
        u, institution_id=UUID(cluster(w, s)), joined_on=date(2011, 1, 1)),
    "POST network/members/{id}/leave": lambda uc, u, w, s: uc.registry.leave_network(
        u, institution_id=UUID(inst(w, s)), left_on=date(2013, 12, 31)),
    "POST firms": lambda uc, u, w, s: uc.registry.register_firm(u, name="Nowa firma", nip=valid_nip(next(_firms)),
                                                                 regon=None),
    "GET firms": lambda uc, u, w, s: uc.registry.firms(u),
    "POST clusters/{id}/members": lambda uc, u, w, s: uc.registry.join_cluster(
        u, cluster_id=UUID(cluster(w, s)), firm_id=w.firm_b, joined_on=date(2011, 1, 1)),
    "POST clusters/{id}/members/{firm}/leave": lambda uc, u, w, s: uc.registry.leave_cluster(
        u, cluster_id=UUID(cluster(w, s)), firm_id=w.firm_a, left_on=date(2012, 1, 1)),
    "POST contacts": _contact,
    "POST meetings": lambda uc, u, w, s: uc.records.record(u, "meeting", {
        "occurred_on": D, "title": "Spotkanie", "kind": "network_meeting", "organiser_id": UUID(inst(w, s)),
        "institution_ids": [UUID(partner(w, s))], "firm_ids": [w.firm_a]}),
    "POST information-exchanges": lambda uc, u, w, s: uc.records.record(u, "information_exchange", {
        "occurred_on": D, "from_institution_id": UUID(inst(w, s)), "to_institution_ids": [UUID(partner(w, s))],
        "subject": "Informacja", "channel": "email"}),
    "POST conclusions": lambda uc, u, w, s: uc.records.record(u, "conclusion", {
        "occurred_on": D, "title": "Wnioski", "kind": "conclusion", "institution_ids": [UUID(inst(w, s))]}),
    "GET records/{id}": lambda uc, u, w, s: uc.records.view(u, UUID(record(w, s))),
    "POST records/{id}/corrections": lambda uc, u, w, s: uc.records.correct(
        u, UUID(record(w, s)), expected_version=1, reason="Poprawka", changes={"summary": "Nowy opis"}),
    "POST records/{id}/retractions": lambda uc, u, w, s: uc.records.retract(
        u, UUID(record(w, s)), expected_version=1, reason="Duplikat"),
    "GET records": lambda uc, u, w, s: uc.records.register(u, institution_id=UUID(inst(w, s))),
    "GET users": lambda uc, u, w, s: uc.users.list(u),
    "POST users/{id}/disable": lambda uc, u, w, s: uc.users.disable(u, w.other_staff_id),
    "GET strategy/tasks": lambda uc, u, w, s: uc.strategy.tasks(u),
    "GET strategy/tasks/{code}/report": lambda uc, u, w, s: uc.strategy.task_report(u, "III.1.3"),
    "GET indicators/{code}/years/{year}/events": lambda uc, u, w, s: uc.strategy.indicator_events(
        u, "III.1.3.W2", 2012, institution_id=UUID(inst(w, s))),
    "GET strategy/tasks/{code}/publications": lambda uc, u, w, s: uc.strategy.publications(u, "III.1.3"),
    "GET strategy/tasks/{code}/publications/{n}": lambda uc, u, w, s: uc.strategy.publication(
        u, "III.1.3", w.publication_number),
    "POST strategy/tasks/{code}/publications": lambda uc, u, w, s: uc.strategy.publish(u, "III.1.3",
                                                                                        title="Sprawozdanie"),
    "PUT strategy/indicators/{code}/targets": lambda uc, u, w, s: uc.strategy_changes.set_targets(
        u, "III.1.3.W2", {"2010": 4}, reason="x"),
    "POST strategy/indicators/{code}/values": lambda uc, u, w, s: uc.strategy_changes.report_value(
        u, "III.1.3.W4", year=2010, value=1),
    "POST strategy/tasks/{code}/stage-progress": lambda uc, u, w, s: uc.strategy_changes.report_stage_progress(
        u, "III.1.3", {(4, 2013): 2}),
    "POST strategy/indicators/{code}/rule/preview": lambda uc, u, w, s: uc.strategy_changes.preview_rule(
        u, "III.1.3.W2", {"kind": "reported"}),
    "PUT strategy/indicators/{code}/rule": lambda uc, u, w, s: uc.strategy_changes.change_rule(
        u, "III.1.3.W2", {"kind": "reported"}, reason="x"),
    "GET audit/entries": lambda uc, u, w, s: uc.audit.entries(u, AuditFilter()),
    "GET audit/entries.csv": lambda uc, u, w, s: uc.audit.all_entries(u, AuditFilter()),
    "GET records/{id}/history": lambda uc, u, w, s: uc.audit.record_history(u, UUID(record(w, s))),
    "GET audit/years/{year}/reports/{version}": lambda uc, u, w, s: uc.closing.report_version(u, 2012, 1),
    "GET audit/years/{year}/reports/{version}/diff/{other}": lambda uc, u, w, s: uc.closing.report_diff(
        u, 2012, 1, 2),
    "POST audit/years/{year}/sign-offs": lambda uc, u, w, s: uc.closing.sign_off(
        u, 2012, institution_id=UUID(inst(w, s))),
    "POST audit/years/{year}/closings": lambda uc, u, w, s: uc.closing.close(u, 2012),
    "GET audit/years/{year}": lambda uc, u, w, s: uc.closing.status(u, 2012),
    "POST audit/years/{year}/reopenings": lambda uc, u, w, s: uc.closing.reopen(
        u, 2012, institution_id=UUID(inst(w, s)), reason="Korekta"),
    "POST audit/years/{year}/reopenings (strategy)": lambda uc, u, w, s: uc.closing.reopen(
        u, 2012, institution_id=None, reason="Korekta celu"),
}
from tests.e2e.api.test_persons import PERSON_USE_CASES  # noqa: E402 (contact persons and the DPO's, issue 12)

USE_CASES.update(PERSON_USE_CASES)
from tests.e2e.api.test_practices_api import PRACTICE_USE_CASES  # noqa: E402 (shared networks, good practices)

USE_CASES.update(PRACTICE_USE_CASES)
from tests.e2e.api.test_investor_api import INVESTOR_USE_CASES  # noqa: E402 (investor service, issue 14)

USE_CASES.update(INVESTOR_USE_CASES)
from tests.e2e.api.test_calendar_matrix import CALENDAR_USE_CASES  # noqa: E402 (the joint events calendar, issue 14)

USE_CASES.update(CALENDAR_USE_CASES)
OPERATIONAL = {"GET health"}  # the service's own state, not a user's question: no use case behind it

OUTCOME = {403: Forbidden, 404: (NotFound, UnknownReference)}
CELLS = [(name, role, scope) for name in USE_CASES for role in ROLES for scope in SCOPES]


def test_every_route_of_the_api_matrix_has_its_use_case_here():
    assert set(ROUTES) - OPERATIONAL == set(USE_CASES)


@pytest.fixture(scope="module")
def read_store():
    """(container, world) shared by the GET rows without a setup."""
    container = build_container(Settings(in_memory=True))
    try:
        bootstrap(container)
        yield container, build_world(container, DEFAULT_NETWORK_ID)
    finally:
        container.close()


@pytest.mark.parametrize(("name", "role", "scope"), CELLS, ids=[f"{n}|{r}|{s}" for n, r, s in CELLS])
def test_cell(request, name: str, role: str, scope: str):
    route = ROUTES[name]
    shared = reads_only(route)
    container, world = (request.getfixturevalue("read_store") if shared else
                        [request.getfixturevalue(fixture) for fixture in ("container", "world")])
    if route.setup:
        route.setup(container, world)
    user = container.users.get_by_email(f"{role}@example.org")
    expected = route.expected[role][SCOPES.index(scope)]
    call = USE_CASES[name]
    before = events_in(container)
    if expected < 400:
        call(container.use_cases, user, world, scope)
    else:
        with pytest.raises(DomainError) as refused:
            call(container.use_cases, user, world, scope)
        assert isinstance(refused.value, OUTCOME[expected]), (name, role, scope, refused.value)
    if shared:
        assert events_in(container) == before, f"{name} recorded an event: it must not share a store"
