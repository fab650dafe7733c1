"""A record's fields as `activity_records.fields_json` keeps them: without the values its own columns already hold.

The network, the business date, the title and the subkind are columns of the row (the queries filter and sort
by them); keeping them in the JSON too doubled about 40 % of it (issue 13: the read models' size). `pack_fields`
leaves a field out only when the row's column holds exactly its value (text, not None), and `record_fields`
puts back only a field the JSON lacks and whose column is set — so what goes in comes out, key for key.
Every reader of `fields_json` goes through `record_fields`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

from domain.record_kinds import RECORD_KINDS


@lru_cache(maxsize=None)  # a handful of kinds; asked for every row written or read
def _column_of(kind: str) -> dict[str, str]:
    """field -> the `activity_records` column that holds the same value, for records of `kind`."""
    spec = RECORD_KINDS.get(kind)
    columns = {"network_id": "network_id", "occurred_on": "occurred_on"}
    if spec is not None:
        columns[spec.title_field] = "title"
        if spec.subkind_field:
            columns[spec.subkind_field] = "subkind"
    return columns


def pack_fields(kind: str, fields: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """The JSON to store for `fields` in a row whose columns are `row` (kind, network_id, title, ...)."""
    columns = _column_of(kind)
    kept = {name: value for name, value in fields.items()
            if not (name in columns and isinstance(value, str) and row.get(columns[name]) == value)}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields from a row with `fields_json` and the columns `pack_fields` relied on."""
    fields = json.loads(row["fields_json"])
    for name, column in _column_of(row["kind"]).items():
        if name not in fields and row.get(column) is not None:
            fields[name] = row[column]
    return dict(sorted(fields.items()))
