"""Who may do what: the one place Splot decides authorization, for every face (JSON API, pages, CLI).

Three questions, asked by the use cases (`domain/use_cases/`), never by a route:

1. May this role perform this action at all? (`ROLE_ACTIONS`; no -> `Forbidden`)
2. For staff and leads, is the institution concerned their own? (`check_acts_for`; no -> `Forbidden`,
   or `NotFound` for a record they are not party to, so its existence does not leak).
3. Is the thing in the user's municipality? (the use cases scope every query and check to the
   networks of the user's municipality; anything else is `NotFound`.)

| role | may |
|---|---|
| staff, lead | read the registry and the strategy; register firms; record, correct and retract activity of their own institution; manage the members of their own cluster (or a cluster their institution runs); read records their institution takes part in |
| lead | as staff, and signs off their own institution's records of a year; reads a year's closing status |
| coordinator | everything except user management and sign-offs, for any institution of their municipality; owns the network registry and the strategy; closes and reopens years |
| auditor | read everything of their municipality (including the audit trail and a year's closing status); change nothing |
| admin | manage users; read the registry (to place users in institutions); an admin of no municipality administers the deployment (creates municipalities, sees every one) |
| dpo | the data-protection officer: finds any contact person of the municipality, exports everything held about them (RODO art. 15), erases them (art. 17), reviews persons past the retention period; nothing else. No other role (not even an admin) has these actions |
| investor_service | the municipality's investor-service staff (issue 14): investor inquiries under codename (with the coordinator, the only ones who see them: anyone else gets 404), the investment-site database, staff training and the service indicators; reads the registry (to name a trainee's institution) |

Shared networks (issue 14; domain/use_cases/shared_networks.py, practices.py): the deployment's admin creates them
and admits municipalities (`MANAGE_MUNICIPALITIES`); a member's coordinator chooses the indicators it shares
(`MANAGE_STRATEGY`); its good practices are read by whoever reads records (`READ_RECORDS`) in a municipality that
is a member today, and published and changed by staff and leads for their own institution or by the city's
coordinator (`WRITE_RECORDS`); the comparison is read with `READ_STRATEGY`. For anyone else a shared network and
its practices are not found.

Security events (sign-ins, account changes, API tokens: domain/security_log.py) are read with the audit trail
(READ_AUDIT: coordinators and auditors, their municipality's and the deployment's own); no other role reads them.

Contact persons: staff and leads list, add and edit their own institution's; a coordinator every one of the
municipality; an auditor sees that a person took part (name, position, institution) but not their contact
details (e-mail, phone). A person of another institution is not found for staff (404), so it does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable
from uuid import UUID

from domain.errors import DomainError, InvariantViolated, Message, bilingual
from domain.values import Actor


class Role(StrEnum):
    STAFF = "staff"  # records and corrects activity of their own institution
    LEAD = "lead"  # institution lead: as staff, for their own institution
    COORDINATOR = "coordinator"  # acts for any institution of the municipality; owns its network and strategy
    AUDITOR = "auditor"  # reads everything, changes nothing
    ADMIN = "admin"  # manages users
    DPO = "dpo"  # data-protection officer: subject access, erasure, retention review of contact persons
    INVESTOR_SERVICE = "investor_service"  # the municipality's investor service: inquiries, sites, training (issue 14)


INSTITUTION_ROLES = frozenset({Role.STAFF, Role.LEAD})  # roles that must belong to an institution


@dataclass(frozen=True)
class User:
    """A signed-in person as the use cases see them. `municipality_id` None: the deployment's admin."""

    id: UUID
    email: str
    role: Role
    institution_id: UUID | None
    active: bool
    municipality_id: UUID | None = None
    acts_as: str | None = None  # how events name an operator at a shell ("cli:<os user>") instead of the id

    @property
    def actor(self) -> Actor:
        """The acting user as events record them: an opaque id (no e-mail in events) and institution."""
        return Actor(user_id=self.acts_as or str(self.id), institution_id=self.institution_id)

    @property
    def administers_deployment(self) -> bool:
        return self.role == Role.ADMIN and self.municipality_id is None


class Forbidden(DomainError):
    """The user is known but may not do this."""

    code = "forbidden"


