"""Signing in to the pages, decided here (the page only parses the form, calls, sets the cookie): the throttle
is asked before a password is hashed, the password checked, and every outcome written to the audit trail
as a `domain.security_log.SignIn` event (succeeded, failed, throttled, second factor failed, signed out).

- A failed attempt naming no account records "unknown account" and the client address, never what was typed.
- Throttled attempts (a flood) write one `Throttled` event per account and per address per throttle
  window, not one per attempt: an attempt refused while its account or its address has had such an event
  in the window writes nothing. (Counted in this process, like the throttle itself.)
- A coordinator's, admin's or DPO's sign-in succeeds when the TOTP code is accepted (`give_code`): the
  password alone is not a sign-in yet.

`SecurityLog` is the one writer of these events and of the account and token events that
domain/use_cases/users.py and api_tokens.py record.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from uuid import UUID

from domain.application import Splot
from domain.errors import DomainError, NotFound, ValidationFailed, bilingual
from domain.policy import User
from domain.ports import Accounts, SignInThrottle
from domain.security_log import (ACCOUNT_DISABLED, NO_ACCOUNT, PASSWORD_STAGE, SECOND_FACTOR_STAGE, UNKNOWN_ACCOUNT,
                                 WRONG_PASSWORD, AccountChange, ApiTokenChange, SignIn)
from domain.use_cases.scope import Scopes
from domain.values import Actor

DEFAULT_WINDOW_SECONDS = 15 * 60  # when the throttle does not say its own
_FLOOD_MEMORY = 10_000  # keys remembered before expired ones are dropped


class SignInRefused(DomainError):
    """The e-mail or password is wrong (which of them, and whether the account exists, is never said)."""

    code = "sign_in_refused"


class SignInThrottled(DomainError):
    """Too many failed attempts: the next one is allowed in `wait` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, wait: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.wait = wait


@dataclass(frozen=True)
class SignInResult:
    user: User
    step: Any  # users.SignInStep: DONE, or the second factor asked next


class _NoThrottle:
    """For a composition without a throttle (tests of other areas): never refuses."""

    window = DEFAULT_WINDOW_SECONDS

    def retry_after(self, *, account: str, address: str) -> int | None:
        return None

    def failed(self, *, account: str, address: str) -> None:
        pass

    def succeeded(self, *, account: str) -> None:
        pass


class SecurityLog:
    """Writes the security events, each in the scope of the account's municipality (its home network)."""

    def __init__(self, store: Splot, scopes: Scopes) -> None:
        self.store = store
        self.scopes = scopes
        self._homes: dict[UUID, UUID | None] = {}

    def network_of(self, municipality_id: UUID | None) -> UUID | None:
        """The municipality's home network (remembered: it never changes); None for no municipality."""
        if municipality_id is None:
            return None
        if municipality_id not in self._homes:
            self._homes[municipality_id] = self.scopes.of_municipality(municipality_id).home_network_id
        return self._homes[municipality_id]

    def _save(self, aggregate: Any) -> None:
        self.store._save(aggregate, answer=False)  # a side record: a request's Idempotency-Key is not its

    def sign_in(self, event_class: type, *, account: User | None, address: str, actor: Actor | None = None,
                **fields: object) -> None:
        actor = actor or (account.actor if account is not None else Actor(user_id=NO_ACCOUNT))
        self._save(SignIn.record(event_class, network_id=self.network_of(account.municipality_id if account else None),
                                 user_id=account.id if account else None, address=address, actor=actor, **fields))

    def account(self, event_class: type, *, account: User, by: User, **fields: object) -> None:
        self._save(AccountChange.record(event_class, network_id=self.network_of(account.municipality_id),
                                        user_id=account.id, actor=by.actor, **fields))

    def token(self, event_class: type, *, owner: User, token_id: str, by: User) -> None:
        self._save(ApiTokenChange.record(event_class, network_id=self.network_of(owner.municipality_id),
                                         user_id=owner.id, token_id=token_id, actor=by.actor))


class _FloodGate:
    """Whether a throttled attempt is the first of its window for its account and for its address."""

    def __init__(self, window: float, clock: Callable[[], float]) -> None:
        self.window = window
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first(self, *, account: str, address: str) -> bool:
        now = self.clock()
        keys = (("account", account.strip().lower()), ("address", address))
        with self._lock:
            if len(self._last) > _FLOOD_MEMORY:
                self._last = {k: t for k, t in self._last.items() if now - t < self.window}
            if any(now - self._last.get(key, -self.window - 1) < self.window for key in keys):
                return False
            for key in keys:
                self._last[key] = now
            return True


