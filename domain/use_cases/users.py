"""User accounts as an admin manages them: list, add, disable — within the admin's municipality
(the deployment's admin: every municipality)."""

from __future__ import annotations

from uuid import UUID

from domain.application import Splot
from domain.errors import NotFound, ValidationFailed, bilingual
from domain.policy import Action, Role, User, authorize, check_not_self
from domain.ports import Accounts, ReadModels
from domain.values import stable_id

# Whoever runs `splot` on the server acts as the deployment's administrator (there is no sign-in there).
OPERATOR = User(id=stable_id("user", "operator"), email="operator@localhost", role=Role.ADMIN, institution_id=None,
                active=True, municipality_id=None)


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
