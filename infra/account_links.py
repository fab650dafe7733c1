"""One-time links with which a person sets their own password: a new account's first, or a new one an admin
issues after a forgotten password. Kept beside the users in the directory database (infra/users.py uses it).

The admin never learns the password: the link is shown once to the admin, who hands it over; the person
opens it and chooses a password. Only the link token's SHA-256 is stored (a random 256-bit secret needs no
slow hash); a link works once, only before it expires (`LIFETIME`), only for an active user, and issuing a
new link for a user ends the older ones. Unlike infra/setup_tokens.py (the first admin of an empty store,
with no account yet), a link here belongs to an existing account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from uuid import UUID

LIFETIME = timedelta(hours=72)  # long enough to reach someone over a weekend, short enough not to linger
LINK_PATH = "/konto/haslo/"


@dataclass(frozen=True)
class IssuedLink:
    token: str  # shown once, in the link; only its hash is stored
    expires_at: datetime  # UTC

    @property
    def path(self) -> str:
        return LINK_PATH + self.token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class AccountLinks:
    def __init__(self, db, *, clock: Callable[[], datetime] = _utc_now, lifetime: timedelta = LIFETIME) -> None:
        self.db = db
        self.clock = clock
        self.lifetime = lifetime
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_password_links ("
                       "token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, "
                       "expires_at TEXT NOT NULL, used_at TEXT)")

    def issue(self, tx, user_id: UUID) -> IssuedLink:
        """A new link for the user, in the caller's transaction; the user's unused older links stop working."""
        now = self.clock()
        tx.execute("DELETE FROM directory_password_links WHERE user_id = ? OR expires_at <= ?",
                   (str(user_id), now.isoformat()))
        token = secrets.token_urlsafe(32)
        expires = now + self.lifetime
        tx.execute("INSERT INTO directory_password_links (token_hash, user_id, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?)", (_hash(token), str(user_id), now.isoformat(), expires.isoformat()))
        return IssuedLink(token, expires)

    def live_user_id(self, tx, token: str) -> str | None:
        """The id of the active user whose live link this is, else None."""
        if not token or len(token) > 100:
            return None
        rows = tx.execute("SELECT l.user_id, l.expires_at FROM directory_password_links l "
                          "JOIN directory_users u ON u.id = l.user_id "
                          "WHERE l.token_hash = ? AND l.used_at IS NULL AND u.active = 1", (_hash(token),))
        if not rows or datetime.fromisoformat(rows[0]["expires_at"]) <= self.clock():
            return None
        return rows[0]["user_id"]

    def spend(self, tx, token: str) -> str | None:
        """Marks a live link used, atomically (two tabs cannot both use it); the user id, or None."""
        user_id = self.live_user_id(tx, token)
        if user_id is None:
            return None
        spent = tx.execute("UPDATE directory_password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
                           "RETURNING user_id", (self.clock().isoformat(), _hash(token)))
        return user_id if spent else None

    def pending(self, tx, user_id: UUID) -> datetime | None:
        """When the user's live, unused link expires (None: there is none)."""
        rows = tx.execute("SELECT expires_at FROM directory_password_links WHERE user_id = ? AND used_at IS NULL",
                          (str(user_id),))
        live = [datetime.fromisoformat(r["expires_at"]) for r in rows]
        live = [e for e in live if e > self.clock()]
        return max(live) if live else None
