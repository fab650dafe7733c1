"""API tokens as their users manage them (a mixin of `UserUseCases`, reached as `uc.users.*`): every user
creates, lists and revokes their own; an admin may also revoke those of the users they manage. Issuing and
revoking a token are events of the audit trail (`ApiTokenChange`: the token's id and owner, never the token)."""

from __future__ import annotations

import unicodedata
from typing import Any
from uuid import UUID

from domain.errors import InvariantViolated, NotFound, ValidationFailed, bilingual
from domain.policy import ROLE_ACTIONS, Action, Forbidden, User, authorize, may
from domain.ports import Accounts
from domain.security_log import ApiTokenChange
from domain.use_cases.user_views import IssuedApiToken, TokenRow, utc
from domain.values import forbidden_character

TOKEN_NAME_MAX = 100


class ApiTokenUseCases:
    accounts: Accounts
    security: Any  # sign_in.SecurityLog, set by UserUseCases

    def _visible(self, admin: User, target: User) -> bool:  # pragma: no cover - UserUseCases defines it
        raise NotImplementedError

    # ------------------------------------------------------------------ API tokens
    @staticmethod
    def _check_may_use_api(user: User) -> None:
        """Every role reaches the JSON API with a bearer token (domain.policy: each role has actions there)."""
        if not user.active or not ROLE_ACTIONS.get(user.role):
            raise Forbidden(bilingual("To konto nie może korzystać z API.", "This account may not use the API."))

    def _tokens(self, owner: User) -> list[TokenRow]:
        return [TokenRow(id=r["id"], name=r["name"], created_at=utc(r["created_at"]),
                         last_used_at=utc(r["last_used_at"]), revoked_at=utc(r["revoked_at"]))
                for r in self.accounts.list_tokens(owner.email)]

    def my_tokens(self, user: User) -> list[TokenRow]:
        """The user's own API tokens (never the tokens themselves), newest first."""
        self._check_may_use_api(user)
        return sorted(self._tokens(user), key=lambda t: t.created_at, reverse=True)

    def create_my_token(self, user: User, *, name: str) -> IssuedApiToken:
        """A new token of the user's own, named for what it is for; the token is returned once."""
        self._check_may_use_api(user)
        text = unicodedata.normalize("NFC", " ".join((name or "").split()))
        if not text:
            raise ValidationFailed(bilingual("Napisz, do czego służy token, np. „do integracji z systemem EZD”.",
                                             "Say what the token is for, e.g. “for the integration with the EZD "
                                             "system”."), field="name")
        if len(text) > TOKEN_NAME_MAX:
            raise ValidationFailed(bilingual(f"Nazwa tokenu może mieć najwyżej {TOKEN_NAME_MAX} znaków.",
                                             f"The token's name may have at most {TOKEN_NAME_MAX} characters."),
                                   field="name")
        if forbidden_character(text) or any(unicodedata.category(ch) == "Cc" for ch in text):
            raise ValidationFailed(bilingual("Nazwa tokenu zawiera niedozwolone znaki sterujące.",
                                             "The token's name contains control characters."), field="name")
        issued = self.accounts.create_token(user.email, name=text, by=user.actor.user_id)
        self.security.token(ApiTokenChange.Issued, owner=user, token_id=str(issued.id), by=user)
        return IssuedApiToken(id=str(issued.id), name=text, token=issued.token)

    def _token_for(self, user: User, token_id: str) -> tuple[TokenRow, User]:
        """A token the user may revoke: their own; an admin's also those of the users they manage."""
        row = self.accounts.token(token_id) if token_id else None
        owner = None
        if row is not None:
            try:
                owner = self.accounts.get(UUID(row["user_id"]))
            except (ValueError, NotFound):
                owner = None
        allowed = owner is not None and (owner.id == user.id or (may(user, Action.MANAGE_USERS)
                                                                 and self._visible(user, owner)))
        if not allowed:
            raise NotFound(bilingual("Nie ma takiego tokenu.", "No such token."), field="token_id")
        token = TokenRow(id=row["id"], name=row["name"], created_at=utc(row["created_at"]),
                         last_used_at=utc(row["last_used_at"]), revoked_at=utc(row["revoked_at"]))
        return token, owner

    def token(self, user: User, token_id: str) -> TokenRow:
        """One token the user may revoke (for the confirmation page)."""
        self._check_may_use_api(user)
        return self._token_for(user, token_id)[0]

    # ------------------------------------------------------------------ an admin's (the operator's `splot token`)
    def issue_token_for(self, admin: User, user_id: UUID) -> IssuedApiToken:
        """A token of a user the admin manages (`splot token create`), returned once; audited like one's own."""
        owner = self.get(admin, user_id)  # type: ignore[attr-defined]  # UserUseCases: MANAGE_USERS, in scope
        issued = self.accounts.create_token(owner.email, by=admin.actor.user_id)
        self.security.token(ApiTokenChange.Issued, owner=owner, token_id=str(issued.id), by=admin)
        return IssuedApiToken(id=str(issued.id), name="", token=issued.token)

    def revoke_token_of(self, admin: User, token_id_or_token: str) -> int:
        """Revokes a token of a user the admin manages, named by its id or by the token itself
        (`splot token revoke`); NotFound when no such active token is in the admin's reach."""
        value = (token_id_or_token or "").strip()
        row = self.accounts.token(value) if value else None
        owner = self._owner(admin, row["user_id"]) if row is not None else self.accounts.authenticate(value)
        if owner is None or not self._visible(admin, owner) or (row is not None and row["revoked_at"]):
            raise NotFound(bilingual("Nie ma aktywnego tokenu o tym identyfikatorze.", "No active token with that id."),
                           field="token")
        active = {r["id"] for r in self.accounts.list_tokens(owner.email) if not r["revoked_at"]}
        count = self.accounts.revoke_token(value, by=admin.actor.user_id)
        for revoked in active - {r["id"] for r in self.accounts.list_tokens(owner.email) if not r["revoked_at"]}:
            self.security.token(ApiTokenChange.Revoked, owner=owner, token_id=revoked, by=admin)
        return count

    def revoke_tokens_of(self, admin: User, user_id: UUID) -> int:
        """Revokes every active token of a user the admin manages (`splot token revoke --all`)."""
        owner = self.get(admin, user_id)  # type: ignore[attr-defined]
        revoked = 0
        for row in self.accounts.list_tokens(owner.email):
            if not row["revoked_at"]:
                revoked += self.accounts.revoke_token(row["id"], by=admin.actor.user_id)
                self.security.token(ApiTokenChange.Revoked, owner=owner, token_id=row["id"], by=admin)
        return revoked

    def _owner(self, admin: User, user_id: str) -> User | None:
        authorize(admin, Action.MANAGE_USERS)
        try:
            return self.accounts.get(UUID(user_id))
        except (ValueError, NotFound):
            return None

    def revoke_token(self, user: User, token_id: str) -> TokenRow:
        """Revokes one of the user's own tokens, or (an admin) one of a user they manage."""
        self._check_may_use_api(user)
        token, owner = self._token_for(user, token_id)
        if not token.active:
            raise InvariantViolated(bilingual("Ten token jest już unieważniony.", "This token is already revoked."),
                                    field="token_id")
        self.accounts.revoke_token(token.id, by=user.actor.user_id)
        self.security.token(ApiTokenChange.Revoked, owner=owner, token_id=str(token.id), by=user)
        return self._token_for(user, token_id)[0]