class Action(StrEnum):
    READ_REGISTRY = "read_registry"
    MANAGE_REGISTRY = "manage_registry"  # register institutions, network membership
    REGISTER_FIRM = "register_firm"
    MANAGE_CLUSTER = "manage_cluster"  # firms joining / leaving a cluster
    READ_RECORDS = "read_records"
    WRITE_RECORDS = "write_records"  # record, correct, retract
    READ_STRATEGY = "read_strategy"
    MANAGE_STRATEGY = "manage_strategy"  # load a strategy file: tasks, stages, indicators, targets, rules
    PUBLISH_REPORT = "publish_report"  # publish a task report, reproducible later exactly as published
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"  # the audit trail and published report versions
    READ_YEAR_STATUS = "read_year_status"  # who signed off a year, closed or open, reopened for whom, versions
    SIGN_OFF_YEAR = "sign_off_year"  # a lead vouches for their own institution's records of a year
    CLOSE_YEAR = "close_year"  # close a year (freezing a report version); reopen it for one institution or the strategy
    MANAGE_MUNICIPALITIES = "manage_municipalities"  # add a municipality to the deployment
    READ_PERSONS = "read_persons"  # list and find contact persons: names, positions, institutions
    READ_CONTACT_DETAILS = "read_contact_details"  # a contact person's e-mail and phone
    MANAGE_PERSONS = "manage_persons"  # add and edit contact persons
    READ_PERSONAL_DATA = "read_personal_data"  # the DPO: everything held about a person, any of the municipality
    ERASE_PERSON = "erase_person"  # the DPO: erase a person (RODO art. 17)
    EXPORT_SUBJECT_DATA = "export_subject_data"  # the DPO: a subject-access export (RODO art. 15)
    REDACT_RECORD = "redact_record"  # the DPO: destroy a record's free text (its key), RODO art. 17
    # investor service (issue 14, domain/investor.py)
    READ_INQUIRIES = "read_investor_inquiries"  # confidential: refused as NotFound, so that none leaks
    MANAGE_INQUIRIES = "manage_investor_inquiries"  # receive, change, answer, close an inquiry
    READ_SITES = "read_investment_sites"  # the investment-site database (and what other members share)
    MANAGE_SITES = "manage_investment_sites"  # register and update sites, photos, sharing
    READ_INVESTOR_SERVICE = "read_investor_service"  # training records and the service indicators (aggregates)
    MANAGE_TRAINING = "manage_investor_training"  # record who was trained in which module of the standard
    SET_SERVICE_STANDARD = "set_investor_service_standard"  # the response time of the municipality's standard
    # Bulk import of an old register (issue 13): the coordinator's alone, as it writes for many institutions at
    # once; leads and staff type their own institution's records.
    IMPORT_RECORDS = "import_records"
    # The joint events calendar (issue 14): read by every municipality role but the admin and the DPO; events are
    # published for one's own institution (the coordinator for any of the municipality's).
    READ_CALENDAR = "read_calendar"  # the calendar of the user's networks, its iCalendar feeds and reminders
    PUBLISH_EVENTS = "publish_events"  # publish, edit, move and cancel events; record an event's attendance


