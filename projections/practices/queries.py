"""Questions answered by the good-practice library's index."""

from __future__ import annotations

import json
from typing import Any, Collection

from projections.base import Tx


def list_practices(tx: Tx, network_ids: Collection[str]) -> list[dict[str, Any]]:
    """The practices published to the networks and not withdrawn, newest year first, tags as a list."""
    rows: list[dict[str, Any]] = []
    for network_id in network_ids:
        rows += tx.execute("SELECT * FROM practices WHERE network_id = ? AND withdrawn = 0", (network_id,))
    for row in rows:
        row["tags"] = json.loads(row["tags"])
    return sorted(rows, key=lambda r: (-r["year"], r["title"], r["id"]))
