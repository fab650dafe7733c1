"""Questions to the investor service's read model. `QUERIES` names each one: the `ReadModels` port reaches
them through one method (`investor_service(query, **params)`), so the port grows by one line, not twelve."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable, Collection

from projections.base import Tx
from projections.investor_service.indicators import indicators

Row = dict[str, Any]


def _in(values: Collection[str]) -> tuple[str, list[str]]:
    values = list(values)
    return (", ".join("?" for _ in values) or "NULL"), values


def _inquiry_row(row: Row) -> Row:
    row["sectors"] = json.loads(row.pop("sectors_json"))
    row["needs"] = json.loads(row.pop("needs_json"))
    row["site_ids"] = json.loads(row.pop("site_ids_json"))
    return row


def inquiries(tx: Tx, *, network_ids: Collection[str]) -> list[Row]:
    marks, params = _in(network_ids)
    rows = tx.execute(f"SELECT * FROM investor_inquiries WHERE network_id IN ({marks}) "
                      "ORDER BY received_on DESC, codename, id", params)
    return [_inquiry_row(r) for r in rows]


def inquiry(tx: Tx, *, inquiry_id: str) -> Row | None:
    rows = tx.execute("SELECT * FROM investor_inquiries WHERE id = ?", (inquiry_id,))
    return _inquiry_row(rows[0]) if rows else None


def _site_row(tx: Tx, row: Row) -> Row:
    row["utilities"] = [u for u in row["utilities"].split(",") if u]
    for column in ("latitude", "longitude"):
        row[column] = float(row[column]) if row[column] is not None else None
    row["shared_with"] = [r["network_id"] for r in tx.execute(
        "SELECT network_id FROM investor_site_shares WHERE site_id = ? ORDER BY network_id", (row["id"],))]
    return row


def sites(tx: Tx, *, own_network_ids: Collection[str], shared_network_ids: Collection[str]) -> list[Row]:
    """The sites of the own networks, and those of others shared with one of `shared_network_ids`."""
    own, own_params = _in(own_network_ids)
    shared, shared_params = _in(shared_network_ids)
    rows = tx.execute(f"SELECT * FROM investor_sites WHERE network_id IN ({own}) OR id IN (SELECT site_id FROM "
                      f"investor_site_shares WHERE network_id IN ({shared})) ORDER BY name, id",
                      [*own_params, *shared_params])
    return [_site_row(tx, r) for r in rows]


def site(tx: Tx, *, site_id: str) -> Row | None:
    rows = tx.execute("SELECT * FROM investor_sites WHERE id = ?", (site_id,))
    return _site_row(tx, rows[0]) if rows else None


def site_photos(tx: Tx, *, site_id: str) -> list[Row]:
    return tx.execute("SELECT * FROM investor_site_photos WHERE site_id = ? ORDER BY seq", (site_id,))


def site_history(tx: Tx, *, site_id: str) -> list[Row]:
    rows = tx.execute("SELECT * FROM investor_site_history WHERE site_id = ? ORDER BY version DESC", (site_id,))
    for row in rows:
        row["changes"] = json.loads(row.pop("changes_json"))
    return rows


def trainings(tx: Tx, *, network_ids: Collection[str]) -> list[Row]:
    marks, params = _in(network_ids)
    return tx.execute(f"SELECT * FROM investor_trainings WHERE removed = 0 AND network_id IN ({marks}) "
                      "ORDER BY held_on DESC, id", params)


def standard(tx: Tx, *, municipality_id: str) -> Row | None:
    rows = tx.execute("SELECT * FROM investor_standards WHERE municipality_id = ?", (municipality_id,))
    return rows[0] if rows else None


def yearly_indicators(tx: Tx, *, network_ids: Collection[str], as_of: date) -> list[Any]:
    marks, params = _in(network_ids)
    rows = tx.execute("SELECT received_on, due_on, answered_on, outcome, decided_on, site_ids_json "
                      f"FROM investor_inquiries WHERE network_id IN ({marks})", params)
    return indicators(rows, as_of=as_of)


QUERIES: dict[str, Callable[..., Any]] = {
    "inquiries": inquiries, "inquiry": inquiry, "sites": sites, "site": site, "site_photos": site_photos,
    "site_history": site_history, "trainings": trainings, "standard": standard,
    "yearly_indicators": yearly_indicators,
}
