"""Security-relevant actions as audited facts in the event log (issue 12): where auditors already look.

Signing in and out, failed attempts, second-factor failures, changes of an account's access and API tokens
were kept only in the directory (`user_changes`, which an erasure or a restore of the directory can lose);
here each is an event in the tamper-evident log, shown by the audit trail like every other event.

One small aggregate per act, created by its only event (so two sign-ins at once never contend for a
version), in three kinds the audit trail can filter on:

- `SignIn` (kind `sign_in`): succeeded, failed, throttled, second factor failed, signed out;
- `AccountChange` (kind `account_change`): user added, access (role, institution) changed, user disabled,
  password set, password link issued, second factor enrolled or reset;
- `ApiTokenChange` (kind `api_token_change`): token issued, token revoked.

What an event never holds: a password, a token, a TOTP code or secret, an e-mail address (accounts are
named by their opaque user id; a failed sign-in naming no account keeps only "unknown account" and the
client address — what was typed could be anyone's personal data).

Scope: `network_id` is the home network of the municipality the account belongs to, so that the trail
shows the event to that municipality's auditors. An account of no municipality (the deployment's admin)
and an attempt naming no account belong to the whole deployment: `DEPLOYMENT_SCOPE`, which every
municipality's trail includes (the deployment's admin can change every municipality's accounts).
"""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.values import Actor, stable_id

# The pseudo-network of events that belong to the whole deployment, not to one municipality.
DEPLOYMENT_SCOPE: UUID = stable_id("security", "deployment")

# Why a sign-in failed (the `failure` field).
UNKNOWN_ACCOUNT = "unknown_account"
WRONG_PASSWORD = "wrong_password"
ACCOUNT_DISABLED = "account_disabled"
SIGN_IN_FAILURES = (UNKNOWN_ACCOUNT, WRONG_PASSWORD, ACCOUNT_DISABLED)

# Which step a throttle refused (the `stage` field).
PASSWORD_STAGE = "password"
SECOND_FACTOR_STAGE = "second_factor"

# How a password was set (the `how` field).
PASSWORD_BY_LINK = "link"  # the one-time link the admin issued
PASSWORD_CHANGED = "changed"  # the user changed it, giving the current one

NO_ACCOUNT = "anonymous"  # the actor of an attempt naming no known account


def _scope(network_id: UUID | None) -> UUID:
    return network_id if network_id is not None else DEPLOYMENT_SCOPE


class SignIn(Aggregate):
    """One sign-in fact of the pages. `user_id` None: the attempt named no known account."""

    TOPIC = "splot:SignIn"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:SignIn.Created"
        network_id: UUID
        user_id: str | None
        address: str  # the client's address

    class Succeeded(Created):
        TOPIC = "splot:SignIn.Succeeded"
        second_factor: bool  # a TOTP code was given too

    class Failed(Created):
        TOPIC = "splot:SignIn.Failed"
        failure: str  # SIGN_IN_FAILURES

    class Throttled(Created):
        """Attempts refused before any check: one event per account and address per throttle window."""

        TOPIC = "splot:SignIn.Throttled"
        stage: str  # PASSWORD_STAGE or SECOND_FACTOR_STAGE

    class SecondFactorFailed(Created):
        TOPIC = "splot:SignIn.SecondFactorFailed"

    class SignedOut(Created):
        TOPIC = "splot:SignIn.SignedOut"

    @classmethod
    def record(cls, event_class: type[Created], *, network_id: UUID | None, user_id: UUID | None, address: str,
               actor: Actor, **fields: object) -> SignIn:
        return cls._create(event_class, id=uuid4(), network_id=_scope(network_id),
                           user_id=str(user_id) if user_id else None, address=address[:100], **fields,
                           **actor_fields(actor))


class AccountChange(Aggregate):
    """One change of a user account's access, by an admin (or, for a password, by its user)."""

    TOPIC = "splot:AccountChange"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:AccountChange.Created"
        network_id: UUID
        user_id: str  # the account changed

    class UserAdded(Created):
        TOPIC = "splot:AccountChange.UserAdded"
        role: str
        institution_id: UUID | None
        invited: bool  # True: without a password, with a one-time link to set it

    class AccessChanged(Created):
        TOPIC = "splot:AccountChange.AccessChanged"
        previous_role: str
        role: str
        previous_institution_id: UUID | None
        institution_id: UUID | None

    class UserDisabled(Created):
        TOPIC = "splot:AccountChange.UserDisabled"

    class PasswordSet(Created):
        TOPIC = "splot:AccountChange.PasswordSet"
        how: str  # PASSWORD_BY_LINK or PASSWORD_CHANGED

    class PasswordLinkIssued(Created):
        TOPIC = "splot:AccountChange.PasswordLinkIssued"

    class SecondFactorEnrolled(Created):
        TOPIC = "splot:AccountChange.SecondFactorEnrolled"

    class SecondFactorReset(Created):
        """After a lost phone: the next sign-in enrols a new second factor."""

        TOPIC = "splot:AccountChange.SecondFactorReset"

    @classmethod
    def record(cls, event_class: type[Created], *, network_id: UUID | None, user_id: UUID, actor: Actor,
               **fields: object) -> AccountChange:
        return cls._create(event_class, id=uuid4(), network_id=_scope(network_id), user_id=str(user_id), **fields,
                           **actor_fields(actor))


class ApiTokenChange(Aggregate):
    """An API token issued or revoked: its id and owner, never the token (nor its name, free text)."""

    TOPIC = "splot:ApiTokenChange"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ApiTokenChange.Created"
        network_id: UUID
        user_id: str  # the token's owner
        token_id: str

    class Issued(Created):
        TOPIC = "splot:ApiTokenChange.Issued"

    class Revoked(Created):
        TOPIC = "splot:ApiTokenChange.Revoked"

    @classmethod
    def record(cls, event_class: type[Created], *, network_id: UUID | None, user_id: UUID, token_id: str,
               actor: Actor) -> ApiTokenChange:
        return cls._create(event_class, id=uuid4(), network_id=_scope(network_id), user_id=str(user_id),
                           token_id=str(token_id), **actor_fields(actor))


SECURITY_KINDS = ("sign_in", "account_change", "api_token_change")  # the audit trail's kinds of these aggregates
