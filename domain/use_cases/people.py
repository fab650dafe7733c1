"""Contact persons of the network's institutions: list, add, edit. Their personal data (name, e-mail,
phone, position) lives in the person directory, outside the event log (the `ContactPersons` port,
infra/person_directory.py); events name a person by id only, so nothing here writes an event.

Who may (domain/policy.py, actions of their own): staff and leads list, find, add and edit the persons
of their own institution (`READ_PERSONS`, `MANAGE_PERSONS`) — a person of another institution is not found
for them, so it does not leak; a coordinator those of every institution and firm of the municipality; an
auditor sees that a person took part (name, position, institution, the records naming them) but never
the contact details (e-mail, phone: `READ_CONTACT_DETAILS`). An erased person is named
"osoba usunięta / erased person" wherever a record names them (`names`). What the data-protection officer
does (subject access, erasure, retention) is domain/use_cases/privacy.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from domain.errors import Message, NotFound, UnknownReference, ValidationFailed, bilingual
from domain.labels import ERASED_PERSON
from domain.policy import Action, User, authorize, can_see_record, check_acts_for, may, scoped_to_institution
from domain.ports import ContactPersons, ReadModels
from domain.record_kinds import institutions_in
from domain.use_cases.scope import Scopes
from domain.values import check_text, comparison_key

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,29}$")


@dataclass(frozen=True)
class ContactPerson:
    """A person as a face shows them; `email` and `phone` are None for a role that may not see them."""

    id: UUID
    name: str
    position: str | None
    email: str | None
    phone: str | None
    institution_id: UUID | None
    institution_name: str | None
    firm_id: UUID | None
    firm_name: str | None
    details_shown: bool  # False: the contact details were withheld from this user


@dataclass(frozen=True)
class Appearance:
    """A record that names a person, as the person's page lists it (only records the user may see)."""

    record_id: str
    kind: str
    occurred_on: str
    title: str
    status: str  # active or retracted
    named_now: bool  # False: an earlier version named the person, a correction took them off


@dataclass(frozen=True)
class PersonDetails:
    """What a form sends to add or edit a person (ids picked from lists of names)."""

    name: str
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    institution_id: UUID | None = None
    firm_id: UUID | None = None


class _Reach:
    """The institutions and firms of the user's municipality, by id (text), with their display names."""

    def __init__(self, reads: ReadModels, scopes: Scopes, user: User) -> None:
        networks = scopes.of(user).network_texts
        self.institutions = {r["id"]: r for r in reads.institutions(network_ids=networks)}
        self.firms = {r["id"]: r for r in reads.firms(network_ids=networks)}

    def institution_name(self, institution_id: UUID | None) -> str | None:
        row = self.institutions.get(str(institution_id)) if institution_id else None
        return f"{row['short_name']} – {row['name']}" if row else None

    def firm_name(self, firm_id: UUID | None) -> str | None:
        row = self.firms.get(str(firm_id)) if firm_id else None
        return row["name"] if row else None

    def includes(self, person) -> bool:
        return str(person.institution_id) in self.institutions or str(person.firm_id) in self.firms