class SignInUseCases:
    def __init__(self, accounts: Accounts, users: Any, log: SecurityLog, throttle: SignInThrottle | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.accounts = accounts
        self.users = users  # UserUseCases: the second factor's steps and checks
        self.log = log
        self.throttle = throttle or _NoThrottle()
        self._floods = _FloodGate(float(getattr(self.throttle, "window", DEFAULT_WINDOW_SECONDS)), clock)

    def _known(self, email: str) -> User | None:
        try:
            return self.accounts.get_by_email(email)
        except (NotFound, ValidationFailed):
            return None

    def _throttled(self, wait: int, *, account: User | None, key: str, address: str, stage: str,
                   message: tuple[str, str]) -> SignInThrottled:
        if self._floods.first(account=key, address=address):
            self.log.sign_in(SignIn.Throttled, account=account, address=address, stage=stage)
        minutes = (wait + 59) // 60
        return SignInThrottled(bilingual(message[0].format(minutes=minutes), message[1].format(minutes=minutes)),
                               wait=wait, field="email" if stage == PASSWORD_STAGE else "code")

    def sign_in(self, email: str, password: str, *, address: str) -> SignInResult:
        """The password step. Raises `SignInThrottled` (nothing checked) or `SignInRefused`; on success the
        result says whether a second factor follows (then `give_code` completes the sign-in)."""
        email = (email or "").strip()
        wait = self.throttle.retry_after(account=email, address=address)
        if wait is not None:
            raise self._throttled(wait, account=self._known(email) if email else None, key=email, address=address,
                                  stage=PASSWORD_STAGE, message=(
                                      "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {minutes} min.",
                                      "Too many failed sign-in attempts. Try again in {minutes} min."))
        user = self.accounts.verify_password(email, password) if email and password else None
        if user is None:
            self.throttle.failed(account=email, address=address)
            if email and password:  # an empty form is no attempt at anyone's account
                known = self._known(email)
                failure = UNKNOWN_ACCOUNT if known is None else WRONG_PASSWORD if known.active else ACCOUNT_DISABLED
                self.log.sign_in(SignIn.Failed, account=known, address=address, failure=failure)
            raise SignInRefused(bilingual("Nieprawidłowy adres e-mail lub hasło.",
                                          "The e-mail address or password is wrong."), field="email")
        self.throttle.succeeded(account=email)
        step = self.users.second_factor_step(user)
        if step.value == "done":
            self.log.sign_in(SignIn.Succeeded, account=user, address=address, second_factor=False)
        return SignInResult(user=user, step=step)

    def give_code(self, user: User, code: str, *, address: str, enrolling: bool = False) -> None:
        """The second step of a user whose password was accepted: the TOTP code (or, `enrolling`, the first
        code from a newly set-up app). Throttled per account like passwords; a wrong or reused code is a
        `SecondFactorFailed` event (a code that is not 6 digits is a typing error, not recorded)."""
        key = f"totp:{user.email}"
        wait = self.throttle.retry_after(account=key, address=address)
        if wait is not None:
            raise self._throttled(wait, account=user, key=key, address=address, stage=SECOND_FACTOR_STAGE, message=(
                "Zbyt wiele nieudanych prób podania kodu. Spróbuj ponownie za {minutes} min.",
                "Too many failed code attempts. Try again in {minutes} min."))
        try:
            if enrolling:
                self.users.confirm_totp_enrolment(user, code)
            else:
                self.users.check_totp_code(user, code)
        except DomainError:
            self.throttle.failed(account=key, address=address)
            if self.users.well_formed_code(code):
                self.log.sign_in(SignIn.SecondFactorFailed, account=user, address=address)
            raise
        self.throttle.succeeded(account=key)
        self.log.sign_in(SignIn.Succeeded, account=user, address=address, second_factor=True)

    def sign_out(self, user: User | None, *, address: str) -> None:
        """A signed-in user ends their session (a visitor with none: nothing to record)."""
        if user is not None:
            self.log.sign_in(SignIn.SignedOut, account=user, address=address)
