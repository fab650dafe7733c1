"""The person directory: contact persons' names, e-mails, phones and positions, outside the event log.

Events refer to persons only by opaque id. Erasing a person blanks their personal data here and
keeps the id, so every record and every count that mentions them stays the same. A person belongs to
an institution of the network (whose contact they are) and may work at a firm; who may list and edit
them is decided by the people use cases (domain/use_cases/people.py), not here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Collection
from uuid import UUID

from domain.errors import NotFound, bilingual
from domain.values import check_text

# Columns added after the table was first created: (name, SQL type). Older directories get them on start.
_LATER_COLUMNS = (("firm_id", "TEXT"), ("position", "TEXT"), ("updated_at", "TEXT"))


@dataclass(frozen=True)
class Person:
    id: UUID
    name: str | None
    email: str | None
    phone: str | None
    institution_id: UUID | None
    erased_at: str | None
    firm_id: UUID | None = None
    position: str | None = None


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def _text(value: UUID | None) -> str | None:
    return str(value) if value else None


def _person(r: dict) -> Person:
    return Person(UUID(r["id"]), r["name"], r["email"], r["phone"], _uuid(r["institution_id"]), r["erased_at"],
                  _uuid(r["firm_id"]), r["position"])


class PersonDirectory:
    def __init__(self, db) -> None:
        self.db = db
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_persons ("
                       "id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, institution_id TEXT, "
                       "created_at TEXT NOT NULL, erased_at TEXT, firm_id TEXT, position TEXT, updated_at TEXT)")
            self._add_later_columns(tx)

    @staticmethod
    def _add_later_columns(tx) -> None:
        """Directories written before persons had a firm and a position get the columns (empty)."""
        if tx.dialect == "sqlite":
            columns = {r["name"] for r in tx.execute("PRAGMA table_info(directory_persons)")}
        else:
            columns = {r["column_name"] for r in tx.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'directory_persons'")}
        for name, sql_type in _LATER_COLUMNS:
            if name not in columns:
                tx.execute(f"ALTER TABLE directory_persons ADD COLUMN {name} {sql_type}")

    def add(self, *, name: str, email: str | None = None, phone: str | None = None,
            institution_id: UUID | None = None, firm_id: UUID | None = None, position: str | None = None) -> UUID:
        person_id = uuid.uuid4()
        name = check_text(name, field="name", max_length=200)
        with self.db.transaction(write=True) as tx:
            tx.execute("INSERT INTO directory_persons (id, name, email, phone, institution_id, created_at, firm_id, "
                       "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (str(person_id), name, email, phone, _text(institution_id),
                        datetime.now(timezone.utc).isoformat(), _text(firm_id), position))
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
        return _person(rows[0])

    def list(self, *, institution_ids: Collection[str] = (), firm_ids: Collection[str] = ()) -> list[Person]:
        """The persons (not erased) who belong to one of the institutions or work at one of the firms, by name."""
        institution_ids, firm_ids = sorted(set(institution_ids)), sorted(set(firm_ids))
        clauses, params = [], []
        for column, ids in (("institution_id", institution_ids), ("firm_id", firm_ids)):
            if ids:
                clauses.append(f"{column} IN ({', '.join('?' for _ in ids)})")
                params.extend(ids)
        if not clauses:
            return []
        with self.db.transaction() as tx:
            rows = tx.execute(f"SELECT * FROM directory_persons WHERE erased_at IS NULL AND ({' OR '.join(clauses)}) "
                              "ORDER BY lower(name), id", params)
        return [_person(r) for r in rows]

    def update(self, person_id: UUID, *, name: str, email: str | None, phone: str | None, position: str | None,
               institution_id: UUID | None, firm_id: UUID | None) -> None:
        """Replaces the person's details (the id stays: records that name them are unchanged)."""
        self.get(person_id)
        name = check_text(name, field="name", max_length=200)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_persons SET name = ?, email = ?, phone = ?, position = ?, institution_id = ?, "
                       "firm_id = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL",
                       (name, email, phone, position, _text(institution_id), _text(firm_id),
                        datetime.now(timezone.utc).isoformat(), str(person_id)))

    def erase(self, person_id: UUID) -> None:
        """GDPR erasure: personal data gone, id kept (records and counts unchanged)."""
        self.get(person_id)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_persons SET name = NULL, email = NULL, phone = NULL, position = NULL, "
                       "erased_at = ? WHERE id = ?", (datetime.now(timezone.utc).isoformat(), str(person_id)))
