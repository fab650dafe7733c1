"""What the register and the audit trail store, encoded more cheaply (issue 13): `plain` gives what the JSON
round trip it replaces gave, and an audit entry's changes read back as they were before they were packed."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from enum import Enum
from uuid import UUID

from hypothesis import given, settings, strategies as st

from projections.audit_trail.projection import diff
from projections.base import pack_changes, plain, to_json, unpack_changes


class Colour(str, Enum):
    RED = "red"


leaves = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.text(max_size=8),
                   st.floats(allow_nan=False), st.uuids(), st.dates(), st.sampled_from([Colour.RED]),
                   st.datetimes(timezones=st.just(timezone.utc)))
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner, inner), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=40)
@given(values)
def test_plain_is_the_json_round_trip(value):
    assert plain(value) == json.loads(to_json(value))
    assert to_json(plain(value)) == to_json(value)


@settings(max_examples=40)
@given(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=6),
       st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=6))
def test_changes_read_back_as_the_diff(old, new):
    old, new = plain(old), plain(new)
    for changes in (diff({}, new), diff(old, new), []):
        assert unpack_changes(pack_changes(changes)) == changes


def test_a_creation_is_stored_as_its_fields_and_a_correction_as_the_list():
    created = diff({}, {"title": "Spotkanie", "year": 2013, "gone": None})
    assert json.loads(pack_changes(created)) == {"title": "Spotkanie", "year": 2013}
    corrected = diff({"title": "A"}, {"title": "B"})
    assert json.loads(pack_changes(corrected)) == [{"field": "title", "new": "B", "old": "A"}]
    assert plain({"id": UUID(int=1), "on": date(2013, 1, 2), "at": datetime(2013, 1, 2, tzinfo=timezone.utc)}) == {
        "id": "00000000-0000-0000-0000-000000000001", "on": "2013-01-02", "at": "2013-01-02T00:00:00+00:00"}
