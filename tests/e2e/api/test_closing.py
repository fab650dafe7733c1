"""Closing a year over HTTP: leads sign off, the coordinator closes, a closed year refuses corrections until
it is reopened for the institution, and a second close publishes version 2 beside version 1."""

from __future__ import annotations
from domain.application import DEFAULT_MUNICIPALITY_ID

from uuid import UUID

from argon2 import PasswordHasher

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.closing import close_year
from infra.container import Container
from infra.users import UserStore
from tests.support.world import World, auth

V1 = "/api/v1"
YEARS = f"{V1}/audit/years"


def network_members(w: World) -> tuple[UUID, ...]:
    """The institutions that must sign off 2012 in the test world (the clusters never joined the network)."""
    return (w.riph, w.citt, w.wpir, w.lcb)


def sign_off_all(container: Container, w: World, year: int = 2012) -> None:
    for institution in network_members(w):
        container.app.years.sign_off_year(network_id=DEFAULT_NETWORK_ID, year=year, institution_id=institution,
                                            actor=Actor(user_id="lead", institution_id=institution))


def close_2012(container: Container, w: World) -> None:
    sign_off_all(container, w)
    close_year(container, network_id=DEFAULT_NETWORK_ID, year=2012, actor=Actor(user_id="coordinator"))


