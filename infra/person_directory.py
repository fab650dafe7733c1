"""The person directory: contact persons' names, e-mails and phones, outside the event log.

Events refer to persons only by opaque id. Erasing a person blanks their personal data here and
keeps the id, so every record and every count that mentions them stays the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from domain.errors import NotFound, bilingual
from domain.values import check_text


@dataclass(frozen=True)
class Person:
    id: UUID
    name: str | None
    email: str | None
    phone: str | None
    institution_id: UUID | None
    erased_at: str | None


class PersonDirectory:
    def __init__(self, db) -> None:
        self.db = db
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_persons ("
                       "id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, institution_id TEXT, "
                       "created_at TEXT NOT NULL, erased_at TEXT)")

    def add(self, *, name: str, email: str | None = None, phone: str | None = None,
            institution_id: UUID | None = None) -> UUID:
        person_id = uuid.uuid4()
        name = check_text(name, field="name", max_length=200)
        with self.db.transaction(write=True) as tx:
            tx.execute("INSERT INTO directory_persons (id, name, email, phone, institution_id, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (str(person_id), name, email, phone, str(institution_id) if institution_id else None,
                        datetime.now(timezone.utc).isoformat()))
        return person_id

    def exists(self, person_id: UUID) -> bool:
        with self.db.transaction() as tx:
            return bool(tx.execute("SELECT 1 AS x FROM directory_persons WHERE id = ?", (str(person_id),)))

    def get(self, person_id: UUID) -> Person:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT * FROM directory_persons WHERE id = ?", (str(person_id),))
        if not rows:
            raise NotFound(bilingual(f"Nie ma osoby o identyfikatorze {person_id}.", f"No person with id {person_id}."),
                           field="person_id")
        r = rows[0]
        return Person(UUID(r["id"]), r["name"], r["email"], r["phone"],
                      UUID(r["institution_id"]) if r["institution_id"] else None, r["erased_at"])

    def erase(self, person_id: UUID) -> None:
        """GDPR erasure: personal data gone, id kept (records and counts unchanged)."""
        self.get(person_id)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_persons SET name = NULL, email = NULL, phone = NULL, erased_at = ? "
                       "WHERE id = ?", (datetime.now(timezone.utc).isoformat(), str(person_id)))
