"""Server-side sessions of the web pages, kept in the directory database (outside the event log).

The browser holds only a random token (256 bits) in a `__Host-` cookie; the store keeps its SHA-256,
the user, the session's CSRF token, and when it started and was last used. A session ends when the user
signs out, when it has been idle for `idle` or alive for `absolute`, or when its user is disabled
(`get` joins the user and requires them active; `UserStore.disable` also calls `end_all_for`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from uuid import UUID

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)  # a working day
SEEN_GRANULARITY = timedelta(minutes=1)  # how stale `last_seen_at` may be (the idle clock is 30 minutes)


@dataclass(frozen=True)
class WebSession:
    token: str  # only in the browser's cookie; never stored
    user_id: UUID
    csrf_token: str
    second_factor_pending: bool  # password checked, TOTP code still to give


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SessionStore:
    def __init__(self, db, *, clock: Callable[[], datetime] = _utc_now, idle: timedelta = IDLE_TIMEOUT,
                 absolute: timedelta = ABSOLUTE_TIMEOUT) -> None:
        self.db = db
        self.clock = clock
        self.idle = idle
        self.absolute = absolute
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS web_sessions ("
                       "token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf_token TEXT NOT NULL, "
                       "second_factor_pending INTEGER NOT NULL, started_at TEXT NOT NULL, last_seen_at TEXT NOT NULL)")

    def start(self, user_id: UUID, *, second_factor_pending: bool = False) -> WebSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock().isoformat()
        with self.db.transaction(write=True) as tx:
            tx.execute("INSERT INTO web_sessions (token_hash, user_id, csrf_token, second_factor_pending, started_at, "
                       "last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (_hash(token), str(user_id), csrf, int(second_factor_pending), now, now))
        return WebSession(token, user_id, csrf, second_factor_pending)

    def get(self, token: str | None) -> WebSession | None:
        """The live session of an active user, its idle clock restarted; None when it has ended."""
        if not token or len(token) > 100:
            return None
        now = self.clock()
        with self.db.transaction(write=True) as tx:
            rows = tx.execute("SELECT s.* FROM web_sessions s JOIN directory_users u ON u.id = s.user_id "
                              "WHERE s.token_hash = ? AND u.active = 1", (_hash(token),))
            if not rows:
                return None
            row = rows[0]
            started, seen = datetime.fromisoformat(row["started_at"]), datetime.fromisoformat(row["last_seen_at"])
            if now - seen > self.idle or now - started > self.absolute:
                tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))
                return None
            if now - seen > SEEN_GRANULARITY:  # not a write on every page view: a minute is precise enough
                tx.execute("UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?",
                           (now.isoformat(), _hash(token)))
        return WebSession(token, UUID(row["user_id"]), row["csrf_token"], bool(row["second_factor_pending"]))

    def second_factor_given(self, session: WebSession) -> WebSession:
        """A new session (new token) once the second factor is given: the pre-TOTP token is not reused."""
        self.end(session.token)
        return self.start(session.user_id)

    def end(self, token: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))

    def end_all_for(self, user_id: UUID) -> int:
        with self.db.transaction(write=True) as tx:
            count = len(tx.execute("SELECT token_hash FROM web_sessions WHERE user_id = ?", (str(user_id),)))
            tx.execute("DELETE FROM web_sessions WHERE user_id = ?", (str(user_id),))
        return count
