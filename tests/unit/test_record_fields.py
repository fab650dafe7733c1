"""A record's fields stored without the values its row's columns hold (issue 13) read back key for key."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from domain.record_kinds import RECORD_KINDS
from projections.record_fields import pack_fields, record_fields

KINDS = sorted(str(getattr(k, "value", k)) for k in RECORD_KINDS)
field_values = st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 5), st.lists(st.text(max_size=3), max_size=2))


def _row(kind: str, fields: dict, **columns) -> dict:
    """A register row as the projection writes it: the columns copy the fields that are text."""
    spec = RECORD_KINDS[kind]
    row = {"kind": kind, "network_id": fields.get("network_id"), "occurred_on": fields.get("occurred_on"),
           "title": fields.get(spec.title_field), "subkind": fields.get(spec.subkind_field), **columns}
    row["fields_json"] = pack_fields(kind, fields, row)
    return row


@settings(max_examples=60)
@given(st.sampled_from(KINDS), st.dictionaries(st.sampled_from(
    ["network_id", "occurred_on", "title", "summary", "subject", "channel", "kind", "notes", "person_ids"]),
    field_values, max_size=9))
def test_fields_read_back_as_they_went_in(kind, fields):
    assert record_fields(_row(kind, fields)) == fields


def test_the_columns_values_are_left_out_of_the_json():
    fields = {"network_id": "n-1", "occurred_on": "2012-05-14", "subject": "Oferta", "channel": "email",
              "to_firm_ids": ["f-1"]}
    row = _row("information_exchange", fields)
    assert json.loads(row["fields_json"]) == {"to_firm_ids": ["f-1"]}
    assert record_fields(row) == fields


def test_a_field_whose_column_differs_stays_in_the_json():
    fields = {"network_id": "n-1", "occurred_on": "2012-05-14", "subject": "Oferta", "channel": "email"}
    row = _row("information_exchange", fields, title="[usunięto]")  # the title column redacted, the field not
    assert json.loads(row["fields_json"])["subject"] == "Oferta"
    assert record_fields(row) == fields


def test_a_records_creation_entry_leaves_its_network_and_owner_to_its_columns():
    from projections.base import creation_columns, pack_changes, unpack_changes

    changes = [{"field": f, "old": None, "new": v} for f, v in
               (("network_id", "n-1"), ("occurred_on", "2012-05-14"), ("owner_institution_id", "i-1"))]
    entry = {"event_type": "Record.MeetingHeld", "network_id": "n-1", "owner_institution_id": "i-1"}
    stored = pack_changes(changes, creation_columns(entry))
    assert json.loads(stored) == {"occurred_on": "2012-05-14"}
    assert unpack_changes(stored, creation_columns(entry)) == changes
    other = {**entry, "event_type": "Record.Corrected"}  # any other entry keeps every field
    assert creation_columns(other) is None
    assert unpack_changes(pack_changes(changes, creation_columns(other))) == changes
