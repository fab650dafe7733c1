"""Questions answered by the calendar read model."""

from __future__ import annotations

from typing import Any, Collection

from projections.base import Tx
from projections.calendar.projection import event_row


def list_events(tx: Tx, *, network_ids: Collection[str], institution_id: str | None = None, kind: str | None = None,
                starts_from: str | None = None, starts_before: str | None = None) -> list[dict[str, Any]]:
    """Events of the networks, earliest first; `institution_id`: those it organises or is invited to;
    `starts_from` / `starts_before`: Warsaw wall-clock ISO bounds on the end / the start."""
    ids = list(network_ids)
    if not ids:
        return []
    sql = f"SELECT * FROM calendar_events e WHERE e.network_id IN ({', '.join('?' for _ in ids)})"
    params: list[Any] = list(ids)
    if institution_id:
        sql += (" AND (e.organiser_id = ? OR EXISTS (SELECT 1 FROM calendar_invited i "
                "WHERE i.institution_id = ? AND i.event_id = e.id))")
        params += [institution_id, institution_id]
    if kind:
        sql += " AND e.kind = ?"
        params.append(kind)
    if starts_from:
        sql += " AND e.ends_at >= ?"
        params.append(starts_from)
    if starts_before:
        sql += " AND e.starts_at < ?"
        params.append(starts_before)
    return [event_row(r) for r in tx.execute(sql + " ORDER BY e.starts_at, e.id", params)]


def get_event(tx: Tx, event_id: str) -> dict[str, Any] | None:
    rows = tx.execute("SELECT * FROM calendar_events WHERE id = ?", (event_id,))
    return event_row(rows[0]) if rows else None
