"""User accounts as an admin manages them: list, add (with a one-time link to set the password), change a
role or institution, disable — within the admin's municipality (the deployment's admin: every municipality),
never leaving a municipality without an active admin; and API tokens, which every user manages for
themselves (an admin may also revoke those of their municipality's users). Every change of an account is
kept in its history (who, what, when) and is an event of the audit trail (domain/security_log.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.application import Splot
from domain.errors import DomainError, InvariantViolated, NotFound, ValidationFailed, bilingual
from domain.policy import INSTITUTION_ROLES, Action, Role, User, authorize, check_not_self, needs_second_factor
from domain.ports import Accounts, ReadModels
from domain.security_log import PASSWORD_BY_LINK, PASSWORD_CHANGED
from domain.security_log import AccountChange as AccountEvent  # user_views.AccountChange is a history row
from domain.use_cases.api_tokens import ApiTokenUseCases
from domain.use_cases.scope import Scopes
from domain.use_cases.sign_in import SecurityLog
from domain.use_cases.user_views import (LINK_INVALID, ROLE_WORDS, AccountChange, AccountChoices, AccountRow,
                                         AccountView, PasswordLink, change_words, utc)
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


class UserUseCases(ApiTokenUseCases):
    def __init__(self, accounts: Accounts, store: Splot, reads: ReadModels) -> None:
        self.accounts = accounts
        self.store = store
        self.reads = reads
        self.scopes = Scopes(reads)
        self.security = SecurityLog(store, self.scopes)  # account and token changes in the audit trail

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
        user = self.accounts.add(email=email, password=password, role=role, institution_id=institution_id,
                                 municipality_id=municipality_id)
        self.security.account(AccountEvent.UserAdded, account=user, by=admin, role=user.role.value,
                              institution_id=user.institution_id, invited=False)
        return user

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
        self.security.account(AccountEvent.PasswordSet, account=user, by=user, how=PASSWORD_CHANGED)

    def _municipality_of_institution(self, institution_id: UUID) -> UUID:
        network = self.store.get_network(self.store.get_institution(institution_id).network_id)
        return network.municipality_ids[0]

    def disable(self, admin: User, user_id: UUID) -> User:
        """The user can no longer sign in and their tokens stop working; never the last active admin."""
        target = self.get(admin, user_id)
        check_not_self(admin, target.id)
        if not target.active:
            return target
        admins = self._check_admin_stays(target, role=target.role, active=False)
        changed = self.accounts.update_access(target.id, role=target.role, institution_id=target.institution_id,
                                              active=False, by=admin.actor.user_id, expected_admins=admins)
        self.security.account(AccountEvent.UserDisabled, account=changed, by=admin)
        return changed

    def set_role(self, admin: User, user_id: UUID, *, role: str, institution_id: UUID | None) -> User:
        """A new role and institution for the user (both as they should be after the change). Staff and leads
        need an institution; it must be one of the user's municipality. The last active admin keeps the role
        (an admin may give up their own only while another admin can manage the accounts)."""
        target = self.get(admin, user_id)
        new_role = _role_with_institution(role, institution_id)
        admins = self._check_admin_stays(target, role=new_role, active=target.active)
        if target.municipality_id is None and new_role != Role.ADMIN:
            raise InvariantViolated(bilingual(
                "Administrator całego wdrożenia nie należy do żadnej gminy: może mieć tylko rolę administratora.",
                "The deployment's administrator belongs to no municipality: their role can only be administrator."),
                field="role")
        if institution_id is not None:
            self._check_institution(institution_id, target.municipality_id)
        changed = self.accounts.update_access(target.id, role=new_role, institution_id=institution_id,
                                              active=target.active, by=admin.actor.user_id, expected_admins=admins)
        if (changed.role, changed.institution_id) != (target.role, target.institution_id):
            self.security.account(AccountEvent.AccessChanged, account=changed, by=admin,
                                  previous_role=target.role.value, role=changed.role.value,
                                  previous_institution_id=target.institution_id,
                                  institution_id=changed.institution_id)
        return changed

    def _check_institution(self, institution_id: UUID, municipality_id: UUID | None) -> None:
        """The institution exists and (for a user of a municipality) is one of that municipality's."""
        try:
            found = self._municipality_of_institution(institution_id)
        except DomainError:
            found = None
        if found is None or (municipality_id is not None and found != municipality_id):
            raise ValidationFailed(bilingual("Wybierz instytucję z listy: tej instytucji nie ma w gminie użytkownika.",
                                             "Choose an institution from the list: this one is not in the user's "
                                             "municipality."), field="institution_id")

    def _check_admin_stays(self, target: User, *, role: Role, active: bool) -> list[UUID]:
        """Refuses a change that would leave no active admin able to manage the target's accounts: for a user of
        a municipality, an admin of it or of the deployment; for the deployment's admin, another such admin.
        Returns the active admins the decision rests on (the store writes only if they are still the same)."""
        admins = [u for u in self.accounts.list() if u.role == Role.ADMIN and u.active]
        stays_admin = role == Role.ADMIN and active
        if target.role == Role.ADMIN and target.active and not stays_admin:
            covering = [a for a in admins if a.id != target.id and a.municipality_id in (None, target.municipality_id)]
            if not covering:
                if not active:
                    raise InvariantViolated(bilingual(
                        "Nie można wyłączyć ostatniego aktywnego administratora: nikt nie mógłby wtedy zarządzać "
                        "kontami. Najpierw dodaj innego administratora.",
                        "The last active administrator cannot be disabled: nobody could manage accounts then. "
                        "Add another administrator first."), field="user_id")
                raise InvariantViolated(bilingual(
                    "Nie można odebrać roli ostatniemu aktywnemu administratorowi: nikt nie mógłby wtedy zarządzać "
                    "kontami. Najpierw dodaj innego administratora.",
                    "The last active administrator cannot lose the role: nobody could manage accounts then. "
                    "Add another administrator first."), field="role")
        return [a.id for a in admins]

    # ------------------------------------------------------------------ the admin's pages
    def _institution_names(self, admin: User) -> dict[str, str]:
        networks = self.scopes.of(admin).network_texts
        return {row["id"]: f"{row['short_name']} – {row['name']}" for row in self.reads.institutions(network_ids=networks)}

    def _row(self, target: User, names: dict[str, str]) -> AccountRow:
        institution = None
        if target.institution_id is not None:
            institution = names.get(str(target.institution_id), str(target.institution_id))
        return AccountRow(user=target, role_words=ROLE_WORDS[target.role], institution=institution,
                          second_factor=bool(self.accounts.totp_secret(target.id)))

    def accounts_overview(self, admin: User) -> list[AccountRow]:
        """The users the admin manages, by e-mail, with their institution by name and second factor."""
        users = self.list(admin)
        names = self._institution_names(admin)
        return [self._row(u, names) for u in users]

    def account(self, admin: User, user_id: UUID) -> AccountView:
        """One user as the admin sees them: the row, the history of the account in words, the API tokens."""
        target = self.get(admin, user_id)
        names = self._institution_names(admin)
        changes = [AccountChange(changed_at=utc(c["changed_at"]), changed_by=self._who(admin, c["changed_by"]),
                                 what=change_words(c["change"], c["detail"], names))
                   for c in self.accounts.changes(target.id)]
        return AccountView(row=self._row(target, names), changes=changes, tokens=self._tokens(target),
                           link_expires_at=self.accounts.pending_password_link(target.id))

    def profile(self, user: User) -> AccountView:
        """The signed-in user's own account: role in words, institution by name, their API tokens (newest first)."""
        return AccountView(row=self._row(user, self._institution_names(user)), changes=[],
                           tokens=self.my_tokens(user), link_expires_at=None)

    def _who(self, viewer: User, user_id: str) -> str:
        """Who changed an account: as `display_name` says, except that the deployment's admin, whom a
        municipality's admin does not see, is named by their role instead of an opaque id."""
        shown = self.display_name(viewer, user_id)
        if shown == user_id:
            try:
                actor = self.accounts.get(UUID(user_id))
            except (ValueError, NotFound):
                return shown
            if actor.administers_deployment:
                return bilingual("administrator wdrożenia", "the deployment's administrator")
        return shown

    def choices(self, admin: User) -> AccountChoices:
        """Roles in words and institutions by name for the add and change forms."""
        authorize(admin, Action.MANAGE_USERS)
        names = self._institution_names(admin)
        municipalities: list[tuple[str, str]] = []
        if admin.municipality_id is None:
            rows = self.reads.municipalities()
            if len(rows) > 1:
                municipalities = [(row["id"], row["name"]) for row in rows]
        return AccountChoices(roles=[(r.value, ROLE_WORDS[r]) for r in Role],
                              institutions=sorted(names.items(), key=lambda item: item[1]),
                              municipalities=municipalities)

    def invite(self, admin: User, *, email: str, role: str, institution_id: UUID | None = None,
               municipality_id: UUID | None = None) -> PasswordLink:
        """A new user without a password, and the one-time link with which they set it themselves: the admin
        never knows it. The municipality is decided as for `add`; staff and leads need an institution."""
        authorize(admin, Action.MANAGE_USERS)
        new_role = _role_with_institution(role, institution_id)
        if institution_id is not None:
            self._check_institution(institution_id, admin.municipality_id)
        municipality_id = self._municipality_for(admin, new_role, institution_id, municipality_id)
        user, link = self.accounts.add_invited(email=email, role=new_role.value, institution_id=institution_id,
                                               municipality_id=municipality_id, by=admin.actor.user_id)
        self.security.account(AccountEvent.UserAdded, account=user, by=admin, role=user.role.value,
                              institution_id=user.institution_id, invited=True)
        return PasswordLink(user=user, path=link.path, expires_at=link.expires_at)

    def _municipality_for(self, admin: User, role: Role, institution_id: UUID | None,
                          municipality_id: UUID | None) -> UUID | None:
        if institution_id is not None:
            municipality_id = self._municipality_of_institution(institution_id)
        if admin.municipality_id is not None:
            if municipality_id not in (None, admin.municipality_id):
                raise ValidationFailed(bilingual("Możesz dodawać użytkowników tylko swojej gminy.",
                                                 "You may add users of your own municipality only."),
                                       field="municipality_id")
            return admin.municipality_id
        if municipality_id is None and role != Role.ADMIN:
            municipalities = self.reads.municipalities()
            if len(municipalities) != 1:
                raise ValidationFailed(bilingual("Magazyn obsługuje kilka gmin: wskaż gminę użytkownika.",
                                                 "The store serves several municipalities: name the user's."),
                                       field="municipality_id")
            return UUID(municipalities[0]["id"])
        if municipality_id is not None and str(municipality_id) not in {r["id"] for r in self.reads.municipalities()}:
            raise ValidationFailed(bilingual("Wybierz gminę z listy.", "Choose a municipality from the list."),
                                   field="municipality_id")
        return municipality_id

    def reset_second_factor(self, admin: User, user_id: UUID) -> User:
        """Removes a user's second factor after a lost phone (`splot user reset-second-factor`): their next
        sign-in enrols a new one. The caller ends their sessions. Audited (`AccountChange.SecondFactorReset`)."""
        target = self.get(admin, user_id)
        self.accounts.reset_totp(target.email)
        self.security.account(AccountEvent.SecondFactorReset, account=target, by=admin)
        return target

    def issue_password_link(self, admin: User, user_id: UUID) -> PasswordLink:
        """A new one-time link for the user to set their password (after a forgotten one); older links end."""
        target = self.get(admin, user_id)
        link = self.accounts.issue_password_link(target.id, by=admin.actor.user_id)
        self.security.account(AccountEvent.PasswordLinkIssued, account=target, by=admin)
        return PasswordLink(user=target, path=link.path, expires_at=link.expires_at)

    # ------------------------------------------------------------------ the link, opened by its person
    # No signed-in user here: the link itself is the proof (one-time, short-lived, only its hash is stored).
    def password_link_account(self, token: str) -> User:
        """Whose live link this is; NotFound when it is not live."""
        user = self.accounts.password_link_user(token)
        if user is None:
            raise NotFound(LINK_INVALID, field="token")
        return user

    def set_password_with_link(self, token: str, *, password: str, repeated: str) -> User:
        """The person sets their password with the link (spent by it); the input is checked before the link."""
        self.password_link_account(token)
        if password != repeated:
            raise ValidationFailed(bilingual("Hasła nie są takie same.", "The passwords do not match."),
                                   field="repeated_password")
        user = self.accounts.set_password_with_link(token, password)
        if user is None:
            raise NotFound(LINK_INVALID, field="token")
        self.security.account(AccountEvent.PasswordSet, account=user, by=user, how=PASSWORD_BY_LINK)
        return user

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
        self.security.account(AccountEvent.SecondFactorEnrolled, account=user, by=user)

    @staticmethod
    def well_formed_code(code: str) -> bool:
        """Six digits (spaces aside): a refused well-formed code is a failed second factor, not a typo."""
        return _code_refused(code) is None

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


def _role_with_institution(role: str, institution_id: UUID | None) -> Role:
    """The role picked on a form, and the institution it needs: staff and leads act for one."""
    try:
        new_role = Role(role)
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz rolę z listy.", "Choose a role from the list."),
                               field="role") from None
    if new_role in INSTITUTION_ROLES and institution_id is None:
        raise ValidationFailed(bilingual(
            f"{ROLE_WORDS[new_role].pl.capitalize()} działa w imieniu instytucji: wybierz ją z listy.",
            f"An {ROLE_WORDS[new_role].en} user acts for an institution: choose it from the list."),
            field="institution_id")
    return new_role
