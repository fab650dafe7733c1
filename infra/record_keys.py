"""The key store of records' free text (crypto-shredding, RODO art. 17): random AES-256 keys in the directory
database, outside the event log, so that destroying a record's keys makes its text unreadable in every copy of
the log while the stored bytes — and so the audit chain — stay as they are.

- `record_keys`: key id (random), the key (hex), created at, and the record it was given to (filled in
  lazily, see below). A sealed value names its key id (infra/field_cipher.py), so decoding looks keys up by
  id and never needs the record column.
- `record_redactions`: the records whose text was redacted, with the record's version at that moment, so that
  free text stored in plaintext before encryption existed (versions up to it) is shown redacted too (those
  bytes stay in the log: the log cannot be rewritten without breaking its chain).

Order of durability: every key is committed before an event that uses it is written. Keys are made in
batches (`POOL_SIZE` in one transaction, so a record's write does not pay a second fsync for its key): a
process takes a fresh key from its batch for a record with none; which record got it is written with the next
batch (a key with no record, or no event at all, is harmless). The record column is therefore not the
authority on which keys a record has: the log is — `destroy` deletes the keys the record's stored events name
(`TextShredder` reads them) as well as those the column gives. A key is checked to still exist before it
is reused, so a process never seals new text under a key another process destroyed.

On SQLite every connection of this store has `secure_delete` on and a destruction ends with
`wal_checkpoint(TRUNCATE)`, so the key bytes are in no file (as for erased persons, infra/person_directory.py).
A backup of the directory taken before a redaction still holds the key: restoring it brings the text back
(docs/ARCHITECTURE.md, "Personal data").
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Collection, Iterable, Iterator
from uuid import UUID

log = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-256
POOL_SIZE = 64  # keys made per transaction


@dataclass(frozen=True)
class RecordKeyring:
    """What decoding one record's event needs: the keys it names, by id, and up to which version it was redacted."""

    keys: dict[str, bytes] = field(default_factory=dict)
    redacted_through: int | None = None  # None: never redacted


