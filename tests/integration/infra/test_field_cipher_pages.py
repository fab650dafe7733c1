"""Decoding a page of stored events (infra/field_cipher.py `to_domain_events`, what the projection runner
calls): the key store is asked once per page, not once per record event, the page decodes exactly as one
event at a time does, and nothing is cached between calls — a key destroyed (in any process) after one
page is not used by the next."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.privacy import REDACTED_TEXT
from infra.container import bootstrap, build_container
from infra.record_keys import RecordKeys
from infra.settings import Settings
from tests.support.world import build_world


@pytest.fixture
def store(tmp_path):
    container = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    coordinator = container.users.get_by_email("coordinator@example.org")
    meetings = [container.use_cases.records.record(coordinator, "meeting", {
        "occurred_on": date(2013, 3, day), "title": f"Spotkanie {day}", "kind": "network_meeting",
        "organiser_id": world.riph, "institution_ids": [world.citt], "topic": "Targi",
        "minutes": f"Protokół {day}"}).id for day in (1, 2, 3)]
    yield container, meetings
    container.close()


def _page(container):
    return container.app.recorder.select_notifications(start=1, limit=10_000)


def _fields(events, meetings) -> dict[str, dict]:
    """record id -> the fields of its creation event, for the meetings made here."""
    wanted = {str(m) for m in meetings}
    return {str(e.originator_id): e.fields for e in events if str(e.originator_id) in wanted and hasattr(e, "fields")}


def _counting(keys: RecordKeys, calls: list[str]):
    one, many = keys.keyring, keys.keyrings
    keys.keyring = lambda *a, **k: (calls.append("one"), one(*a, **k))[1]  # type: ignore[method-assign]
    keys.keyrings = lambda *a, **k: (calls.append("many"), many(*a, **k))[1]  # type: ignore[method-assign]


def test_a_page_asks_the_key_store_once_and_decodes_as_one_event_at_a_time(store):
    container, meetings = store
    mapper, page = container.app.mapper, _page(container)
    one_by_one = [vars(mapper.to_domain_event(n)) for n in page]
    calls: list[str] = []
    _counting(mapper.keys, calls)
    decoded = mapper.to_domain_events(page)
    assert calls == ["many"]
    assert [vars(e) for e in decoded] == one_by_one
    titles = _fields(decoded, meetings)
    assert [titles[str(m)]["title"] for m in meetings] == ["Spotkanie 1", "Spotkanie 2", "Spotkanie 3"]


def test_a_key_destroyed_by_another_process_after_a_page_is_not_used_for_the_next(store):
    container, meetings = store
    mapper, page = container.app.mapper, _page(container)
    assert _fields(mapper.to_domain_events(page), meetings)[str(meetings[1])]["minutes"] == "Protokół 2"
    elsewhere = RecordKeys(container.directory_db)  # another process's key store over the same directory
    record = meetings[1]
    elsewhere.destroy(record, through_version=1, key_ids=mapper.key_ids(container.app.recorder.select_events(record)))
    after = _fields(mapper.to_domain_events(page), meetings)
    assert after[str(record)]["minutes"] == REDACTED_TEXT and after[str(record)]["title"] == REDACTED_TEXT
    assert after[str(meetings[0])]["minutes"] == "Protokół 1"  # the others' keys are untouched
