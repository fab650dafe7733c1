"""Idempotency-Key rules over HTTP: replay, mismatch, a racing duplicate, expiry, per-user scope, failed writes
(crashes: test_idempotency_crash.py)."""

from __future__ import annotations

from datetime import timedelta

from api.writes import REPLAYED_HEADER
from domain.idempotency import IdempotencyKey
from infra.idempotency import Claim, IdempotencyStore, Outcome
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


def test_a_duplicate_racing_the_first_gets_its_answer_and_records_nothing(client, world, container, monkeypatch):
    """Two requests with one key looked it up before either was saved: the second's save fails on the key's
    unique version, nothing of it is stored, and it answers with the first's outcome (no 409 to wait out)."""
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": "k-3"})
    first = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world))
    log_after_first = container.runner.log_position()
    looked_up = []
    real_claim = IdempotencyStore.claim

    def claim_looked_up_before_the_first_was_saved(self, user_id, key, request_print):
        looked_up.append(key)
        if len(looked_up) == 1:
            return Claim(Outcome.PROCEED, user_id, key, request_print)
        return real_claim(self, user_id, key, request_print)

    monkeypatch.setattr(IdempotencyStore, "claim", claim_looked_up_before_the_first_was_saved)
    second = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world))
    assert len(looked_up) == 2  # ran, lost the race on the key, looked again
    assert first.status_code == second.status_code == 201 and second.json() == first.json()
    assert second.headers.get(REPLAYED_HEADER) == "true"
    assert container.runner.log_position() == log_after_first
    assert count_records(client, world.tokens["staff"]) == 1


def test_a_key_expires_24_hours_after_its_last_use(client, world, container):
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": "k-old"})
    assert client.post(f"{V1}/contacts", headers=headers, json=contact_body(world)).status_code == 201
    assert client.post(f"{V1}/contacts", headers=headers, json=contact_body(world, summary="Inny")).status_code == 422
    container.idempotency.ttl = timedelta(seconds=-1)  # as if a day had passed
    reused = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world, summary="Inny"))
    assert reused.status_code == 201 and REPLAYED_HEADER not in reused.headers
    container.idempotency.ttl = timedelta(hours=24)
    replay = client.post(f"{V1}/contacts", headers=headers, json=contact_body(world, summary="Inny"))
    assert replay.json() == reused.json() and replay.headers.get(REPLAYED_HEADER) == "true"
    assert count_records(client, world.tokens["staff"]) == 2


def test_the_key_is_saved_in_the_writes_own_transaction(client, world, container):
    staff = UserStore(container.directory_db).get_by_email("staff@example.org")
    response = client.post(f"{V1}/contacts", headers=auth(world.tokens["staff"], **{"Idempotency-Key": "k-tx"}),
                           json=contact_body(world))
    key = container.app.repository.get(IdempotencyKey.id_for(str(staff.id), "k-tx"))
    assert (str(key.result_id), key.result_version, key.status_code) == (response.json()["id"], 1, 201)
    last = container.app.recorder.select_notifications(start=response.json()["notification_id"], limit=1)[0]
    assert last.originator_id == key.id  # the answer's position is the key's event, saved with the record


def test_a_publication_replays_its_number(client, world, container):
    headers = auth(world.tokens["coordinator"], **{"Idempotency-Key": "pub-1"})
    first = client.post(f"{V1}/strategy/tasks/III.1.3/publications", headers=headers, json={"title": "Raport"})
    retry = client.post(f"{V1}/strategy/tasks/III.1.3/publications", headers=headers, json={"title": "Raport"})
    assert first.status_code == retry.status_code == 201, first.text
    assert retry.json() == first.json() and "number" in first.json()
    assert retry.headers.get(REPLAYED_HEADER) == "true"


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
