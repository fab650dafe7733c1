"""Questions auditors ask of the audit trail: entries by user, institution, record, kind, recorded time and
network (paged), and a record's full history with diffs. Each change names its field and carries the
field's label from the domain's catalogue (`domain.labels`, Polish as the API has always shown it); the
CSV export lives with the other exports (`infra/exports/audit.py`).

Scoping: `network_ids` (None = no filter, for operators) keeps the entries of those networks; with it,
`municipality_ids` adds the entries of those municipalities' own aggregate (which belong to no network).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Callable, Collection

from domain.labels import field_label
from domain.values import WARSAW
from projections.base import Tx, creation_columns, decode_cursor, encode_cursor, recorded_at, unpack_changes

ChainLookup = Callable[[list[int]], dict[int, str]]  # positions -> chain hash (supplied by infra)
_SCOPE_COLUMNS = ("network_id", "municipality_id")  # for filtering; rows keep the shape the API documents


def _time_bound(value: datetime | date | str | None) -> str | None:
    """A recorded-time bound as stored text; a date means the start of that day in Warsaw."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=WARSAW)
    if value.tzinfo is None:
        raise ValueError("recorded-time bounds must carry a time zone")
    return recorded_at(value)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    changes = unpack_changes(row["changes_json"], creation_columns(row))
    row = {k: v for k, v in row.items() if k not in _SCOPE_COLUMNS and k != "changes_json"}
    row["changes"] = [{**c, "label": field_label(c["field"]).pl} for c in changes]
    return row


def _scope(network_ids: Collection[str] | None, municipality_ids: Collection[str] | None) -> tuple[str, list[Any]]:
    """SQL condition keeping the entries of `network_ids` and of the municipalities `municipality_ids`.
    `network_ids` None: no condition (an operator sees everything); empty collections match nothing."""
    if network_ids is None:
        return "", []
    parts, params = [], []
    for column, values in (("network_id", network_ids), ("municipality_id", municipality_ids)):
        values = sorted({str(v) for v in values or ()})
        if values:
            parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += values
    return (" AND (" + " OR ".join(parts) + ")") if parts else " AND 1=0", params


def audit_entries(
    tx: Tx,
    *,
    user: str | None = None,
    institution_id: str | None = None,
    record_id: str | None = None,
    kind: str | None = None,
    recorded_from: datetime | date | str | None = None,
    recorded_to: datetime | date | str | None = None,
    network_ids: Collection[str] | None = None,
    municipality_ids: Collection[str] | None = None,
    cursor: str | None = None,
    limit: int = 100,
    chain_lookup: ChainLookup | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries in log order. `recorded_from` is inclusive, `recorded_to` exclusive. Returns (rows, next_cursor).

    `institution_id` matches the institution the user acted for or the record's owner institution;
    `network_ids` / `municipality_ids` scope the trail (see the module docstring).
    """
    scope, params = _scope(network_ids, municipality_ids)
    sql = "SELECT * FROM audit_entries WHERE 1=1" + scope
    for column, value in (("user_id", user), ("record_id", record_id), ("kind", kind)):
        if value:
            sql += f" AND {column} = ?"
            params.append(str(value))
    if institution_id:
        sql += " AND (institution_id = ? OR owner_institution_id = ?)"
        params += [str(institution_id), str(institution_id)]
    if recorded_from is not None:
        sql += " AND recorded_at >= ?"
        params.append(_time_bound(recorded_from))
    if recorded_to is not None:
        sql += " AND recorded_at < ?"
        params.append(_time_bound(recorded_to))
    if cursor:
        sql += " AND position > ?"
        params.append(decode_cursor(cursor, "audit", int)[0])
    sql += " ORDER BY position LIMIT ?"
    params.append(limit + 1)
    rows = [_row(r) for r in tx.execute(sql, params)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("audit", rows[-1]["position"])
    attach_chain_hashes(rows, chain_lookup)
    return rows, next_cursor


def attach_chain_hashes(rows: list[dict[str, Any]], chain_lookup: ChainLookup | None) -> None:
    """Each row gets `chain_hash` (None where the store keeps no chain, e.g. in memory)."""
    hashes = chain_lookup([r["position"] for r in rows]) if chain_lookup is not None else {}
    for row in rows:
        row["chain_hash"] = hashes.get(row["position"])


def record_history(tx: Tx, record_id: str, *, network_ids: Collection[str] | None = None,
                   municipality_ids: Collection[str] | None = None,
                   chain_lookup: ChainLookup | None = None) -> list[dict[str, Any]]:
    """Every version of a record, oldest first: who, when, why, what changed (old -> new) and the fields after it.
    Empty when the record is outside `network_ids` (None = any network)."""
    scope, params = _scope(network_ids, municipality_ids)
    rows = [_row(r) for r in tx.execute(
        f"SELECT * FROM audit_entries WHERE record_id = ?{scope} ORDER BY version", [str(record_id), *params])]
    fields: dict[str, Any] = {}
    retracted = False
    for row in rows:
        for change in row["changes"]:
            fields[change["field"]] = change["new"]
        retracted = retracted or row["event_type"] == "Record.Retracted"
        row["fields_after"] = dict(fields)
        row["retracted"] = retracted
    attach_chain_hashes(rows, chain_lookup)
    return rows
