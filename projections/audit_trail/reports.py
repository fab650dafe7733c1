"""The report a year closing freezes: every task's tables as known at the end of the closing day, and the
list of that year's records (id and version) they were computed from.

Computed from the read models and handed to the domain (`Splot.years.close_year`), which numbers it and stores
it with its hash. Recomputing it later with the same `as_of` gives the same report, which is how an
auditor reproduces a published version.

The tasks are those of the strategy that measures the network (a year closes per network): the one
named, or else the first strategy started for that network as known on `as_of` (none: no tasks).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.base import Tx, end_of_warsaw_day
from projections.indicator_values.facts import strategies_of_network, visible
from projections.indicator_values.queries import list_tasks, task_report


def year_report(tx: Tx, *, network_id: str, year: int, as_of: date, strategy_id: str | None = None) -> dict[str, Any]:
    bound = end_of_warsaw_day(as_of)
    if strategy_id is None:
        strategy_id = next(iter(strategies_of_network(tx, str(network_id), bound)), None)
    condition, params = visible("", bound)
    records = tx.execute(
        f"SELECT record_id, version, kind, owner_institution_id FROM activity_versions "
        f"WHERE network_id = ? AND year = ? AND {condition} ORDER BY record_id", [str(network_id), year, *params])
    return {
        "year": year,
        "network_id": str(network_id),
        "as_of": as_of.isoformat(),
        "tasks": {} if strategy_id is None else {
            t["code"]: task_report(tx, t["code"], strategy_id=strategy_id, as_of=as_of)
            for t in list_tasks(tx, strategy_id=strategy_id)},
        "records": {r["record_id"]: {"version": r["version"], "kind": r["kind"],
                                     "owner_institution_id": r["owner_institution_id"]} for r in records},
    }
