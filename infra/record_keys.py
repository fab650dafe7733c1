"""The key store of records' free text (crypto-shredding, RODO art. 17): one random AES-256 key per record,
kept in the directory database, outside the event log, so that destroying it makes the record's text
unreadable in every copy of the log while the stored bytes — and so the audit chain — stay as they are.

- `record_keys`: key id (random), record id, the key (hex), created at. A record normally has one key; a
  record redacted and then corrected gets a new one for its later text (its earlier keys are gone).
- `record_redactions`: the records whose text was redacted, with the record's version at that moment, so
  that free text stored in plaintext before encryption existed (versions up to it) is shown redacted too
  (those bytes stay in the log: the log cannot be rewritten without breaking its chain).

Order of durability (`key_for_writing`): a record's key is committed in its own transaction before the
event that uses it is written (infra/field_cipher.py calls this from the mapper, which runs before the
event store's insert), so no committed event can name a key that was never committed; a key whose event
was then not saved is harmless. On SQLite every connection of this store has `secure_delete` on and a
destruction ends with `wal_checkpoint(TRUNCATE)`, so the key bytes are in no file (as for erased persons,
infra/person_directory.py). A backup of the directory taken before a redaction still holds the key:
restoring it brings the text back (docs/ARCHITECTURE.md, "Personal data").
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator
from uuid import UUID

log = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-256


@dataclass(frozen=True)
class RecordKeyring:
    """What decoding one record's events needs: its keys by id, and up to which version it was redacted."""

    keys: dict[str, bytes] = field(default_factory=dict)
    redacted_through: int | None = None  # None: never redacted


class RecordKeys:
    def __init__(self, db: Any) -> None:
        self.db = db
        with self._transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS record_keys (key_id TEXT PRIMARY KEY, record_id TEXT NOT NULL, "
                       "key_hex TEXT NOT NULL, created_at TEXT NOT NULL)")
            tx.execute("CREATE INDEX IF NOT EXISTS record_keys_by_record ON record_keys (record_id, created_at)")
            tx.execute("CREATE TABLE IF NOT EXISTS record_redactions (record_id TEXT PRIMARY KEY, "
                       "through_version INTEGER NOT NULL, redacted_at TEXT NOT NULL)")

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Any]:
        with self.db.transaction(write=write) as tx:
            if tx.dialect == "sqlite":
                tx.execute("PRAGMA secure_delete=ON")
            yield tx

    # ------------------------------------------------------------------ writing
    def key_for_writing(self, record_id: UUID | str) -> tuple[str, bytes]:
        """(key id, key) to encrypt the record's next text with: its newest key, or a new one committed now."""
        record = str(record_id)
        with self._transaction() as tx:
            rows = tx.execute("SELECT key_id, key_hex FROM record_keys WHERE record_id = ? "
                              "ORDER BY created_at DESC, key_id LIMIT 1", (record,))
        if rows:
            return rows[0]["key_id"], bytes.fromhex(rows[0]["key_hex"])
        key_id, key = uuid.uuid4().hex, os.urandom(KEY_BYTES)
        with self._transaction(write=True) as tx:  # committed before the event that uses it is written
            tx.execute("INSERT INTO record_keys (key_id, record_id, key_hex, created_at) VALUES (?, ?, ?, ?)",
                       (key_id, record, key.hex(), datetime.now(timezone.utc).isoformat()))
        return key_id, key

    # ------------------------------------------------------------------ reading
    def keyring(self, record_id: UUID | str) -> RecordKeyring:
        record = str(record_id)
        with self._transaction() as tx:
            keys = tx.execute("SELECT key_id, key_hex FROM record_keys WHERE record_id = ?", (record,))
            redacted = tx.execute("SELECT through_version FROM record_redactions WHERE record_id = ?", (record,))
        return RecordKeyring({r["key_id"]: bytes.fromhex(r["key_hex"]) for r in keys},
                             redacted[0]["through_version"] if redacted else None)

    def is_redacted(self, record_id: UUID | str) -> bool:
        with self._transaction() as tx:
            return bool(tx.execute("SELECT 1 AS x FROM record_redactions WHERE record_id = ?", (str(record_id),)))

    # ------------------------------------------------------------------ shredding
    def destroy(self, record_id: UUID | str, *, through_version: int) -> None:
        """Deletes every key of the record (their bytes zeroed) and marks it redacted up to `through_version`,
        then checkpoints and truncates the write-ahead log."""
        record = str(record_id)
        with self._transaction(write=True) as tx:
            tx.execute("DELETE FROM record_keys WHERE record_id = ?", (record,))
            tx.execute("INSERT INTO record_redactions (record_id, through_version, redacted_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (record_id) DO UPDATE SET through_version = excluded.through_version, "
                       "redacted_at = excluded.redacted_at",
                       (record, through_version, datetime.now(timezone.utc).isoformat()))
        checkpoint(self.db)


def checkpoint(db: Any, *, attempts: int = 50) -> bool:
    """`wal_checkpoint(TRUNCATE)` of a SQLite file database (nothing to do elsewhere): the page versions that
    held erased bytes leave the write-ahead log. True when the log is empty afterwards."""
    if getattr(db, "dialect", None) != "sqlite" or "mode=memory" in getattr(db, "uri", ""):
        return True
    connection = sqlite3.connect(db.uri, uri=True, isolation_level=None, timeout=30)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        for _ in range(attempts):
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(0.05)  # a reader still holds an older snapshot: its transactions are short
        return False
    finally:
        connection.close()


class TextShredder:
    """The use cases' `RecordTexts` port (domain/ports.py): the key store, and after a redaction the read
    models brought up to the log (their handlers drop the text: projections/redaction.py) and the write-ahead
    logs of the views and the directory checkpointed and truncated."""

    def __init__(self, keys: RecordKeys, views: Any, runner: Any) -> None:
        self.keys, self.views, self.runner = keys, views, runner

    def redacted_through(self, record_id: UUID) -> int | None:
        return self.keys.keyring(record_id).redacted_through

    def destroy(self, record_id: UUID, *, through_version: int) -> None:
        self.keys.destroy(record_id, through_version=through_version)

    def settle(self) -> None:
        self.runner.ensure_current()
        for db in (self.views, self.keys.db):
            if not checkpoint(db):
                log.warning("A write-ahead log could not be truncated after a redaction; it will be at the next "
                            "checkpoint")