class RecordKeys:
    def __init__(self, db: Any, *, pool_size: int = POOL_SIZE) -> None:
        self.db = db
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._pool: list[tuple[str, bytes]] = []  # committed keys not yet given to a record
        self._given: dict[str, tuple[str, bytes]] = {}  # record -> key given since the last batch (not yet written)
        self._new: dict[str, tuple[str, bytes]] = {}  # record with no event yet -> its committed key (a bulk import)
        with self._transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS record_keys (key_id TEXT PRIMARY KEY, record_id TEXT, "
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
        """(key id, key) to seal the record's next text with: the one it was given (if it still exists), or a
        committed fresh one."""
        record = str(record_id)
        with self._lock:
            new = self._new.pop(record, None)
            given = self._given.get(record)
        if new is not None:  # made by `keys_for_new_records`: no event names the record yet, so no one destroyed it
            return new
        if given is not None and self._exists(given[0]):
            return given
        with self._transaction() as tx:
            rows = tx.execute("SELECT key_id, key_hex FROM record_keys WHERE record_id = ? "
                              "ORDER BY created_at DESC, key_id LIMIT 1", (record,))
        if rows:
            return rows[0]["key_id"], bytes.fromhex(rows[0]["key_hex"])
        with self._lock:
            if not self._pool:
                self._make_batch()
            key = self._pool.pop()
            self._given[record] = key
        return key

    def keys_for_new_records(self, record_ids: Iterable[UUID | str]) -> None:
        """A fresh key for each of these records, which have no event yet (a batch of a bulk import), committed
        in one transaction with the record written beside it; `key_for_writing` then hands each out once without
        a query. A key whose record is never saved (the batch failed) is harmless, as in `_make_batch`."""
        now = datetime.now(timezone.utc).isoformat()
        fresh = {str(record): (uuid.uuid4().hex, os.urandom(KEY_BYTES)) for record in record_ids}
        with self._transaction(write=True) as tx:
            tx.executemany("INSERT INTO record_keys (key_id, record_id, key_hex, created_at) VALUES (?, ?, ?, ?)",
                           [(key_id, record, key.hex(), now) for record, (key_id, key) in fresh.items()])
        with self._lock:
            self._new.update(fresh)

    def _make_batch(self) -> None:
        """Commits a batch of fresh keys (and writes which records the last batch's keys went to). Under the lock."""
        now = datetime.now(timezone.utc).isoformat()
        fresh = [(uuid.uuid4().hex, os.urandom(KEY_BYTES)) for _ in range(self.pool_size)]
        given = [(key_id, record) for record, (key_id, _key) in self._given.items()]
        with self._transaction(write=True) as tx:
            tx.executemany("INSERT INTO record_keys (key_id, record_id, key_hex, created_at) VALUES (?, NULL, ?, ?)",
                           [(key_id, key.hex(), now) for key_id, key in fresh])
            tx.executemany("UPDATE record_keys SET record_id = ? WHERE key_id = ? AND record_id IS NULL",
                           [(record, key_id) for key_id, record in given])
        self._pool = fresh
        self._given = {}

    def _exists(self, key_id: str) -> bool:
        with self._transaction() as tx:
            return bool(tx.execute("SELECT 1 AS x FROM record_keys WHERE key_id = ?", (key_id,)))

    # ------------------------------------------------------------------ reading
    def keyring(self, record_id: UUID | str, key_ids: Collection[str]) -> RecordKeyring:
        ids = sorted(set(key_ids))
        with self._transaction() as tx:
            keys = tx.execute(f"SELECT key_id, key_hex FROM record_keys WHERE key_id IN ({', '.join('?' for _ in ids)})",
                              ids) if ids else []
            redacted = tx.execute("SELECT through_version FROM record_redactions WHERE record_id = ?",
                                  (str(record_id),))
        return RecordKeyring({r["key_id"]: bytes.fromhex(r["key_hex"]) for r in keys},
                             redacted[0]["through_version"] if redacted else None)

    def keyrings(self, wanted: dict[str, Collection[str]]) -> dict[str, RecordKeyring]:
        """`keyring` for many records in one transaction (a page being decoded): record id -> the key ids its
        events name. Nothing is kept after the call, so a key destroyed meanwhile is not read from a cache."""
        ids = sorted({k for named in wanted.values() for k in named})
        records = sorted(wanted)
        keys: dict[str, bytes] = {}
        redacted: dict[str, int] = {}
        with self._transaction() as tx:
            for chunk in _chunks(ids):
                for r in tx.execute("SELECT key_id, key_hex FROM record_keys WHERE key_id IN "
                                    f"({', '.join('?' for _ in chunk)})", chunk):
                    keys[r["key_id"]] = bytes.fromhex(r["key_hex"])
            for chunk in _chunks(records):
                for r in tx.execute("SELECT record_id, through_version FROM record_redactions WHERE record_id IN "
                                    f"({', '.join('?' for _ in chunk)})", chunk):
                    redacted[r["record_id"]] = r["through_version"]
        return {record: RecordKeyring({k: keys[k] for k in named if k in keys}, redacted.get(record))
                for record, named in wanted.items()}

    def redacted_through(self, record_id: UUID | str) -> int | None:
        with self._transaction() as tx:
            rows = tx.execute("SELECT through_version FROM record_redactions WHERE record_id = ?", (str(record_id),))
        return rows[0]["through_version"] if rows else None

    def is_redacted(self, record_id: UUID | str) -> bool:
        return self.redacted_through(record_id) is not None

    # ------------------------------------------------------------------ shredding
    def destroy(self, record_id: UUID | str, *, through_version: int, key_ids: Iterable[str] = ()) -> None:
        """Deletes the record's keys — those its stored events name (`key_ids`) and those given to it — with
        their bytes zeroed, marks it redacted up to `through_version`, then checkpoints and truncates the WAL."""
        record = str(record_id)
        ids = sorted(set(key_ids))
        with self._lock:
            self._given.pop(record, None)
        with self._transaction(write=True) as tx:
            tx.execute("DELETE FROM record_keys WHERE record_id = ?", (record,))
            if ids:
                tx.execute(f"DELETE FROM record_keys WHERE key_id IN ({', '.join('?' for _ in ids)})", ids)
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
    """The use cases' `RecordTexts` port (domain/ports.py): destroys a record's keys — those its stored events
    name (`key_ids_of(record_id)`, read from the log) and those given to it — then, to settle, brings the read
    models up to the log (their handlers drop the text: projections/redaction.py) and checkpoints and
    truncates the write-ahead logs of the views and the directory."""

    def __init__(self, keys: RecordKeys, views: Any, runner: Any, key_ids_of: Callable[[UUID], set[str]]) -> None:
        self.keys, self.views, self.runner, self.key_ids_of = keys, views, runner, key_ids_of

    def redacted_through(self, record_id: UUID) -> int | None:
        return self.keys.redacted_through(record_id)

    def destroy(self, record_id: UUID, *, through_version: int) -> None:
        self.keys.destroy(record_id, through_version=through_version, key_ids=self.key_ids_of(record_id))

    def settle(self) -> None:
        self.runner.ensure_current()
        for db in (self.views, self.keys.db):
            if not checkpoint(db):
                log.warning("A write-ahead log could not be truncated after a redaction; it will be at the next "
                            "checkpoint")


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    """Slices of `values` short enough for one statement's parameters (SQLite allows 999 in old builds)."""
    for i in range(0, len(values), size):
        yield values[i:i + size]
