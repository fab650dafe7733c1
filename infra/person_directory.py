"""The person directory: contact persons' names, e-mails, phones and positions, outside the event log.

Events refer to persons only by opaque id. Erasing a person (RODO art. 17) deletes their row: nothing of
them stays here but the id and the time, in `directory_erased_persons`, so that the records naming them
keep their references (a correction of such a record still checks) and every count stays the same; the
faces show "osoba usunięta / erased person" for that id. On SQLite every connection this directory uses
has `secure_delete` on (set here, not left to the build's default: freed pages are zeroed), and after an
erasure the write-ahead log is checkpointed and truncated, so the deleted bytes are in no file of the
store. Who may list, edit and erase persons is decided by the use cases (domain/use_cases/people.py,
privacy.py), not here.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Collection, Iterator
from uuid import UUID

from domain.errors import NotFound, bilingual
from domain.values import check_text

log = logging.getLogger(__name__)

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
    created_at: str | None = None
    updated_at: str | None = None


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def _text(value: UUID | None) -> str | None:
    return str(value) if value else None


def _person(r: dict) -> Person:
    return Person(UUID(r["id"]), r["name"], r["email"], r["phone"], _uuid(r["institution_id"]), r["erased_at"],
                  _uuid(r["firm_id"]), r["position"], r["created_at"], r["updated_at"])


class PersonDirectory:
    def __init__(self, db) -> None:
        self.db = db
        with self._transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_persons ("
                       "id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, institution_id TEXT, "
                       "created_at TEXT NOT NULL, erased_at TEXT, firm_id TEXT, position TEXT, updated_at TEXT)")
            tx.execute("CREATE TABLE IF NOT EXISTS directory_erased_persons (id TEXT PRIMARY KEY, erased_at TEXT NOT NULL)")
            self._add_later_columns(tx)
            # Erasures from before rows were deleted (the row blanked, its id kept) become tombstones.
            tx.execute("INSERT INTO directory_erased_persons (id, erased_at) SELECT id, erased_at FROM directory_persons "
                       "WHERE erased_at IS NOT NULL AND id NOT IN (SELECT id FROM directory_erased_persons)")
            tx.execute("DELETE FROM directory_persons WHERE erased_at IS NOT NULL")

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Any]:
        """A transaction of the directory database with `secure_delete` on for its connection (SQLite)."""
        with self.db.transaction(write=write) as tx:
            if tx.dialect == "sqlite":
                tx.execute("PRAGMA secure_delete=ON")
            yield tx

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
        with self._transaction(write=True) as tx:
            tx.execute("INSERT INTO directory_persons (id, name, email, phone, institution_id, created_at, firm_id, "
                       "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (str(person_id), name, email, phone, _text(institution_id),
                        datetime.now(timezone.utc).isoformat(), _text(firm_id), position))
        return person_id

    def exists(self, person_id: UUID) -> bool:
        """A person of the directory, or one erased: records naming an erased person stay valid."""
        with self._transaction() as tx:
            return bool(tx.execute("SELECT 1 AS x FROM directory_persons WHERE id = ? UNION ALL "
                                   "SELECT 1 AS x FROM directory_erased_persons WHERE id = ?",
                                   (str(person_id), str(person_id))))

    def erased_ids(self, person_ids: Collection[str] | None = None) -> set[str]:
        """The erased persons among `person_ids` (all of them when None)."""
        with self._transaction() as tx:
            if person_ids is None:
                rows = tx.execute("SELECT id FROM directory_erased_persons")
            else:
                ids = sorted({str(i) for i in person_ids})
                if not ids:
                    return set()
                rows = tx.execute(f"SELECT id FROM directory_erased_persons WHERE id IN ({', '.join('?' for _ in ids)})",
                                  ids)
        return {r["id"] for r in rows}

    def get(self, person_id: UUID) -> Person:
        with self._transaction() as tx:
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
        with self._transaction() as tx:
            rows = tx.execute(f"SELECT * FROM directory_persons WHERE erased_at IS NULL AND ({' OR '.join(clauses)}) "
                              "ORDER BY lower(name), id", params)
        return [_person(r) for r in rows]

    def update(self, person_id: UUID, *, name: str, email: str | None, phone: str | None, position: str | None,
               institution_id: UUID | None, firm_id: UUID | None) -> None:
        """Replaces the person's details (the id stays: records that name them are unchanged)."""
        self.get(person_id)
        name = check_text(name, field="name", max_length=200)
        with self._transaction(write=True) as tx:
            tx.execute("UPDATE directory_persons SET name = ?, email = ?, phone = ?, position = ?, institution_id = ?, "
                       "firm_id = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL",
                       (name, email, phone, position, _text(institution_id), _text(firm_id),
                        datetime.now(timezone.utc).isoformat(), str(person_id)))

    def erase(self, person_id: UUID) -> None:
        """RODO erasure: the row deleted (its bytes zeroed), the id kept as erased (records and counts unchanged),
        then the write-ahead log checkpointed and truncated."""
        self.get(person_id)
        with self._transaction(write=True) as tx:
            tx.execute("DELETE FROM directory_persons WHERE id = ?", (str(person_id),))
            tx.execute("INSERT INTO directory_erased_persons (id, erased_at) VALUES (?, ?)",
                       (str(person_id), datetime.now(timezone.utc).isoformat()))
        self.checkpoint()

    def checkpoint(self, *, attempts: int = 50) -> bool:
        """Copies the write-ahead log into the database file and truncates it (SQLite files only), so that
        the page versions that held erased data are in no file. True when the log is empty afterwards."""
        if getattr(self.db, "dialect", None) != "sqlite" or "mode=memory" in getattr(self.db, "uri", ""):
            return True
        connection = sqlite3.connect(self.db.uri, uri=True, isolation_level=None, timeout=30)
        try:
            connection.execute("PRAGMA secure_delete=ON")
            for _ in range(attempts):
                busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
                time.sleep(0.05)  # a reader still holds an older snapshot: its transactions are short
            log.warning("The directory's write-ahead log could not be truncated after an erasure; it will be "
                        "at the next checkpoint")
            return False
        finally:
            connection.close()
