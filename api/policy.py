"""Who may do what: the one place the API decides authorization.

Two questions, asked by every route through `api.deps`:

1. May this role perform this action at all? (`ROLE_ACTIONS`; no -> 403)
2. For staff and leads, is the institution concerned their own? (`check_acts_for`; no -> 403,
   or 404 for a record they are not party to, so its existence does not leak).

| role | may |
|---|---|
| staff, lead | read the registry and the strategy; register firms; record, correct and retract activity of their own institution; manage the members of their own cluster (or a cluster their institution runs); read records their institution takes part in |
| lead | as staff, and signs off their own institution's records of a year; reads a year's closing status |
| coordinator | everything except user management and sign-offs, for any institution; owns the network registry and the strategy; closes and reopens years |
| auditor | read everything (including the audit trail and a year's closing status); change nothing |
| admin | manage users; read the registry (to place users in institutions) |
"""

from __future__ import annotations

from enum import StrEnum
from typing import Iterable
from uuid import UUID

from api.errors import ApiError
from domain.values import Actor
from infra.users import INSTITUTION_ROLES, Role, User
from domain.errors import bilingual


class Action(StrEnum):
    READ_REGISTRY = "read_registry"
    MANAGE_REGISTRY = "manage_registry"  # register institutions, network membership
    REGISTER_FIRM = "register_firm"
    MANAGE_CLUSTER = "manage_cluster"  # firms joining / leaving a cluster
    READ_RECORDS = "read_records"
    WRITE_RECORDS = "write_records"  # record, correct, retract
    READ_STRATEGY = "read_strategy"
    PUBLISH_REPORT = "publish_report"  # publish a task report, reproducible later exactly as published
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"  # the audit trail and published report versions
    READ_YEAR_STATUS = "read_year_status"  # who signed off a year, closed or open, reopened for whom, versions
    SIGN_OFF_YEAR = "sign_off_year"  # a lead vouches for their own institution's records of a year
    CLOSE_YEAR = "close_year"  # close a year (freezing a report version); reopen it for one institution or the strategy


# What a 403 tells the user: the action in words (Polish first), never its internal name.
ACTION_DESCRIPTIONS: dict[Action, str] = {
    Action.READ_REGISTRY: "Ta rola nie może przeglądać rejestru instytucji i firm "
                          "(this role may not read the registry of institutions and firms)",
    Action.MANAGE_REGISTRY: "Ta rola nie może zarządzać rejestrem instytucji "
                            "(this role may not manage the institution registry)",
    Action.REGISTER_FIRM: "Ta rola nie może rejestrować firm (this role may not register firms)",
    Action.MANAGE_CLUSTER: "Ta rola nie może zmieniać składu klastrów "
                           "(this role may not change the members of a cluster)",
    Action.READ_RECORDS: "Ta rola nie może przeglądać rejestru działań "
                         "(this role may not read the register of activities)",
    Action.WRITE_RECORDS: "Ta rola nie może zapisywać, poprawiać ani wycofywać działań "
                          "(this role may not record, correct or retract activities)",
    Action.READ_STRATEGY: "Ta rola nie może przeglądać strategii i wskaźników "
                          "(this role may not read the strategy and its indicators)",
    Action.PUBLISH_REPORT: "Ta rola nie może publikować raportów ze strategii "
                           "(this role may not publish strategy reports)",
    Action.MANAGE_USERS: "Ta rola nie może zarządzać kontami użytkowników (this role may not manage user accounts)",
    Action.READ_AUDIT: "Ta rola nie może przeglądać śladu audytowego ani zamkniętych lat "
                       "(this role may not read the audit trail or closed years)",
    Action.READ_YEAR_STATUS: "Ta rola nie może sprawdzać stanu zamknięcia roku "
                             "(this role may not read the closing status of a year)",
    Action.SIGN_OFF_YEAR: "Ta rola nie może zatwierdzać działań instytucji za rok "
                          "(this role may not sign off an institution's records of a year)",
    Action.CLOSE_YEAR: "Ta rola nie może zamykać ani ponownie otwierać roku sprawozdawczego "
                       "(this role may not close or reopen a reporting year)",
}

_INSTITUTION_STAFF = frozenset({Action.READ_REGISTRY, Action.REGISTER_FIRM, Action.MANAGE_CLUSTER,
                                Action.READ_RECORDS, Action.WRITE_RECORDS, Action.READ_STRATEGY})

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.STAFF: _INSTITUTION_STAFF,
    Role.LEAD: _INSTITUTION_STAFF | {Action.SIGN_OFF_YEAR, Action.READ_YEAR_STATUS},
    # A sign-off is the institution's own word on its records: the coordinator cannot give it for them.
    Role.COORDINATOR: frozenset(Action) - {Action.MANAGE_USERS, Action.SIGN_OFF_YEAR},
    Role.AUDITOR: frozenset({Action.READ_REGISTRY, Action.READ_RECORDS, Action.READ_STRATEGY, Action.READ_AUDIT,
                             Action.READ_YEAR_STATUS}),
    Role.ADMIN: frozenset({Action.READ_REGISTRY, Action.MANAGE_USERS}),
}


def forbidden(detail: str, field: str | None = None) -> ApiError:
    return ApiError(403, "forbidden", detail, field=field)


def check_action(user: User, action: Action) -> None:
    if action not in ROLE_ACTIONS[user.role]:
        raise forbidden(f"{ACTION_DESCRIPTIONS[action]}.")


def scoped_to_institution(user: User) -> bool:
    """Staff and leads act for their own institution only; the other roles are not scoped."""
    return user.role in INSTITUTION_ROLES


def check_acts_for(user: User, institution_ids: Iterable[UUID | None], *, field: str) -> None:
    """Staff and leads may act only where one of `institution_ids` is their own institution."""
    if scoped_to_institution(user) and user.institution_id not in set(institution_ids):
        raise forbidden(
            bilingual("Możesz działać tylko w imieniu swojej instytucji.", "You may act only for your own institution."),
            field=field)


def check_filter_institution(user: User, institution_id: UUID | None) -> UUID | None:
    """The institution a staff member's listing is limited to (their own); others may filter freely."""
    if not scoped_to_institution(user):
        return institution_id
    if institution_id is not None and institution_id != user.institution_id:
        raise forbidden(bilingual("Możesz przeglądać tylko rejestr swojej instytucji.",
                                  "You may list only your own institution's records."), field="institution")
    return user.institution_id


def can_see_record(user: User, involved_institutions: Iterable[UUID]) -> bool:
    return not scoped_to_institution(user) or user.institution_id in set(involved_institutions)


def check_not_self(user: User, target_user_id: UUID) -> None:
    """An admin cannot lock themselves out (there must stay someone who manages users)."""
    if user.id == target_user_id:
        raise ApiError(409, "invariant_violated", bilingual("Nie można wyłączyć własnego konta.", "You cannot disable yourself."),
                       field="user_id")


def actor_of(user: User) -> Actor:
    """The acting user as the domain sees them: an opaque id (no e-mail in events) and institution."""
    return Actor(user_id=str(user.id), institution_id=user.institution_id)
