"""Idempotency keys for API writes, kept in the event log with the write itself and scoped per user.

A client that retries a write with the same `Idempotency-Key` must not record twice, whatever happened
to the first attempt (issue 11, defect 2):

- same key, same request fingerprint, recorded -> the first answer again (same status, same body);
- same key, different fingerprint              -> refused (the client reused a key by mistake);
- same key, nothing recorded (the first failed, or the server died before its commit) -> the write
  runs now, once;
- two requests with the same key at the same time: one save wins, the other is answered with its outcome.

The key is a `domain.idempotency.IdempotencyKey` aggregate saved in the write's own transaction, so a
crash can leave the write and its key both stored or neither: never a key "in flight" for hours, never
a write without its key. A key expires `ttl_hours` after its last use: then the same key may name a
new request (recorded as `UsedAgain`); within that time it always answers as the first time.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any, Iterator
from uuid import UUID

import eventsourcing.domain
from eventsourcing.application import AggregateNotFoundError

from domain.idempotency import IdempotencyKey, PendingKey, pending_key


class Outcome(Enum):
    PROCEED = "proceed"  # not recorded (or expired): run the write inside `store.pending(claim)`
    REPLAY = "replay"  # recorded with the same request: answer as the first time
    MISMATCH = "mismatch"  # the key names a different request


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    user_id: str
    key: str
    fingerprint: str
    status_code: int | None = None
    result_id: UUID | None = None
    result_version: int | None = None
    notification_id: int | None = None  # the log position the first answer gave
    result_event: Any = None  # the event the write ended with (a face reads its answer's details from it)
    existing: IdempotencyKey | None = None  # an expired key, to be used again


class IdempotencyStore:
    def __init__(self, app: Any, *, ttl_hours: int = 24) -> None:
        self.app = app
        self.ttl = timedelta(hours=ttl_hours)

    def claim(self, user_id: str, key: str, fingerprint: str) -> Claim:
        try:
            stored: IdempotencyKey = self.app.repository.get(IdempotencyKey.id_for(user_id, key))
        except AggregateNotFoundError:
            return Claim(Outcome.PROCEED, user_id, key, fingerprint)
        if eventsourcing.domain.datetime_now_with_tzinfo() - stored.used_at > self.ttl:  # the events' clock
            return Claim(Outcome.PROCEED, user_id, key, fingerprint, existing=stored)
        if stored.fingerprint != fingerprint:
            return Claim(Outcome.MISMATCH, user_id, key, fingerprint)
        result_event = next(iter(self.app.events.get(stored.result_id, gt=stored.result_version - 1,
                                                     lte=stored.result_version)), None)
        return Claim(Outcome.REPLAY, user_id, key, fingerprint, status_code=stored.status_code,
                     result_id=stored.result_id, result_version=stored.result_version,
                     notification_id=notification_id_of(self.app.recorder, stored.id, stored.version),
                     result_event=result_event)

    @contextmanager
    def pending(self, claim: Claim, status_code: int) -> Iterator[PendingKey]:
        """Runs a write so that its save records the key too (see `Splot._save`)."""
        with pending_key(PendingKey(claim.user_id, claim.key, claim.fingerprint, status_code,
                                    existing=claim.existing)) as pending:
            yield pending


def notification_id_of(recorder: Any, originator_id: UUID, version: int) -> int | None:
    """The log position of one stored event, by its aggregate id and version (the store's unique key)."""
    table = getattr(recorder, "events_table_name", None)
    if hasattr(recorder, "_stored_events_index"):  # in memory (POPO): notification id = list index + 1
        index = recorder._stored_events_index.get(str(originator_id), {}).get(version)
        return None if index is None else index + 1
    if type(recorder).__module__.startswith("eventsourcing.postgres") or "Postgres" in type(recorder).__name__:
        from psycopg.sql import SQL, Identifier

        statement = SQL("SELECT notification_id FROM {}.{} WHERE originator_id = %s AND originator_version = %s"
                        ).format(Identifier(recorder.datastore.schema), Identifier(table))
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (originator_id, version))
            row = curs.fetchone()
        return None if row is None else row["notification_id"]
    with recorder.datastore.transaction(commit=False) as c:  # SQLite: notification id = rowid
        c.execute(f"SELECT rowid FROM {table} WHERE originator_id = ? AND originator_version = ?",
                  (originator_id.hex, version))
        row = c.fetchone()
    return None if row is None else row[0]
