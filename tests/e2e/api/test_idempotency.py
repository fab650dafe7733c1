"""Idempotency-Key rules over HTTP: replay, mismatch, in flight, per-user scope, failed writes."""

from __future__ import annotations

from api.deps import WriteContext
from api.schemas.records import ContactIn
from api.writes import REPLAYED_HEADER, fingerprint
from infra.idempotency import Outcome
from infra.users import UserStore
from tests.support.world import auth
from tests.e2e.api.test_endpoints import V1, contact_body


def count_records(client, token) -> int:
    """Records created by these tests (the world's fixtures are dated 2012-05-05)."""
    items = client.get(f"{V1}/records", headers=auth(token)).json()["items"]
    return sum(1 for item in items if item["occurred_on"] != "2012-05-05")


def test_same_key_same_body_replays_the_first_response_and_records_nothing_new(client, world, container):
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": "k-1"})
    first = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world))
    log_after_first = container.runner.log_position()
    second = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world))
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get(REPLAYED_HEADER) == "true" and REPLAYED_HEADER not in first.headers
    assert container.runner.log_position() == log_after_first
    assert count_records(client, world.tokens["staff"]) == 1


def test_same_key_different_body_is_refused(client, world, container):
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": "k-2"})
    assert client.post(f"{V1}/contacts", headers=headers, json=contact_body(world)).status_code == 201
    other = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world, summary="Inny"))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    elsewhere = client.post(f"{V1}/firms", headers=headers, json={"name": "Firma", "nip": "5260250274"})
    assert elsewhere.status_code == 422  # same key on another route is another request
    assert count_records(client, world.tokens["staff"]) == 1


def test_duplicate_in_flight_gets_409(client, world, container):
    staff = UserStore(container.directory_db).get_by_email("staff@example.org")
    store = client.app.state.container.idempotency
    body = contact_body(world)
    request_print = fingerprint(WriteContext(store, "k-3", "POST", f"{V1}/contacts"), ContactIn.model_validate(body))
    assert store.claim(str(staff.id), "k-3", request_print).outcome is Outcome.PROCEED  # the first request, still running
    duplicate = client.post(f"{V1}/contacts", headers=auth(world.tokens["staff"], **{"Idempotency-Key": "k-3"}),
                            json=body)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "idempotency_in_flight"
    assert count_records(client, world.tokens["staff"]) == 0


def test_keys_are_scoped_per_user(client, world):
    key = {"Idempotency-Key": "shared-key"}
    mine = client.post(f"{V1}/contacts", headers=auth(world.tokens["staff"], **key), json=contact_body(world))
    theirs = client.post(f"{V1}/contacts", headers=auth(world.tokens["lead"], **key), json=contact_body(world))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_failed_write_releases_its_key(client, world):
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": "k-4"})
    failed = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world, occurred_on="2999-01-01"))
    assert failed.status_code == 422
    fixed = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world))
    assert fixed.status_code == 201 and REPLAYED_HEADER not in fixed.headers


def test_corrections_are_idempotent_too(client, world):
    staff = auth(world.tokens["staff"])
    record_id = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world)).json()["id"]
    body = {"expected_version": 1, "reason": "Opis", "changes": {"summary": "Poprawiony opis"}}
    headers = {**staff, "Idempotency-Key": "fix-1"}
    first = client.post(f"{V1}/records/{record_id}/corrections", headers=headers, json=body)
    retry = client.post(f"{V1}/records/{record_id}/corrections", headers=headers, json=body)
    assert first.status_code == retry.status_code == 200 and retry.json() == first.json()
    history = client.get(f"{V1}/records/{record_id}", headers=staff).json()["history"]
    assert [h["event_type"] for h in history] == ["created", "corrected"]