class PeopleUseCases:
    def __init__(self, persons: ContactPersons, reads: ReadModels, scopes: Scopes) -> None:
        self.persons_directory = persons
        self.reads = reads
        self.scopes = scopes

    def persons(self, user: User) -> list[ContactPerson]:
        """The contact persons the user works with: their institution's (staff, leads), or every one of the
        municipality's institutions and firms (coordinators, auditors), by name."""
        authorize(user, Action.READ_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        return [self._view(user, reach, p) for p in self._listed(user, reach)]

    def find(self, user: User, text: str) -> list[ContactPerson]:
        """The persons of `persons(user)` whose name, institution or firm — or, for a role that sees contact
        details, e-mail — contains `text` (compared without case, NFKC); every one for an empty text."""
        authorize(user, Action.READ_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        wanted = comparison_key(check_text(text, field="q", max_length=200, required=False))
        found = [self._view(user, reach, p) for p in self._listed(user, reach)]
        if not wanted:
            return found
        return [p for p in found if any(wanted in comparison_key(value or "") for value in
                                        (p.name, p.email, p.institution_name, p.firm_name))]

    def person(self, user: User, person_id: UUID) -> ContactPerson:
        """One person; staff asking for another institution's, or anyone for another municipality's or an
        erased one: `NotFound` (a face answers 404, so that the person's existence does not leak)."""
        authorize(user, Action.READ_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        return self._view(user, reach, self._reachable(user, reach, person_id, hide_other_institutions=True))

    def appearances(self, user: User, person_id: UUID) -> list[Appearance]:
        """The records naming the person (any version) that the user may see, newest business date first:
        that a person took part, which an auditor may see without the contact details."""
        authorize(user, Action.READ_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        self._reachable(user, reach, person_id, hide_other_institutions=True)
        rows = self.reads.person_appearances(network_ids=self.scopes.of(user).network_texts, person_id=str(person_id))
        return [Appearance(record_id=r["record_id"], kind=r["kind"], occurred_on=r["occurred_on"], title=r["title"],
                           status=r["status"], named_now=r["named_now"])
                for r in rows if can_see_record(user, institutions_in(r["kind"], r["fields"]))]

    def names(self, user: User) -> dict[str, str | Message]:
        """Display names by person id for the pages that show records (record pages, the register, the
        audit trail and their exports): the persons the user may list, and "osoba usunięta / erased person"
        for every erased id, so a record naming an erased person says so where the name was."""
        authorize(user, Action.READ_RECORDS)
        names: dict[str, str | Message] = {i: ERASED_PERSON for i in self.persons_directory.erased_ids()}
        if may(user, Action.READ_PERSONS):
            names |= {str(p.id): p.name for p in self.persons(user)}
        return names

    def add(self, user: User, details: PersonDetails) -> UUID:
        authorize(user, Action.MANAGE_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        if scoped_to_institution(user) and details.institution_id is None:
            details = PersonDetails(**{**details.__dict__, "institution_id": user.institution_id})
        clean = self._checked(user, reach, details)
        return self.persons_directory.add(**clean.__dict__)

    def edit(self, user: User, person_id: UUID, details: PersonDetails) -> None:
        authorize(user, Action.MANAGE_PERSONS)
        reach = _Reach(self.reads, self.scopes, user)
        self._reachable(user, reach, person_id, hide_other_institutions=True)
        clean = self._checked(user, reach, details)
        self.persons_directory.update(person_id, **clean.__dict__)

    # ------------------------------------------------------------------ helpers
    def _listed(self, user: User, reach: _Reach) -> list:
        if scoped_to_institution(user):
            return self.persons_directory.list(institution_ids=[str(user.institution_id)])
        return self.persons_directory.list(institution_ids=list(reach.institutions), firm_ids=list(reach.firms))

    def _reachable(self, user: User, reach: _Reach, person_id: UUID, *, hide_other_institutions: bool = False):
        """The person if the user may work with them: another municipality's (or an erased one) is not
        found, nor — with `hide_other_institutions` — another institution's, for staff."""
        try:
            person = self.persons_directory.get(person_id)
        except NotFound:
            person = None
        hidden = hide_other_institutions and person is not None and scoped_to_institution(user) \
            and str(person.institution_id) != str(user.institution_id)
        if person is None or person.erased_at or not reach.includes(person) or hidden:
            raise NotFound(bilingual("Nie ma takiej osoby kontaktowej.", "No such contact person."), field="person_id")
        check_acts_for(user, [person.institution_id], field="person_id")
        return person

    def _view(self, user: User, reach: _Reach, person) -> ContactPerson:
        shown = may(user, Action.READ_CONTACT_DETAILS)
        return ContactPerson(id=person.id, name=person.name or "", position=person.position,
                             email=person.email if shown else None, phone=person.phone if shown else None,
                             institution_id=person.institution_id,
                             institution_name=reach.institution_name(person.institution_id),
                             firm_id=person.firm_id, firm_name=reach.firm_name(person.firm_id), details_shown=shown)

    @staticmethod
    def _checked(user: User, reach: _Reach, details: PersonDetails) -> PersonDetails:
        name = check_text(details.name, field="name", max_length=200)
        email = (details.email or "").strip().lower() or None
        if email is not None and (not _EMAIL.match(email) or len(email) > 254):
            raise ValidationFailed(bilingual("Podaj adres e-mail w poprawnej postaci, np. jan.kowalski@example.pl.",
                                             "Enter an e-mail address in the correct format, like name@example.com."),
                                   field="email")
        phone = (details.phone or "").strip() or None
        if phone is not None and not _PHONE.match(phone):
            raise ValidationFailed(bilingual("Numer telefonu może zawierać tylko cyfry, spacje, nawiasy, myślniki "
                                             "i + na początku, np. +48 65 529 00 00.",
                                             "A phone number may contain only digits, spaces, brackets, hyphens "
                                             "and a leading +, like +48 65 529 00 00."), field="phone")
        position = check_text(details.position, field="position", max_length=200, required=False) or None
        if details.institution_id is None and details.firm_id is None:
            raise ValidationFailed(bilingual("Wybierz instytucję albo firmę, do której należy osoba.",
                                             "Choose the institution or firm the person belongs to."),
                                   field="institution_id")
        if details.institution_id is not None and str(details.institution_id) not in reach.institutions:
            raise UnknownReference("institution", details.institution_id, field="institution_id")
        if details.firm_id is not None and str(details.firm_id) not in reach.firms:
            raise UnknownReference("firm", details.firm_id, field="firm_id")
        if scoped_to_institution(user):
            check_acts_for(user, [details.institution_id], field="institution_id")
        return PersonDetails(name=name, email=email, phone=phone, position=position,
                             institution_id=details.institution_id, firm_id=details.firm_id)
