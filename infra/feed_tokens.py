"""The calendar feeds' per-user secret (issue 14), kept in the directory database (outside the event log).

A calendar app fetches a feed without a session, so its address carries a random token (256 bits). The
store keeps only the token's SHA-256 (a random token of that size needs no slow hash; the lookup is by
hash), the user and when it was issued: one token per user, replaced when the user asks for a new one and
gone when they revoke it. The token is accepted by the feed routes alone: it is neither a session nor an
API token, and the feed use cases act as its user, so it shows only what that user may see of the calendar.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone
from uuid import UUID


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class FeedTokenStore:
    def __init__(self, db) -> None:
        self.db = db
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS calendar_feed_tokens ("
                       "user_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, issued_at TEXT NOT NULL)")

    def issue(self, user_id: UUID) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc).isoformat()
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM calendar_feed_tokens WHERE user_id = ?", (str(user_id),))
            tx.execute("INSERT INTO calendar_feed_tokens (user_id, token_hash, issued_at) VALUES (?, ?, ?)",
                       (str(user_id), _hash(token), now))
        return token

    def revoke(self, user_id: UUID) -> bool:
        with self.db.transaction(write=True) as tx:
            found = tx.execute("SELECT 1 AS one FROM calendar_feed_tokens WHERE user_id = ?", (str(user_id),))
            tx.execute("DELETE FROM calendar_feed_tokens WHERE user_id = ?", (str(user_id),))
        return bool(found)

    def user_of(self, token: str) -> UUID | None:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT user_id FROM calendar_feed_tokens WHERE token_hash = ?", (_hash(token),))
        return UUID(rows[0]["user_id"]) if rows else None

    def issued_at(self, user_id: UUID) -> datetime | None:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT issued_at FROM calendar_feed_tokens WHERE user_id = ?", (str(user_id),))
        return datetime.fromisoformat(rows[0]["issued_at"]) if rows else None
