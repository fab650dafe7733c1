"""The audit trail read model: entries filtered and paged, record histories with diffs, CSV with chain hashes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from infra.audit_chain import chain_lookup
from infra.container import bootstrap, build_container
from infra.exports.audit import entries_csv
from projections.audit_trail.queries import audit_entries, record_history
from projections.base import BadCursor
from tests.support import audit as helpers


@pytest.fixture
def world(container):
    return helpers.populate(container.app, records=12)


def all_entries(container, **filters):
    container.runner.catch_up()
    rows, cursor = [], None
    with container.views.transaction() as tx:
        while True:
            page, cursor = audit_entries(tx, cursor=cursor, limit=7, **filters)
            rows += page
            if cursor is None:
                return rows


def test_every_stored_event_has_one_entry_in_log_order(container, world):
    rows = all_entries(container)
    assert [r["position"] for r in rows] == list(range(1, container.app.recorder.max_notification_id() + 1))
    kinds = {r["kind"] for r in rows}
    assert {"municipality", "network", "institution", "firm", "contact"} <= kinds


def test_filters_by_user_institution_record_kind_and_time(container, world):
    everything = all_entries(container)
    by_staff = all_entries(container, user=world["staff"].user_id)
    assert by_staff and all(r["user_id"] == world["staff"].user_id for r in by_staff)
    assert len(by_staff) == sum(1 for r in everything if r["user_id"] == world["staff"].user_id)
    by_institution = all_entries(container, institution_id=str(world["wpir"]))
    assert {r["kind"] for r in by_institution} == {"contact"}
    record = str(world["records"][0])
    assert [r["version"] for r in all_entries(container, record_id=record)] == [1, 2]
    assert all(r["kind"] == "firm" for r in all_entries(container, kind="firm"))
    assert len(all_entries(container, kind="firm")) == 5
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert all_entries(container, recorded_from=future) == []
    assert len(all_entries(container, recorded_to=future)) == len(everything)
    assert all_entries(container, recorded_to=date(2000, 1, 1)) == []


def test_bad_cursor_is_refused(container, world):
    with container.views.transaction() as tx, pytest.raises(BadCursor):
        audit_entries(tx, cursor="not-a-cursor")


def test_record_history_shows_who_when_why_and_old_to_new(container, world):
    app, staff = container.app, world["staff"]
    record_id = world["records"][0]  # corrected once by populate (summary)
    app.records.correct_record(record_id=record_id, expected_version=2, reason="Zła data",
                               changes={"occurred_on": date(2012, 5, 6)}, actor=staff)
    app.records.retract_record(record_id=record_id, expected_version=3, reason="Kontakt się nie odbył", actor=staff)
    container.runner.catch_up()
    with container.views.transaction() as tx:
        history = record_history(tx, str(record_id))
    assert [h["version"] for h in history] == [1, 2, 3, 4]
    assert [h["event_type"] for h in history] == ["Record.ContactEstablished", "Record.Corrected",
                                                  "Record.Corrected", "Record.Retracted"]
    assert all(h["user_id"] == staff.user_id and h["recorded_at"] for h in history)
    assert history[1]["changes"] == [{"field": "summary", "old": "Kontakt 0", "new": "Kontakt nr 0", "label": "Opis"}]
    assert history[2]["reason"] == "Zła data"
    assert history[2]["changes"] == [{"field": "occurred_on", "old": "2009-01-01", "new": "2012-05-06",
                                      "label": "Data zdarzenia"}]
    assert history[2]["fields_after"]["occurred_on"] == "2012-05-06"
    assert history[3]["retracted"] and not history[2]["retracted"] and history[3]["changes"] == []


def test_csv_export_carries_the_chain_hash_of_each_entry(sqlite_settings):
    container = build_container(sqlite_settings)
    try:
        bootstrap(container)
        helpers.populate(container.app, records=3)
        container.runner.catch_up()
        lookup = chain_lookup(container.app.recorder)
        with container.views.transaction() as tx:
            rows, _ = audit_entries(tx, limit=1000, chain_lookup=lookup)
        chain = {link.notification_id: link.hash for link in container.app.recorder.read_chain(0, 1000)}
        text = entries_csv(rows)
    finally:
        container.close()
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed[0][0] == "Pozycja" and len(parsed) == len(rows) + 1 == len(chain) + 1
    assert {int(line[0]): line[-1] for line in parsed[1:]} == chain
    corrected = [line for line in parsed[1:] if line[8] == "Record.Corrected"]
    assert corrected and corrected[0][9] == "Literówka w opisie" and "→" in corrected[0][10]
