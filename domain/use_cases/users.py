"""User accounts as an admin manages them: list, add, disable — within the admin's municipality
(the deployment's admin: every municipality)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.application import Splot
from domain.errors import NotFound, ValidationFailed, bilingual
from domain.policy import Action, Role, User, authorize, check_not_self, needs_second_factor
from domain.ports import Accounts, ReadModels
from domain.values import stable_id

# Whoever runs `splot` on the server acts as the deployment's administrator (there is no sign-in there).
OPERATOR = User(id=stable_id("user", "operator"), email="operator@localhost", role=Role.ADMIN, institution_id=None,
                active=True, municipality_id=None)


class SignInStep(StrEnum):
    """What signing in asks for after a correct password."""

    DONE = "done"  # nothing more: a full session
    CODE = "code"  # the TOTP code
    ENROL = "enrol"  # first sign-in of a coordinator or admin: scan the QR code, then give a code


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # shown as text too, for typing into the app by hand
    uri: str  # otpauth:// URI, as the QR code carries it
    qr_svg: str  # the QR code, drawn on the server as inline SVG


def _code_refused(code: str) -> ValidationFailed | None:
    digits = "".join((code or "").split())
    if not digits:
        return ValidationFailed(bilingual("Wpisz 6-cyfrowy kod z aplikacji uwierzytelniającej.",
                                          "Enter the 6-digit code from your authenticator app."), field="code")
    if len(digits) != 6 or not digits.isdigit():
        return ValidationFailed(bilingual("Kod musi składać się z 6 cyfr.", "The code must be 6 digits."), field="code")
    return None


WRONG_CODE = bilingual("Kod jest nieprawidłowy albo wygasł. Wpisz kod, który aplikacja pokazuje teraz.",
                       "The code is wrong or has expired. Enter the code your app shows now.")
USED_CODE = bilingual("Ten kod został już użyty. Poczekaj, aż aplikacja pokaże nowy kod, i wpisz go.",
                      "This code has already been used. Wait for your app to show a new code and enter that one.")


class UserUseCases:
    def __init__(self, accounts: Accounts, store: Splot, reads: ReadModels) -> None:
        self.accounts = accounts
        self.store = store
        self.reads = reads

    def _visible(self, admin: User, target: User) -> bool:
        return admin.municipality_id is None or target.municipality_id == admin.municipality_id

    def list(self, admin: User) -> list[User]:
        authorize(admin, Action.MANAGE_USERS)
        return [u for u in self.accounts.list() if self._visible(admin, u)]

    def get(self, admin: User, user_id: UUID) -> User:
        authorize(admin, Action.MANAGE_USERS)
        target = self.accounts.get(user_id)
        if not self._visible(admin, target):
            raise NotFound(bilingual(f"Nie ma użytkownika o identyfikatorze {user_id}.",
                                     f"No user with id {user_id}."), field="user_id")
        return target

    def add(self, admin: User, *, email: str, password: str, role: str, institution_id: UUID | None = None,
            municipality_id: UUID | None = None) -> User:
        """A user of one municipality: the institution's, else the admin's own, else (the deployment's admin
        adding a non-admin) the one municipality of the store — with several, it must be named."""
        authorize(admin, Action.MANAGE_USERS)
        if institution_id is not None:
            municipality_id = self._municipality_of_institution(institution_id)
        if admin.municipality_id is not None:
            if municipality_id not in (None, admin.municipality_id):
                raise ValidationFailed(bilingual("Możesz dodawać użytkowników tylko swojej gminy.",
                                                 "You may add users of your own municipality only."),
                                       field="municipality_id")
            municipality_id = admin.municipality_id
        elif municipality_id is None and role != Role.ADMIN:
            municipalities = self.reads.municipalities()
            if len(municipalities) != 1:
                raise ValidationFailed(bilingual("Magazyn obsługuje kilka gmin: wskaż gminę użytkownika.",
                                                 "The store serves several municipalities: name the user's."),
                                       field="municipality_id")
            municipality_id = UUID(municipalities[0]["id"])
        return self.accounts.add(email=email, password=password, role=role, institution_id=institution_id,
                                 municipality_id=municipality_id)

    def display_name(self, viewer: User, user_id: str | None) -> str:
        """How a page names who recorded something: their e-mail address within the viewer's
        municipality; an operator at a shell by their name; anyone else by the opaque id."""
        if not user_id:
            return "—"
        try:
            target = self.accounts.get(UUID(user_id))
        except (ValueError, NotFound):
            return user_id
        return target.email if self._visible(viewer, target) else user_id

    def change_password(self, user: User, *, current: str, new: str, repeated: str) -> None:
        """Any signed-in user changes their own password, giving the current one."""
        if self.accounts.verify_password(user.email, current or "") is None:
            raise ValidationFailed(bilingual("Obecne hasło jest nieprawidłowe.", "The current password is wrong."),
                                   field="current_password")
        if new != repeated:
            raise ValidationFailed(bilingual("Nowe hasła nie są takie same.", "The new passwords do not match."),
                                   field="repeated_password")
        try:
            self.accounts.set_password(user.id, new)
        except ValidationFailed as error:
            raise ValidationFailed(error.text, field="new_password") from None

    def _municipality_of_institution(self, institution_id: UUID) -> UUID:
        network = self.store.get_network(self.store.get_institution(institution_id).network_id)
        return network.municipality_ids[0]

    def disable(self, admin: User, user_id: UUID) -> User:
        target = self.get(admin, user_id)
        check_not_self(admin, target.id)
        return self.accounts.disable(target.email)

    # ------------------------------------------------------------------ second factor at sign-in
    # `user` is the person whose password was just checked (their session still waits for the code).
    def second_factor_step(self, user: User) -> SignInStep:
        """What a correct password leads to; on ENROL a new secret is offered (kept until confirmed)."""
        if not needs_second_factor(user):
            return SignInStep.DONE
        if self.accounts.totp_secret(user.id):
            return SignInStep.CODE
        self.accounts.offer_totp_secret(user.id, self.accounts.second_factor.new_secret())
        return SignInStep.ENROL

    def totp_enrolment(self, user: User, *, qr_title: str) -> TotpEnrolment | None:
        """The secret offered to `user` with its QR code (`qr_title` its text alternative); None when they
        are enrolled already or nothing is offered (then sign-in asks for a code, or starts again)."""
        if self.accounts.totp_secret(user.id):
            return None
        secret = self.accounts.pending_totp_secret(user.id)
        if not secret:
            return None
        factor = self.accounts.second_factor
        uri = factor.provisioning_uri(secret, user.email)
        return TotpEnrolment(secret=secret, uri=uri, qr_svg=factor.qr_svg(uri, qr_title))

    def confirm_totp_enrolment(self, user: User, code: str) -> None:
        """The first code from the app proves it holds the offered secret, which becomes the user's.
        The code's step counts as used: it cannot be given again at the next sign-in."""
        if (refused := _code_refused(code)) is not None:
            raise refused
        secret = self.accounts.pending_totp_secret(user.id)
        step = self.accounts.second_factor.step_of(secret, code) if secret else None
        if step is None:
            raise ValidationFailed(WRONG_CODE, field="code")
        self.accounts.enrol_totp(user.id, secret)
        self.accounts.accept_totp_step(user.id, step)

    def check_totp_code(self, user: User, code: str) -> None:
        """A code from the user's app, for the current time-step or one either side, and newer than the last
        one accepted: a code (or an older one) is never accepted twice."""
        if (refused := _code_refused(code)) is not None:
            raise refused
        secret = self.accounts.totp_secret(user.id)
        step = self.accounts.second_factor.step_of(secret, code) if secret else None
        if step is None:
            raise ValidationFailed(WRONG_CODE, field="code")
        if not self.accounts.accept_totp_step(user.id, step):
            raise ValidationFailed(USED_CODE, field="code")