def lead_tokens(container: Container, w: World) -> dict[UUID, str]:
    """A lead for every network member (the world has one, RIPH's): sign-offs are theirs alone to give."""
    users = UserStore(container.directory_db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    tokens = {w.riph: w.tokens["lead"]}
    for institution in network_members(w)[1:]:
        email = f"lead-{institution}@example.org"
        users.add(email=email, password="correct horse battery", role="lead", institution_id=institution,
                  municipality_id=DEFAULT_MUNICIPALITY_ID)
        tokens[institution] = users.create_token(email).token
    return tokens


def test_a_correction_of_a_closed_year_goes_through_reopening_and_publishes_version_2(client, world, container):
    leads = lead_tokens(container, world)
    coordinator, auditor = auth(world.tokens["coordinator"]), auth(world.tokens["auditor"])
    for institution, token in leads.items():
        signed = client.post(f"{YEARS}/2012/sign-offs", json={"institution_id": str(institution)},
                             headers=auth(token))
        assert signed.status_code == 201, signed.text
    first = client.post(f"{YEARS}/2012/closings", headers=coordinator)
    assert first.status_code == 201, first.text
    assert first.json()["report_version"] == 1 and len(first.json()["report_hash"]) == 64

    record = f"{V1}/records/{world.own_record}"
    correction = {"expected_version": 1, "reason": "Literówka w opisie", "changes": {"summary": "Kontakt telefoniczny"}}
    refused = client.post(f"{record}/corrections", json=correction, headers=auth(leads[world.riph]))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "invariant_violated"
    assert "Rok 2012 jest zamknięty (wersja raportu 1)" in refused.json()["detail"]
    assert client.get(record, headers=coordinator).json()["version"] == 1  # nothing was stored

    no_reason = client.post(f"{YEARS}/2012/reopenings", json={"institution_id": str(world.riph)}, headers=coordinator)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    reopened = client.post(f"{YEARS}/2012/reopenings", headers=coordinator,
                           json={"institution_id": str(world.riph), "reason": "Korekta opisu kontaktu RIPH"})
    assert reopened.status_code == 201, reopened.text
    # Reopened for RIPH only: CITT's record of 2012 stays frozen.
    other = client.post(f"{V1}/records/{world.other_record}/retractions", headers=coordinator,
                        json={"expected_version": 1, "reason": "Duplikat"})
    assert other.status_code == 409, other.text

    corrected = client.post(f"{record}/corrections", json=correction, headers=auth(leads[world.riph]))
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2
    not_yet = client.post(f"{YEARS}/2012/closings", headers=coordinator)
    assert not_yet.status_code == 409 and "brak podpisu 1 instytucji" in not_yet.json()["detail"]
    assert client.post(f"{YEARS}/2012/sign-offs", json={"institution_id": str(world.riph)},
                       headers=auth(leads[world.riph])).status_code == 201
    second = client.post(f"{YEARS}/2012/closings", headers=coordinator)
    assert second.status_code == 201, second.text
    assert second.json()["report_version"] == 2 and second.json()["report_hash"] != first.json()["report_hash"]

    v1 = client.get(f"{YEARS}/2012/reports/1", headers=auth(world.tokens["auditor"]))
    v2 = client.get(f"{YEARS}/2012/reports/2", headers=auditor)
    assert v1.status_code == v2.status_code == 200
    assert v1.json()["report_hash"] == first.json()["report_hash"]
    assert v2.json()["report_hash"] == second.json()["report_hash"]
    diff = client.get(f"{YEARS}/2012/reports/1/diff/2", headers=auditor)
    assert diff.status_code == 200
    assert diff.json()["changes"] == [{"path": f"/records/{world.own_record}/version", "old": 1, "new": 2}]


def test_year_routes_refuse_what_the_domain_forbids(client, world, container):
    lead, coordinator = auth(world.tokens["lead"]), auth(world.tokens["coordinator"])
    body = {"institution_id": str(world.riph)}
    assert client.post(f"{YEARS}/2012/sign-offs", json=body, headers=lead).status_code == 201
    twice = client.post(f"{YEARS}/2012/sign-offs", json=body, headers=lead)
    assert twice.status_code == 409 and twice.json()["errors"][0]["field"] == "institution_id"
    not_closed = client.post(f"{YEARS}/2012/reopenings", json={**body, "reason": "x"}, headers=coordinator)
    assert not_closed.status_code == 409 and "nie jest zamknięty" in not_closed.json()["detail"]
    assert client.post(f"{YEARS}/1999/closings", headers=coordinator).status_code == 422
    unknown = client.post(f"{YEARS}/2012/reopenings", headers=coordinator,
                          json={"institution_id": "00000000-0000-4000-8000-000000000000", "reason": "x"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "institution_id"


def test_a_close_retried_with_its_idempotency_key_publishes_nothing_new(client, world, container):
    sign_off_all(container, world)
    headers = auth(world.tokens["coordinator"], **{"Idempotency-Key": "close-2012"})
    first = client.post(f"{YEARS}/2012/closings", headers=headers)
    again = client.post(f"{YEARS}/2012/closings", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    reporting_year = container.app.years.get_reporting_year(DEFAULT_NETWORK_ID, 2012)
    assert [v["version"] for v in reporting_year.versions] == [1]


def test_the_year_status_says_who_signed_off_when_what_was_reopened_and_which_versions_exist(client, world, container):
    coordinator, auditor = auth(world.tokens["coordinator"]), auth(world.tokens["auditor"])
    open_year = client.get(f"{YEARS}/2012", headers=auditor)
    assert open_year.status_code == 200, open_year.text
    status = open_year.json()
    assert status["year"] == 2012 and status["closed"] is False and status["versions"] == []
    assert {row["institution_id"] for row in status["sign_offs"]} == {str(i) for i in network_members(world)}
    assert all(row["signed_off_at"] is None for row in status["sign_offs"])
    assert {row["short_name"] for row in status["sign_offs"]} == {"RIPH", "CITT", "WPiR", "LCB"}

    close_2012(container, world)
    client.post(f"{YEARS}/2012/reopenings", headers=coordinator,
                json={"institution_id": str(world.riph), "reason": "Korekta opisu kontaktu RIPH"})
    status = client.get(f"{YEARS}/2012", headers=auth(world.tokens["lead"])).json()
    assert status["closed"] is True
    by_institution = {row["short_name"]: row for row in status["sign_offs"]}
    assert by_institution["RIPH"]["signed_off_at"] is None  # the reopening took RIPH's sign-off back
    assert by_institution["CITT"]["signed_off_by"] == "lead" and by_institution["CITT"]["signed_off_at"]
    [reopened] = status["reopened"]
    assert reopened["institution_id"] == str(world.riph) and reopened["short_name"] == "RIPH"
    assert reopened["reason"] == "Korekta opisu kontaktu RIPH" and reopened["reopened_at"]
    [version] = status["versions"]
    published = client.get(f"{YEARS}/2012/reports/1", headers=auditor).json()
    assert version["version"] == 1 and version["report_hash"] == published["report_hash"]
    assert version["closed_at"] == published["closed_at"] and "report" not in version


def _matrix_routes():
    """Rows for the role x route x own/other matrix (tests/e2e/api/test_authorization_matrix.py)."""
    from tests.e2e.api.test_authorization_matrix import Route, inst, same

    nobody = {"staff": same(403), "lead": same(403), "coordinator": same(403), "auditor": same(403),
              "admin": same(403)}
    return {
        # Only a lead, only for their own institution; the coordinator cannot sign for an institution.
        "POST audit/years/{year}/sign-offs": Route(
            "POST", lambda w, s: "/audit/years/2012/sign-offs", lambda w, s: {"institution_id": inst(w, s)},
            {**nobody, "lead": (201, 403)}),
        "POST audit/years/{year}/closings": Route(
            "POST", lambda w, s: "/audit/years/2012/closings", None, {**nobody, "coordinator": same(201)},
            setup=sign_off_all),
        # The year's status: coordinators, leads (any institution's row) and auditors; not staff or admins.
        "GET audit/years/{year}": Route(
            "GET", lambda w, s: "/audit/years/2012", None,
            {**nobody, "lead": same(200), "coordinator": same(200), "auditor": same(200)}, setup=close_2012),
        "POST audit/years/{year}/reopenings": Route(
            "POST", lambda w, s: "/audit/years/2012/reopenings",
            lambda w, s: {"institution_id": inst(w, s), "reason": "Korekta"}, {**nobody, "coordinator": same(201)},
            setup=close_2012),
        # The same route without an institution reopens the year for the strategy: coordinators only.
        "POST audit/years/{year}/reopenings (strategy)": Route(
            "POST", lambda w, s: "/audit/years/2012/reopenings",
            lambda w, s: {"institution_id": None, "reason": "Korekta celu"}, {**nobody, "coordinator": same(201)},
            setup=close_2012),
    }


def __getattr__(name: str):
    if name == "CLOSING_ROUTES":  # lazy: the matrix module imports this one
        return _matrix_routes()
    raise AttributeError(name)
