"""What the admin's and the profile's pages see of accounts: rows, history in words, tokens, one-time links."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import Message, bilingual
from domain.policy import Role, User

ROLE_WORDS: dict[Role, Message] = {
    Role.STAFF: bilingual("pracownik instytucji", "institution staff"),
    Role.LEAD: bilingual("kierownik instytucji", "institution lead"),
    Role.COORDINATOR: bilingual("koordynator", "coordinator"),
    Role.AUDITOR: bilingual("audytor", "auditor"),
    Role.ADMIN: bilingual("administrator", "administrator"),
    Role.DPO: bilingual("inspektor ochrony danych", "data-protection officer"),
    Role.INVESTOR_SERVICE: bilingual("pracownik obsługi inwestora", "investor-service staff"),
}


@dataclass(frozen=True)
class AccountRow:
    """A user as the admin's table shows them: the institution by name, the second factor enrolled or not."""

    user: User
    role_words: Message
    institution: str | None  # "SHORT – full name"
    second_factor: bool


@dataclass(frozen=True)
class AccountChange:
    changed_at: datetime  # UTC
    changed_by: str  # an e-mail address within the viewer's municipality (see display_name), or a Message
    what: Message


@dataclass(frozen=True)
class TokenRow:
    id: str
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class AccountView:
    row: AccountRow
    changes: list[AccountChange]
    tokens: list[TokenRow]
    link_expires_at: datetime | None  # an unused link to set the password, until then


@dataclass(frozen=True)
class AccountChoices:
    """What the add and change forms offer: roles in words, institutions by name, and — for the deployment's
    admin of a store with several municipalities — the municipality of a user without an institution."""

    roles: list[tuple[str, Message]]
    institutions: list[tuple[str, str]]  # id, "SHORT – full name"
    municipalities: list[tuple[str, str]] = field(default_factory=list)  # id, name


@dataclass(frozen=True)
class PasswordLink:
    """A one-time link for `user` to set their password: shown once to the admin, who hands it over."""

    user: User
    path: str  # "/konto/haslo/<token>"
    expires_at: datetime  # UTC


@dataclass(frozen=True)
class IssuedApiToken:
    id: str
    name: str
    token: str  # shown once; only its hash is kept


# What a page says when a one-time link to set a password does not work (the reason is not told apart).
LINK_INVALID = bilingual(
    "Ten link jest nieważny: wygasł, został już użyty albo konto jest wyłączone. Poproś administratora o nowy link.",
    "This link is not valid: it has expired, has been used, or the account is disabled. Ask your administrator "
    "for a new link.")


def utc(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def change_words(change: str, detail: dict, names: dict[str, str]) -> Message:
    """One entry of an account's history in words (institutions by name)."""
    def role(value: str | None) -> Message:
        return ROLE_WORDS[Role(value)] if value in set(Role) else Message.untranslated(str(value))

    def institution(value: str | None) -> str:
        return names.get(value, value) if value else "—"

    name = detail.get("name") or "—"
    if change == "added":
        r = role(detail.get("role"))
        return bilingual(f"Dodano konto: {r.pl}, instytucja {institution(detail.get('institution_id'))}",
                         f"Account added: {r.en}, institution {institution(detail.get('institution_id'))}")
    if change == "role":
        old, new = role(detail.get("old")), role(detail.get("new"))
        return bilingual(f"Zmiana roli: {old.pl} → {new.pl}", f"Role changed: {old.en} → {new.en}")
    if change == "institution":
        old, new = institution(detail.get("old")), institution(detail.get("new"))
        return bilingual(f"Zmiana instytucji: {old} → {new}", f"Institution changed: {old} → {new}")
    words = {
        "disabled": bilingual("Konto wyłączone", "Account disabled"),
        "password_link": bilingual("Wydano link do ustawienia hasła", "Link to set the password issued"),
        "password_set": bilingual("Hasło ustawione z linku", "Password set with the link"),
        "token_created": bilingual(f"Utworzono token API „{name}”", f"API token “{name}” created"),
        "token_revoked": bilingual(f"Unieważniono token API „{name}”", f"API token “{name}” revoked"),
    }
    return words.get(change, Message.untranslated(change))