# What a refusal tells the user: the action in words, never its internal name.
ACTION_DESCRIPTIONS: dict[Action, Message] = {
    Action.READ_REGISTRY: bilingual("Ta rola nie może przeglądać rejestru instytucji i firm",
                                    "this role may not read the registry of institutions and firms"),
    Action.MANAGE_REGISTRY: bilingual("Ta rola nie może zarządzać rejestrem instytucji",
                                      "this role may not manage the institution registry"),
    Action.REGISTER_FIRM: bilingual("Ta rola nie może rejestrować firm", "this role may not register firms"),
    Action.MANAGE_CLUSTER: bilingual("Ta rola nie może zmieniać składu klastrów",
                                     "this role may not change the members of a cluster"),
    Action.READ_RECORDS: bilingual("Ta rola nie może przeglądać rejestru działań",
                                   "this role may not read the register of activities"),
    Action.WRITE_RECORDS: bilingual("Ta rola nie może zapisywać, poprawiać ani wycofywać działań",
                                    "this role may not record, correct or retract activities"),
    Action.READ_STRATEGY: bilingual("Ta rola nie może przeglądać strategii i wskaźników",
                                    "this role may not read the strategy and its indicators"),
    Action.MANAGE_STRATEGY: bilingual("Ta rola nie może zmieniać strategii", "this role may not change the strategy"),
    Action.PUBLISH_REPORT: bilingual("Ta rola nie może publikować raportów ze strategii",
                                     "this role may not publish strategy reports"),
    Action.MANAGE_USERS: bilingual("Ta rola nie może zarządzać kontami użytkowników",
                                   "this role may not manage user accounts"),
    Action.READ_AUDIT: bilingual("Ta rola nie może przeglądać śladu audytowego ani zamkniętych lat",
                                 "this role may not read the audit trail or closed years"),
    Action.READ_YEAR_STATUS: bilingual("Ta rola nie może sprawdzać stanu zamknięcia roku",
                                       "this role may not read the closing status of a year"),
    Action.SIGN_OFF_YEAR: bilingual("Ta rola nie może zatwierdzać działań instytucji za rok",
                                    "this role may not sign off an institution's records of a year"),
    Action.CLOSE_YEAR: bilingual("Ta rola nie może zamykać ani ponownie otwierać roku sprawozdawczego",
                                 "this role may not close or reopen a reporting year"),
    Action.MANAGE_MUNICIPALITIES: bilingual("Ta rola nie może dodawać gmin do wdrożenia",
                                            "this role may not add municipalities to the deployment"),
    Action.READ_PERSONS: bilingual("Ta rola nie może przeglądać osób kontaktowych",
                                   "this role may not read the contact persons"),
    Action.READ_CONTACT_DETAILS: bilingual("Ta rola nie może widzieć danych kontaktowych osób – adresów e-mail "
                                           "i telefonów",
                                           "this role may not see persons' contact details, their e-mail and phone"),
    Action.MANAGE_PERSONS: bilingual("Ta rola nie może dodawać ani zmieniać osób kontaktowych",
                                     "this role may not add or change contact persons"),
    Action.READ_PERSONAL_DATA: bilingual("Ta rola nie może przeglądać wszystkich danych osoby kontaktowej – robi to "
                                         "tylko inspektor ochrony danych",
                                         "this role may not read everything held about a contact person; only the "
                                         "data-protection officer does"),
    Action.ERASE_PERSON: bilingual("Ta rola nie może usuwać danych osób kontaktowych – robi to tylko inspektor "
                                   "ochrony danych",
                                   "this role may not erase contact persons; only the data-protection officer does"),
    Action.EXPORT_SUBJECT_DATA: bilingual("Ta rola nie może wydawać danych osób kontaktowych na podstawie art. 15 "
                                          "RODO – robi to tylko inspektor ochrony danych",
                                          "this role may not export a contact person's data under GDPR art. 15; "
                                          "only the data-protection officer does"),
    Action.REDACT_RECORD: bilingual("Ta rola nie może usuwać treści wpisów – robi to tylko inspektor ochrony danych",
                                    "this role may not redact the text of records; only the data-protection officer "
                                    "does"),
    Action.IMPORT_RECORDS: bilingual("Ta rola nie może importować rejestrów działań z plików",
                                     "this role may not import registers of activities from files"),
    Action.READ_INQUIRIES: bilingual("Ta rola nie może przeglądać zapytań inwestorów",
                                     "this role may not read investor inquiries"),
    Action.MANAGE_INQUIRIES: bilingual("Ta rola nie może zapisywać zapytań inwestorów",
                                       "this role may not record investor inquiries"),
    Action.READ_SITES: bilingual("Ta rola nie może przeglądać bazy terenów inwestycyjnych",
                                 "this role may not read the investment-site database"),
    Action.MANAGE_SITES: bilingual("Ta rola nie może zmieniać bazy terenów inwestycyjnych",
                                   "this role may not change the investment-site database"),
    Action.READ_INVESTOR_SERVICE: bilingual("Ta rola nie może przeglądać szkoleń i wskaźników obsługi inwestora",
                                            "this role may not read the investor-service training and indicators"),
    Action.MANAGE_TRAINING: bilingual("Ta rola nie może zapisywać szkoleń ze standardu obsługi inwestora",
                                      "this role may not record training in the investor-service standard"),
    Action.SET_SERVICE_STANDARD: bilingual("Ta rola nie może zmieniać czasu odpowiedzi w standardzie obsługi "
                                           "inwestora",
                                           "this role may not change the response time of the investor-service "
                                           "standard"),
    Action.READ_CALENDAR: bilingual("Ta rola nie może przeglądać kalendarza wydarzeń",
                                    "this role may not read the events calendar"),
    Action.PUBLISH_EVENTS: bilingual("Ta rola nie może publikować ani zmieniać wydarzeń w kalendarzu",
                                     "this role may not publish or change events in the calendar"),
}

