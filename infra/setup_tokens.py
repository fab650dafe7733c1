"""The one-time setup link: how the first person becomes the admin of a store with no users.

`splot serve` asks for a token when the directory has no users and prints
`http://HOST:PORT/konfiguracja/<token>`; the page there creates the first admin (a deployment admin:
no municipality). The rule lives here and only here: a token works only while the store has no users,
only before it expires (`LIFETIME`), and only once. Only the token's SHA-256 is stored (a random
256-bit secret needs no slow hash), in the directory database beside the users.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from domain.errors import NotFound, ValidationFailed, bilingual
from domain.policy import Role, User
from infra.users import UserStore, _check_password, normalise_email

LIFETIME = timedelta(minutes=30)
SETUP_PATH = "/konfiguracja/"


class SetupLinkInvalid(NotFound):
    """An unknown, expired or used setup token, or a store that has users already: nothing is created."""

    code = "setup_link_invalid"


@dataclass(frozen=True)
class IssuedSetupToken:
    token: str  # shown once, in the link; only its hash is stored
    expires_at: datetime

    def link(self, base_url: str) -> str:
        return base_url.rstrip("/") + SETUP_PATH + self.token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _invalid() -> SetupLinkInvalid:
    return SetupLinkInvalid(bilingual(
        "Ten link konfiguracyjny jest nieważny: wygasł, został już użyty albo w systemie są już konta. "
        "Uruchom ponownie `splot serve`, aby otrzymać nowy link, albo dodaj konto poleceniem `splot user add`.",
        "This setup link is not valid: it has expired, has been used, or the system already has accounts. "
        "Restart `splot serve` for a new link, or add an account with `splot user add`."), field="token")


class SetupTokenStore:
    def __init__(self, db, users: UserStore, *, clock: Callable[[], datetime] = _utc_now,
                 lifetime: timedelta = LIFETIME) -> None:
        self.db = db
        self.users = users
        self.clock = clock
        self.lifetime = lifetime
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_setup_tokens ("
                       "token_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
                       "used_at TEXT)")

    @staticmethod
    def _no_users(tx) -> bool:
        return not tx.execute("SELECT 1 AS x FROM directory_users LIMIT 1")

    def issue_if_no_users(self) -> IssuedSetupToken | None:
        """A fresh token when the store has no users (expired ones are dropped), else None."""
        now = self.clock()
        with self.db.transaction(write=True) as tx:
            if not self._no_users(tx):
                return None
            tx.execute("DELETE FROM directory_setup_tokens WHERE expires_at <= ?", (now.isoformat(),))
            token = secrets.token_urlsafe(32)
            expires = now + self.lifetime
            tx.execute("INSERT INTO directory_setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)",
                       (_hash(token), now.isoformat(), expires.isoformat()))
        return IssuedSetupToken(token, expires)

    def _live(self, tx, token: str) -> bool:
        if not token or len(token) > 100 or not self._no_users(tx):
            return False
        rows = tx.execute("SELECT expires_at FROM directory_setup_tokens WHERE token_hash = ? AND used_at IS NULL",
                          (_hash(token),))
        return bool(rows) and datetime.fromisoformat(rows[0]["expires_at"]) > self.clock()

    def is_live(self, token: str) -> bool:
        """Whether the link still works (the page shows the form only then)."""
        with self.db.transaction() as tx:
            return self._live(tx, token)

    def create_first_admin(self, token: str, *, email: str, password: str, repeated: str) -> User:
        """The first admin (no municipality: the deployment's), once, with a live token on a store
        without users. The input is checked before the token is spent, so a typo does not burn it."""
        with self.db.transaction() as tx:
            if not self._live(tx, token):
                raise _invalid()
        normalise_email(email)
        _check_password(password)
        if password != repeated:
            raise ValidationFailed(bilingual("Hasła nie są takie same.", "The passwords do not match."),
                                   field="repeated_password")
        with self.db.transaction(write=True) as tx:
            # checked again where it is spent, and spent only if still unused: two tabs cannot both use it
            spent = self._live(tx, token) and tx.execute(
                "UPDATE directory_setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
                "RETURNING token_hash", (self.clock().isoformat(), _hash(token)))
            if not spent:
                raise _invalid()
        return self.users.add(email=email, password=password, role=Role.ADMIN.value, municipality_id=None)
