"""Idempotency keys for API writes, stored in the directory database and scoped per user.

A client that retries a write with the same `Idempotency-Key` must not record twice:

- same key, same request fingerprint, finished  -> the first response is replayed;
- same key, different fingerprint               -> refused (the client reused a key by mistake);
- same key while the first request still runs   -> refused as a conflict (retry later).

A request that fails (a domain error: nothing was recorded) releases its key, so a corrected
retry with the same key can go through. Keys older than `ttl_hours` are forgotten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any


class Outcome(Enum):
    PROCEED = "proceed"  # first time: run the write, then `complete` or `release`
    REPLAY = "replay"  # finished before with the same request: answer with the stored response
    MISMATCH = "mismatch"  # the key was used for a different request
    IN_FLIGHT = "in_flight"  # the first request with this key has not finished yet


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    status_code: int | None = None
    body: Any = None


class IdempotencyStore:
    def __init__(self, db, *, ttl_hours: int = 24) -> None:
        self.db = db
        self.ttl = timedelta(hours=ttl_hours)
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_idempotency ("
                       "user_id TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
                       "state TEXT NOT NULL, status_code INTEGER, response_json TEXT, created_at TEXT NOT NULL, "
                       "PRIMARY KEY (user_id, idem_key))")

    def claim(self, user_id: str, key: str, fingerprint: str) -> Claim:
        now = datetime.now(timezone.utc)
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM directory_idempotency WHERE created_at < ?", ((now - self.ttl).isoformat(),))
            inserted = tx.execute(
                "INSERT INTO directory_idempotency (user_id, idem_key, fingerprint, state, created_at) "
                "VALUES (?, ?, ?, 'in_flight', ?) ON CONFLICT (user_id, idem_key) DO NOTHING RETURNING idem_key",
                (user_id, key, fingerprint, now.isoformat()))
            if inserted:
                return Claim(Outcome.PROCEED)
            row = tx.execute("SELECT * FROM directory_idempotency WHERE user_id = ? AND idem_key = ?",
                             (user_id, key))[0]
        if row["fingerprint"] != fingerprint:
            return Claim(Outcome.MISMATCH)
        if row["state"] == "in_flight":
            return Claim(Outcome.IN_FLIGHT)
        return Claim(Outcome.REPLAY, row["status_code"], json.loads(row["response_json"]))

    def complete(self, user_id: str, key: str, status_code: int, body: Any) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_idempotency SET state = 'done', status_code = ?, response_json = ? "
                       "WHERE user_id = ? AND idem_key = ?", (status_code, json.dumps(body), user_id, key))

    def release(self, user_id: str, key: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM directory_idempotency WHERE user_id = ? AND idem_key = ? AND state = 'in_flight'",
                       (user_id, key))
