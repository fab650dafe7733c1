"""Records' free text is stored sealed under a key per record (infra/field_cipher.py, infra/record_keys.py):
the stored bytes never hold it, everything above the store reads it back, a destroyed key decodes to the
redacted marker, and plaintext stored before the cipher existed still decodes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from domain.application import DEFAULT_NETWORK_ID
from domain.privacy import REDACTED_TEXT
from domain.records import Record
from infra.container import bootstrap, build_container
from infra.field_cipher import SEALED, FieldCipherMapper
from infra.settings import Settings
from infra.verify import verify_log
from tests.support.world import build_world

SECRET = "Rozmowa z Bożydarem Kwiatkowskim o targach"
MINUTES = "Protokół: Bożydar Kwiatkowski przedstawił ofertę"
ACTION = "Bożydar wyśle cennik"
REASON = "RODO: Bożydar Kwiatkowski poprosił o poprawkę"


@pytest.fixture
def store(tmp_path):
    container = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    yield container, world
    container.close()


def _stored(container, record_id) -> list[StoredEvent]:
    return list(container.app.events.recorder.select_events(record_id))


def _meeting(container, world) -> object:
    coordinator = container.users.get_by_email("coordinator@example.org")
    return container.use_cases.records.record(coordinator, "meeting", {
        "occurred_on": date(2013, 3, 1), "title": "Spotkanie z Bożydarem", "kind": "network_meeting",
        "organiser_id": world.riph, "institution_ids": [world.citt], "topic": "Targi", "minutes": MINUTES,
        "follow_ups": [{"action": ACTION, "due_on": date(2013, 4, 1), "institution_id": world.riph}]}).id


def test_free_text_is_sealed_in_the_log_and_read_back_in_plaintext(store):
    container, world = store
    coordinator = container.users.get_by_email("coordinator@example.org")
    meeting = _meeting(container, world)
    saved = container.use_cases.records.correct(coordinator, meeting, expected_version=1,
                                                changes={"minutes": SECRET}, reason=REASON)
    stored = _stored(container, meeting)
    assert [s.originator_version for s in stored] == [1, 2]
    for event in stored:
        for needle in ("Bożydar", "Bo\\u017cydar", "Kwiatkowski", "cennik"):
            assert needle.encode() not in event.state, (event.originator_version, needle)
    created = json.loads(stored[0].state)
    assert set(created["fields"]["minutes"]) == {SEALED} and set(created["fields"]["title"]) == {SEALED}
    assert set(created["fields"]["follow_ups"][0]["action"]) == {SEALED}
    assert created["fields"]["kind"] == "network_meeting"  # only free text is sealed
    assert set(json.loads(stored[1].state)["reason"]) == {SEALED}

    record = container.app.repository.get(meeting)
    assert record.fields["minutes"] == SECRET and record.fields["follow_ups"][0]["action"] == ACTION
    view = container.use_cases.records.view(coordinator, meeting)  # the read models: plaintext too
    assert saved.version == 2 and view.record.fields["minutes"] == SECRET
    assert REASON in repr(view.history) and MINUTES in repr(view.history)
    rows, _ = container.use_cases.records.register(coordinator, limit=10)
    assert any(r.get("title") == "Spotkanie z Bożydarem" for r in rows)


def test_a_destroyed_key_decodes_to_the_marker_and_the_chain_still_verifies(store):
    container, world = store
    meeting = _meeting(container, world)
    before = [(s.originator_version, s.state) for s in _stored(container, meeting)]
    keys = container.app.mapper.keys
    assert not keys.is_redacted(meeting)
    container.use_cases.privacy.texts.destroy(meeting, through_version=1)  # the keys the log names, too
    assert keys.is_redacted(meeting)
    assert [(s.originator_version, s.state) for s in _stored(container, meeting)] == before  # bytes unchanged
    record = container.app.repository.get(meeting)
    assert record.fields["minutes"] == REDACTED_TEXT and record.fields["title"] == REDACTED_TEXT
    assert record.fields["follow_ups"][0]["action"] == REDACTED_TEXT
    assert record.fields["kind"] == "network_meeting" and record.fields["institution_ids"] == [world.citt]
    assert verify_log(container.app.recorder).ok
    # A correction after the redaction gets a new key: its text reads back, the earlier stays redacted.
    coordinator = container.users.get_by_email("coordinator@example.org")
    container.use_cases.records.correct(coordinator, meeting, expected_version=1, changes={"topic": "Nowy temat"},
                                        reason="uzupełnienie")
    record = container.app.repository.get(meeting)
    assert record.fields["topic"] == "Nowy temat" and record.fields["minutes"] == REDACTED_TEXT


def test_plaintext_stored_before_the_cipher_decodes_and_is_redacted_by_version(store):
    container, world = store
    coordinator = container.users.get_by_email("coordinator@example.org")
    plain = type(container.app.mapper).__mro__[1](transcoder=container.app.mapper.transcoder)  # the library's Mapper
    record = Record.create("contact", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 4, 2), "institution_id": world.riph,
        "with_institution_id": world.citt, "channel": "phone", "summary": SECRET}, coordinator.actor)
    events = record.collect_events()
    container.app.recorder.insert_events([plain.to_stored_event(e) for e in events])
    stored = _stored(container, record.id)
    assert SECRET.encode() in stored[0].state  # as an older version stored it
    assert container.app.repository.get(record.id).fields["summary"] == SECRET
    container.use_cases.privacy.texts.destroy(record.id, through_version=1)
    assert container.app.repository.get(record.id).fields["summary"] == REDACTED_TEXT


def test_a_sealed_value_moved_to_another_field_does_not_open(store):
    container, world = store
    meeting = _meeting(container, world)
    stored = _stored(container, meeting)[0]
    state = json.loads(stored.state)
    state["fields"]["topic"] = state["fields"]["minutes"]  # the same ciphertext under another path
    moved = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    assert isinstance(container.app.mapper, FieldCipherMapper)
    with pytest.raises(MapperDeserialisationError, match="does not open"):
        container.app.mapper.to_domain_event(moved)


def test_a_key_is_committed_before_it_is_used_and_never_reused_once_destroyed(store):
    """Keys are made in batches (one transaction each); another process that destroyed a record's key is heard:
    this one then seals the record's next text under a fresh key, not the destroyed one."""
    container, _world = store
    from infra.record_keys import RecordKeys

    mine, other = container.app.mapper.keys, RecordKeys(container.directory_db, pool_size=3)
    record = "0f0e0d0c-0000-4000-8000-000000000001"
    key_id, key = mine.key_for_writing(record)
    assert other.keyring(record, [key_id]).keys == {key_id: key}  # committed: another connection reads it
    assert mine.key_for_writing(record) == (key_id, key)  # the same record keeps its key
    other.destroy(record, through_version=1, key_ids=[key_id])
    fresh_id, fresh = mine.key_for_writing(record)
    assert fresh_id != key_id and fresh != key
    assert other.keyring(record, [key_id, fresh_id]).keys == {fresh_id: fresh}
    given = [other.key_for_writing(f"0f0e0d0c-0000-4000-8000-00000000010{i}")[0] for i in range(5)]
    assert len(set(given)) == 5  # two batches of three: every record its own key
