"""Questions answered by the activity register."""

from __future__ import annotations

from typing import Any, Collection

from projections.record_fields import record_fields
from projections.base import Tx, decode_cursor, encode_cursor

CURSOR_TAG = "register"


def list_records(
    tx: Tx,
    *,
    institution_id: str | None = None,
    kind: str | None = None,
    year: int | None = None,
    network_id: str | None = None,
    network_ids: Collection[str] | None = None,
    firm_id: str | None = None,
    text: str | None = None,
    include_retracted: bool = True,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest business date first. Returns (rows, next_cursor)."""
    sql = "SELECT r.* FROM activity_records r WHERE 1=1"
    params: list[Any] = []
    if institution_id:
        sql += (" AND EXISTS (SELECT 1 FROM activity_parties p WHERE p.record_id = r.record_id "
                "AND p.version = (SELECT MAX(v.version) FROM activity_versions v WHERE v.record_id = r.record_id) "
                "AND p.party_type = 'institution' AND p.party_id = ?)")
        params.append(institution_id)
    if firm_id:
        sql += (" AND EXISTS (SELECT 1 FROM activity_parties p WHERE p.record_id = r.record_id "
                "AND p.version = (SELECT MAX(v.version) FROM activity_versions v WHERE v.record_id = r.record_id) "
                "AND p.party_type = 'firm' AND p.party_id = ?)")
        params.append(firm_id)
    if text:  # the record's title (or summary, subject), any case
        sql += " AND lower(r.title) LIKE ? ESCAPE '\\'"
        params.append("%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if kind:
        sql += " AND r.kind = ?"
        params.append(kind)
    if year:
        sql += " AND r.year = ?"
        params.append(year)
    if network_id:
        sql += " AND r.network_id = ?"
        params.append(network_id)
    if network_ids is not None:  # a municipality's networks; an empty list matches nothing
        sql += f" AND r.network_id IN ({', '.join('?' for _ in network_ids) or 'NULL'})"
        params += list(network_ids)
    if not include_retracted:
        sql += " AND r.status = 'active'"
    if cursor:
        occurred_on, record_id = decode_cursor(cursor, CURSOR_TAG, str, str)
        sql += " AND (r.occurred_on < ? OR (r.occurred_on = ? AND r.record_id > ?))"
        params += [occurred_on, occurred_on, record_id]
    sql += " ORDER BY r.occurred_on DESC, r.record_id ASC LIMIT ?"
    params.append(limit + 1)
    rows = tx.execute(sql, params)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(CURSOR_TAG, rows[-1]["occurred_on"], rows[-1]["record_id"])
    for row in rows:
        row["fields"] = record_fields(row)
        del row["fields_json"]
    return rows, next_cursor


def get_record_row(tx: Tx, record_id: str) -> dict[str, Any] | None:
    rows = tx.execute("SELECT * FROM activity_records WHERE record_id = ?", (record_id,))
    if not rows:
        return None
    row = rows[0]
    row["fields"] = record_fields(row)
    del row["fields_json"]
    return row


def count_records(tx: Tx) -> int:
    return tx.execute("SELECT COUNT(*) AS n FROM activity_records")[0]["n"]
