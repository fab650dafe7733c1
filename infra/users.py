"""Users, roles and API tokens, kept in the directory database (outside the event log).

- Passwords are hashed with argon2id (argon2-cffi's defaults are argon2id).
- API tokens are random (`secrets.token_urlsafe`, 256 bits) and only their SHA-256 is stored:
  a fast hash is enough for a high-entropy secret and avoids ~130 ms of argon2 per request.
- A token works while it is not revoked and its user is active: disabling a user ends every token.
- Events name a user by the opaque user id, never by e-mail (personal data stays erasable here).
- The TOTP second factor: per user the confirmed secret, a secret offered at enrolment and not yet
  confirmed, and the last time-step accepted (a code, or an older one, is never accepted twice).
  The TOTP arithmetic itself is in infra/second_factor.py (`second_factor`).
- An account an admin adds has no password until its person sets one with a one-time link
  (infra/account_links.py); an admin issues a new link after a forgotten password.
- `user_changes` keeps who changed an account and when (added, role, institution, disabled, link issued,
  token created or revoked): the directory holds no other history. A change of role, institution or
  password ends the user's web sessions, so they sign in again under what they now are.
- Module size: one table family (users, their tokens, their history) kept together (~470 lines); the
  one-time links live apart in infra/account_links.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Collection
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvariantViolated, NotFound, ValidationFailed, bilingual
from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.policy import INSTITUTION_ROLES, Role, User
from domain.values import forbidden_character, plural_pl
from infra.account_links import AccountLinks, IssuedLink
from infra.second_factor import TotpSecondFactor

TOKEN_PREFIX = "splot_"
MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NO_PASSWORD = "!no-password"  # not an argon2 hash: nothing verifies against it (an account awaiting its link)
LAST_USED_GRANULARITY = timedelta(minutes=1)  # a token's last use is written at most once a minute


@dataclass(frozen=True)
class IssuedToken:
    id: UUID
    token: str  # shown once; only its hash is stored


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    value = (email or "").strip().lower()
    if not _EMAIL.match(value) or len(value) > 254 or forbidden_character(value):
        raise ValidationFailed(bilingual(f"{email!r} nie jest adresem e-mail.", f"{email!r} is not an e-mail address."),
                               field="email")
    return value


def _check_password(password: object) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        characters = plural_pl(MIN_PASSWORD_LENGTH, "znak", "znaki", "znaków")
        raise ValidationFailed(bilingual(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} {characters}.",
                                         f"The password must have at least {MIN_PASSWORD_LENGTH} characters."),
                               field="password")


def _user(row: dict) -> User:
    return User(id=UUID(row["id"]), email=row["email"], role=Role(row["role"]),
                institution_id=UUID(row["institution_id"]) if row["institution_id"] else None,
                active=bool(row["active"]),
                municipality_id=UUID(row["municipality_id"]) if row["municipality_id"] else None)


class UserStore:
    def __init__(self, db, hasher: PasswordHasher | None = None, second_factor: TotpSecondFactor | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        self.second_factor = second_factor or TotpSecondFactor()
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS directory_users ("
                       "id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, "
                       "role TEXT NOT NULL, institution_id TEXT, active INTEGER NOT NULL, "
                       "created_at TEXT NOT NULL, disabled_at TEXT, municipality_id TEXT)")
            self._add_municipality_column(tx)
            self._add_totp_columns(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS directory_api_tokens ("
                       "id TEXT PRIMARY KEY, user_id TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, "
                       "created_at TEXT NOT NULL, revoked_at TEXT)")
            self._add_token_columns(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS user_changes ("
                       "id TEXT PRIMARY KEY, user_id TEXT NOT NULL, changed_by TEXT NOT NULL, change TEXT NOT NULL, "
                       "detail TEXT NOT NULL, changed_at TEXT NOT NULL)")
        self.links = AccountLinks(db)

    @staticmethod
    def _add_municipality_column(tx) -> None:
        """Directories written before there were several municipalities: every user but an admin worked
        for the default municipality; an admin of those stores administers the deployment (no municipality)."""
        if tx.dialect == "sqlite":
            columns = {r["name"] for r in tx.execute("PRAGMA table_info(directory_users)")}
        else:
            columns = {r["column_name"] for r in tx.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'directory_users'")}
        if "municipality_id" in columns:
            return
        tx.execute("ALTER TABLE directory_users ADD COLUMN municipality_id TEXT")
        tx.execute("UPDATE directory_users SET municipality_id = ? WHERE role <> 'admin'",
                   (str(DEFAULT_MUNICIPALITY_ID),))

    @staticmethod
    def _columns(tx) -> set[str]:
        if tx.dialect == "sqlite":
            return {r["name"] for r in tx.execute("PRAGMA table_info(directory_users)")}
        return {r["column_name"] for r in tx.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'directory_users'")}

    @classmethod
    def _add_totp_columns(cls, tx) -> None:
        """Directories written before the second factor: nobody is enrolled yet."""
        columns = cls._columns(tx)
        for name, kind in (("totp_secret", "TEXT"), ("totp_pending_secret", "TEXT"), ("totp_last_step", "BIGINT")):
            if name not in columns:
                tx.execute(f"ALTER TABLE directory_users ADD COLUMN {name} {kind}")

    @staticmethod
    def _add_token_columns(tx) -> None:
        """Token stores written before tokens had a name and a last use: unnamed, never seen used."""
        if tx.dialect == "sqlite":
            columns = {r["name"] for r in tx.execute("PRAGMA table_info(directory_api_tokens)")}
        else:
            columns = {r["column_name"] for r in tx.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'directory_api_tokens'")}
        for name in ("name", "last_used_at"):
            if name not in columns:
                tx.execute(f"ALTER TABLE directory_api_tokens ADD COLUMN {name} TEXT")

    # ------------------------------------------------------------------ users
    def add(self, *, email: str, password: str, role: str, institution_id: UUID | None = None,
            municipality_id: UUID | None = None) -> User:
        """A new user. `municipality_id` None is allowed for an admin only: the deployment's admin."""
        email, role = self._checked(email, role, institution_id, municipality_id)
        _check_password(password)
        password_hash = self.hasher.hash(password)
        with self.db.transaction(write=True) as tx:
            return self._insert(tx, email, password_hash, role, institution_id, municipality_id)

    def add_invited(self, *, email: str, role: str, institution_id: UUID | None, municipality_id: UUID | None,
                    by: str) -> tuple[User, IssuedLink]:
        """A new user without a password, and the one-time link with which they set it (recorded as added by
        `by`, the acting user as events name them)."""
        email, role = self._checked(email, role, institution_id, municipality_id)
        with self.db.transaction(write=True) as tx:
            user = self._insert(tx, email, NO_PASSWORD, role, institution_id, municipality_id)
            link = self.links.issue(tx, user.id)
            self._record(tx, user.id, by, "added", {"role": role.value,
                                                    "institution_id": str(institution_id) if institution_id else None})
        return user, link

    @staticmethod
    def _checked(email: str, role: str, institution_id: UUID | None, municipality_id: UUID | None) -> tuple[str, Role]:
        email = normalise_email(email)
        try:
            role = Role(role)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValidationFailed(bilingual(f"Rola musi mieć jedną z wartości: {allowed}; podano {role!r}.",
                                             f"role must be one of: {allowed}; got {role!r}."), field="role") from None
        if role in INSTITUTION_ROLES and institution_id is None:
            raise ValidationFailed(bilingual(f"Użytkownik z rolą {role} działa w imieniu instytucji: podaj jego "
                                             f"instytucję (--institution).",
                                             f"A {role} user acts for an institution: give theirs (--institution)."),
                                   field="institution")
        if municipality_id is None and role != Role.ADMIN:
            raise ValidationFailed(bilingual(f"Użytkownik z rolą {role} pracuje dla gminy: podaj gminę.",
                                             f"A {role} user works for a municipality: give the municipality."),
                                   field="municipality_id")
        return email, role

    @staticmethod
    def _insert(tx, email: str, password_hash: str, role: Role, institution_id: UUID | None,
                municipality_id: UUID | None) -> User:
        if tx.execute("SELECT 1 AS x FROM directory_users WHERE email = ?", (email,)):
            raise InvariantViolated(bilingual(f"Użytkownik {email} już istnieje.", f"A user {email} already exists."),
                                    field="email")
        user_id = uuid.uuid4()
        tx.execute("INSERT INTO directory_users (id, email, password_hash, role, institution_id, active, "
                   "created_at, municipality_id) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                   (str(user_id), email, password_hash, role.value,
                    str(institution_id) if institution_id else None, _now(),
                    str(municipality_id) if municipality_id else None))
        return User(user_id, email, role, institution_id, True, municipality_id)

    # ------------------------------------------------------------------ changes of access, and their history
    def update_access(self, user_id: UUID, *, role: Role, institution_id: UUID | None, active: bool, by: str,
                      expected_admins: Collection[UUID]) -> User:
        """Sets the user's role, institution and active state in one transaction, recording each change (who,
        what, when) and ending the user's sessions when anything changed. `expected_admins` are the active
        admins the caller's rule was decided on: if they changed meanwhile (an admin disabled or demoted in a
        parallel request), nothing is written and the caller is told to look again."""
        with self.db.transaction(write=True) as tx:
            lock = " FOR UPDATE" if tx.dialect != "sqlite" else ""
            admins = {r["id"] for r in tx.execute(
                f"SELECT id FROM directory_users WHERE role = 'admin' AND active = 1{lock}")}
            if admins != {str(a) for a in expected_admins}:
                raise InvariantViolated(bilingual(
                    "Konta administratorów zmieniły się w międzyczasie: odśwież stronę i spróbuj ponownie.",
                    "The administrators' accounts changed meanwhile: reload the page and try again."), field="user_id")
            rows = tx.execute("SELECT * FROM directory_users WHERE id = ?", (str(user_id),))
            if not rows:
                raise NotFound(bilingual(f"Nie ma użytkownika o identyfikatorze {user_id}.",
                                         f"No user with id {user_id}."), field="user_id")
            before = _user(rows[0])
            changed = False
            if before.role != role:
                self._record(tx, user_id, by, "role", {"old": before.role.value, "new": role.value})
                changed = True
            if before.institution_id != institution_id:
                self._record(tx, user_id, by, "institution", {
                    "old": str(before.institution_id) if before.institution_id else None,
                    "new": str(institution_id) if institution_id else None})
                changed = True
            if before.active and not active:
                self._record(tx, user_id, by, "disabled", {})
                changed = True
            if changed:
                tx.execute("UPDATE directory_users SET role = ?, institution_id = ?, active = ?, "
                           "disabled_at = CASE WHEN ? = 0 THEN COALESCE(disabled_at, ?) ELSE disabled_at END "
                           "WHERE id = ?", (role.value, str(institution_id) if institution_id else None,
                                            1 if active else 0, 1 if active else 0, _now(), str(user_id)))
                self._end_sessions(tx, user_id)
        return self.get(user_id)

    @staticmethod
    def _record(tx, user_id: UUID, by: str, change: str, detail: dict) -> None:
        tx.execute("INSERT INTO user_changes (id, user_id, changed_by, change, detail, changed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (str(uuid.uuid4()), str(user_id), by, change,
                                                 json.dumps(detail, sort_keys=True), _now()))

    def changes(self, user_id: UUID) -> list[dict]:
        """The account's history, oldest first: changed_by, change, detail (a dict), changed_at (UTC, ISO)."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT changed_by, change, detail, changed_at FROM user_changes WHERE user_id = ? "
                              "ORDER BY changed_at, id", (str(user_id),))
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    @staticmethod
    def _end_sessions(tx, user_id: UUID) -> None:
        """Ends the user's web sessions (infra/web_sessions.py keeps them in this database), when it has any."""
        if tx.dialect == "sqlite":
            exists = tx.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'web_sessions'")
        else:
            exists = [r for r in tx.execute("SELECT to_regclass('web_sessions') AS t") if r["t"]]
        if exists:
            tx.execute("DELETE FROM web_sessions WHERE user_id = ?", (str(user_id),))

    # ------------------------------------------------------------------ one-time password links
    def issue_password_link(self, user_id: UUID, *, by: str) -> IssuedLink:
        """A new one-time link for an active user to set their password (older links stop working)."""
        user = self.get(user_id)
        if not user.active:
            raise InvariantViolated(bilingual(f"Konto użytkownika {user.email} jest wyłączone.",
                                              f"User {user.email} is disabled."), field="user_id")
        with self.db.transaction(write=True) as tx:
            link = self.links.issue(tx, user_id)
            self._record(tx, user_id, by, "password_link", {})
        return link

    def password_link_user(self, token: str) -> User | None:
        """The active user a live link belongs to, else None."""
        with self.db.transaction() as tx:
            user_id = self.links.live_user_id(tx, token)
        return self.get(UUID(user_id)) if user_id else None

    def pending_password_link(self, user_id: UUID) -> datetime | None:
        """When the user's unused link expires, or None when there is none."""
        with self.db.transaction() as tx:
            return self.links.pending(tx, user_id)

    def set_password_with_link(self, token: str, password: str) -> User | None:
        """Sets the password of the link's user and spends the link, in one transaction (the user's sessions
        end); None when the link is not live (nothing changes). The password is checked first."""
        _check_password(password)
        password_hash = self.hasher.hash(password)
        with self.db.transaction(write=True) as tx:
            user_id = self.links.spend(tx, token)
            if user_id is None:
                return None
            tx.execute("UPDATE directory_users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
            self._record(tx, UUID(user_id), user_id, "password_set", {})
            self._end_sessions(tx, UUID(user_id))
        return self.get(UUID(user_id))

    def get_by_email(self, email: str) -> User:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT * FROM directory_users WHERE email = ?", (normalise_email(email),))
        if not rows:
            raise NotFound(bilingual(f"Nie ma użytkownika {email}.", f"No user {email}."), field="email")
        return _user(rows[0])

    def get(self, user_id: UUID) -> User:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT * FROM directory_users WHERE id = ?", (str(user_id),))
        if not rows:
            raise NotFound(bilingual(f"Nie ma użytkownika o identyfikatorze {user_id}.", f"No user with id {user_id}."),
                           field="user_id")
        return _user(rows[0])

    def list(self) -> list[User]:
        with self.db.transaction() as tx:
            return [_user(r) for r in tx.execute("SELECT * FROM directory_users ORDER BY email")]

    def disable(self, email: str) -> User:
        """The store's plain operation (tests and setup); who may disable whom, and never the last active admin,
        is `uc.users.disable`'s rule, written through `update_access`."""
        user = self.get_by_email(email)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_users SET active = 0, disabled_at = ? WHERE id = ?", (_now(), str(user.id)))
        return self.get_by_email(email)

    def set_password(self, user_id: UUID, password: str) -> None:
        _check_password(password)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_users SET password_hash = ? WHERE id = ?",
                       (self.hasher.hash(password), str(user_id)))

    def verify_password(self, email: str, password: str) -> User | None:
        """The active user whose password this is, else None (callers throttle before calling)."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT * FROM directory_users WHERE email = ? AND active = 1",
                              (email.strip().lower(),))
        if not rows:
            return None
        try:
            self.hasher.verify(rows[0]["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return _user(rows[0])

    # ------------------------------------------------------------------ second factor (TOTP)
    def _totp_row(self, user_id: UUID) -> dict:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT totp_secret, totp_pending_secret, totp_last_step FROM directory_users "
                              "WHERE id = ?", (str(user_id),))
        return rows[0] if rows else {}

    def totp_secret(self, user_id: UUID) -> str | None:
        """The user's confirmed TOTP secret, or None when they have not enrolled."""
        return self._totp_row(user_id).get("totp_secret")

    def pending_totp_secret(self, user_id: UUID) -> str | None:
        """The secret offered at enrolment and not yet confirmed with a code."""
        return self._totp_row(user_id).get("totp_pending_secret")

    def offer_totp_secret(self, user_id: UUID, secret: str) -> str:
        """Keeps `secret` as the one to confirm, unless one is already offered (then that one: the QR code
        stays the same across reloads and parallel sign-ins); returns the secret to show."""
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_users SET totp_pending_secret = ? WHERE id = ? AND totp_pending_secret IS NULL",
                       (secret, str(user_id)))
            rows = tx.execute("SELECT totp_pending_secret FROM directory_users WHERE id = ?", (str(user_id),))
        return rows[0]["totp_pending_secret"]

    def enrol_totp(self, user_id: UUID, secret: str) -> None:
        """`secret` becomes the user's (the offered one is cleared; no step accepted yet)."""
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_users SET totp_secret = ?, totp_pending_secret = NULL, totp_last_step = NULL "
                       "WHERE id = ?", (secret, str(user_id)))

    def reset_totp(self, email: str) -> User:
        """A lost phone: the user's second factor is removed, so their next sign-in enrols a new one (the
        caller also ends their sessions: one started with the old factor must not outlive it)."""
        user = self.get_by_email(email)
        with self.db.transaction(write=True) as tx:
            tx.execute("UPDATE directory_users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL "
                       "WHERE id = ?", (str(user.id),))
        return user

    def accept_totp_step(self, user_id: UUID, step: int) -> bool:
        """Records `step` as used, atomically; False when it is not newer than the last step accepted."""
        with self.db.transaction(write=True) as tx:
            rows = tx.execute("UPDATE directory_users SET totp_last_step = ? WHERE id = ? "
                              "AND (totp_last_step IS NULL OR totp_last_step < ?) RETURNING id",
                              (int(step), str(user_id), int(step)))
        return bool(rows)

    # ------------------------------------------------------------------ tokens
    def create_token(self, email: str, *, name: str | None = None, by: str | None = None) -> IssuedToken:
        """A new token of the user; `name` says what it is for, `by` (who created it) puts it in the history."""
        user = self.get_by_email(email)
        if not user.active:
            raise InvariantViolated(bilingual(f"Konto użytkownika {user.email} jest wyłączone.",
                                              f"User {user.email} is disabled."), field="email")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = uuid.uuid4()
        with self.db.transaction(write=True) as tx:
            tx.execute("INSERT INTO directory_api_tokens (id, user_id, token_hash, created_at, name) "
                       "VALUES (?, ?, ?, ?, ?)", (str(token_id), str(user.id), token_hash(token), _now(), name))
            if by is not None:
                self._record(tx, user.id, by, "token_created", {"token_id": str(token_id), "name": name})
        return IssuedToken(token_id, token)

    def list_tokens(self, email: str) -> list[dict]:
        """The user's tokens (never the tokens themselves): id, name, created_at, last_used_at, revoked_at."""
        user = self.get_by_email(email)
        with self.db.transaction() as tx:
            return tx.execute("SELECT id, name, created_at, last_used_at, revoked_at FROM directory_api_tokens "
                              "WHERE user_id = ? ORDER BY created_at, id", (str(user.id),))

    def token(self, token_id: str) -> dict | None:
        """One token's row (id, user_id, name, created_at, last_used_at, revoked_at), or None."""
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM directory_api_tokens "
                              "WHERE id = ?", (str(token_id).strip()[:64],))
        return rows[0] if rows else None

    def revoke_token(self, token_id_or_token: str, *, by: str | None = None) -> int:
        """Revokes one token, named by its id or by the token itself; returns how many were revoked."""
        value = token_id_or_token.strip()
        with self.db.transaction(write=True) as tx:
            rows = tx.execute("SELECT id, user_id, name FROM directory_api_tokens WHERE (id = ? OR token_hash = ?) "
                              "AND revoked_at IS NULL", (value, token_hash(value)))
            if not rows:
                raise NotFound(bilingual("Nie ma aktywnego tokenu o tym identyfikatorze.",
                                         "No active token with that id."), field="token")
            tx.execute("UPDATE directory_api_tokens SET revoked_at = ? WHERE id = ?", (_now(), rows[0]["id"]))
            if by is not None:
                self._record(tx, UUID(rows[0]["user_id"]), by, "token_revoked",
                             {"token_id": rows[0]["id"], "name": rows[0]["name"]})
        return len(rows)

    def revoke_all(self, email: str) -> int:
        user = self.get_by_email(email)
        with self.db.transaction(write=True) as tx:
            rows = tx.execute("SELECT id FROM directory_api_tokens WHERE user_id = ? AND revoked_at IS NULL",
                              (str(user.id),))
            tx.execute("UPDATE directory_api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                       (_now(), str(user.id)))
        return len(rows)

    def authenticate(self, token: str) -> User | None:
        """The active user a live token belongs to, else None. The token's last use is kept (to the minute)."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        hashed = token_hash(token)
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT u.*, t.id AS token_id, t.last_used_at FROM directory_api_tokens t "
                              "JOIN directory_users u ON u.id = t.user_id "
                              "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1", (hashed,))
        if not rows:
            return None
        now = datetime.now(timezone.utc)
        last = rows[0]["last_used_at"]
        if last is None or now - datetime.fromisoformat(last) >= LAST_USED_GRANULARITY:
            with self.db.transaction(write=True) as tx:
                tx.execute("UPDATE directory_api_tokens SET last_used_at = ? WHERE id = ?",
                           (now.isoformat(), rows[0]["token_id"]))
        return _user(rows[0])
