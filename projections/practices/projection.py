"""`practices`: one row per good practice (its network, city, institution, title, description, tags, year,
how many documents, withdrawn or not), for the library's list, search and filters."""

from __future__ import annotations

import json
from typing import Any

from domain.practices import Practice
from projections.base import Tx, recorded_at


class PracticesProjection:
    name = "practices"
    version = 1
    tables = ("practices",)

    def create_tables(self, tx: Tx) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS practices ("
                   "id TEXT PRIMARY KEY, network_id TEXT NOT NULL, municipality_id TEXT NOT NULL, "
                   "institution_id TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, "
                   "tags TEXT NOT NULL, year INTEGER NOT NULL, documents INTEGER NOT NULL, "
                   "presentations INTEGER NOT NULL, withdrawn INTEGER NOT NULL, version INTEGER NOT NULL, "
                   "published_at TEXT NOT NULL)")

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        oid = str(event.originator_id)
        if isinstance(event, Practice.Published):
            tx.execute(
                "INSERT INTO practices (id, network_id, municipality_id, institution_id, title, description, tags, "
                "year, documents, presentations, withdrawn, version, published_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)",
                (oid, str(event.network_id), str(event.municipality_id), str(event.institution_id), event.title,
                 event.description, json.dumps(event.tags, ensure_ascii=False), event.year,
                 event.originator_version, recorded_at(event.timestamp)))
            return
        if isinstance(event, Practice.Revised):
            tx.execute("UPDATE practices SET title = ?, description = ?, tags = ?, year = ? WHERE id = ?",
                       (event.title, event.description, json.dumps(event.tags, ensure_ascii=False), event.year, oid))
        elif isinstance(event, Practice.DocumentAttached):
            tx.execute("UPDATE practices SET documents = documents + 1 WHERE id = ?", (oid,))
        elif isinstance(event, Practice.DocumentRemoved):
            tx.execute("UPDATE practices SET documents = documents - 1 WHERE id = ?", (oid,))
        elif isinstance(event, Practice.PresentationLinked):
            tx.execute("UPDATE practices SET presentations = presentations + 1 WHERE id = ?", (oid,))
        elif isinstance(event, Practice.Withdrawn):
            tx.execute("UPDATE practices SET withdrawn = 1 WHERE id = ?", (oid,))
        else:
            return
        tx.execute("UPDATE practices SET version = ? WHERE id = ?", (event.originator_version, oid))