_PERSONS = frozenset({Action.READ_PERSONS, Action.READ_CONTACT_DETAILS, Action.MANAGE_PERSONS})
_INSTITUTION_STAFF = frozenset({Action.READ_REGISTRY, Action.REGISTER_FIRM, Action.MANAGE_CLUSTER,
                                Action.READ_RECORDS, Action.WRITE_RECORDS, Action.READ_STRATEGY,
                                Action.READ_CALENDAR, Action.PUBLISH_EVENTS}) | _PERSONS
# The data-protection officer's own: given to no other role, an admin included (issue 12).
_DATA_PROTECTION = frozenset({Action.READ_PERSONAL_DATA, Action.ERASE_PERSON, Action.EXPORT_SUBJECT_DATA,
                              Action.REDACT_RECORD})

# The investor service's own (issue 14): its staff and the coordinator (who has every action but a few).
_INVESTOR_SERVICE = frozenset({Action.READ_INQUIRIES, Action.MANAGE_INQUIRIES, Action.READ_SITES,
                               Action.MANAGE_SITES, Action.READ_INVESTOR_SERVICE, Action.MANAGE_TRAINING})

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.STAFF: _INSTITUTION_STAFF | {Action.READ_SITES},
    Role.LEAD: _INSTITUTION_STAFF | {Action.SIGN_OFF_YEAR, Action.READ_YEAR_STATUS, Action.READ_SITES},
    # A sign-off is the institution's own word on its records: the coordinator cannot give it for them.
    Role.COORDINATOR: frozenset(Action) - {Action.MANAGE_USERS, Action.SIGN_OFF_YEAR, Action.MANAGE_MUNICIPALITIES}
    - _DATA_PROTECTION,
    Role.AUDITOR: frozenset({Action.READ_REGISTRY, Action.READ_RECORDS, Action.READ_STRATEGY, Action.READ_AUDIT,
                             Action.READ_YEAR_STATUS, Action.READ_PERSONS, Action.READ_SITES,
                             Action.READ_INVESTOR_SERVICE, Action.READ_CALENDAR}),
    Role.ADMIN: frozenset({Action.READ_REGISTRY, Action.MANAGE_USERS}),
    Role.DPO: frozenset({Action.READ_REGISTRY}) | _DATA_PROTECTION,
    Role.INVESTOR_SERVICE: frozenset({Action.READ_REGISTRY, Action.READ_CALENDAR}) | _INVESTOR_SERVICE,
}


def may(user: User, action: Action) -> bool:
    """Whether the role may perform the action at all (a face uses it to offer only what is allowed)."""
    if action is Action.MANAGE_MUNICIPALITIES:
        return user.administers_deployment
    return action in ROLE_ACTIONS[user.role]


def authorize(user: User, action: Action) -> None:
    if not may(user, action):
        description = ACTION_DESCRIPTIONS[action]
        raise Forbidden(bilingual(f"{description.pl}.", f"{description.en}."))


def scoped_to_institution(user: User) -> bool:
    """Staff and leads act for their own institution only; the other roles are not scoped."""
    return user.role in INSTITUTION_ROLES


SECOND_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.DPO})  # the whole municipality, accounts, or personal data


def needs_second_factor(user: User) -> bool:
    """Whether signing in to the pages asks this user for a TOTP code after the password."""
    return user.role in SECOND_FACTOR_ROLES


def check_acts_for(user: User, institution_ids: Iterable[UUID | str | None], *, field: str) -> None:
    """Staff and leads may act only where one of `institution_ids` (ids, or their text) is their own."""
    if scoped_to_institution(user) and str(user.institution_id) not in {str(i) for i in institution_ids}:
        raise Forbidden(bilingual("Możesz działać tylko w imieniu swojej instytucji.",
                                  "You may act only for your own institution."), field=field)


def institution_filter(user: User, institution_id: UUID | None) -> UUID | None:
    """The institution a staff member's listing is limited to (their own); others may filter freely."""
    if not scoped_to_institution(user):
        return institution_id
    if institution_id is not None and institution_id != user.institution_id:
        raise Forbidden(bilingual("Możesz przeglądać tylko rejestr swojej instytucji.",
                                  "You may list only your own institution's records."), field="institution")
    return user.institution_id


def can_see_record(user: User, involved_institutions: Iterable[UUID]) -> bool:
    return not scoped_to_institution(user) or str(user.institution_id) in {str(i) for i in involved_institutions}


def check_not_self(user: User, target_user_id: UUID) -> None:
    """An admin cannot lock themselves out (there must stay someone who manages users)."""
    if user.id == target_user_id:
        raise InvariantViolated(bilingual("Nie można wyłączyć własnego konta.", "You cannot disable yourself."),
                                field="user_id")
