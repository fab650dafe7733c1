"""Investor service (issue 14): confidential investor inquiries, the investment-site database, staff training in
the service standard, and the municipality's response-time standard — as events in the log.

- `InvestorInquiry`: an investor known only by a codename (no company name is ever stored), its sectors and
  needs, when it was received and by when the standard says it must be answered (`due_on`, received + N working
  days, computed once on receipt with the municipality's N), the answer (date, sites offered) and the outcome.
  Its events show the audit trail the codename only (`AUDIT_FIELDS`): who did what and when stays auditable,
  the investor's needs stay with the investor service.
- `InvestmentSite`: a site of the municipality's database (area, zoning, utilities, ownership, status,
  location), its photos (the bytes are kept by infra/site_photos.py; the event holds the photo's id, type, size
  and hash) and the networks it is shared with (read-only for their other members).
- `ServiceTraining`: one person trained in one module of the standard (seed 002's training panels and
  implementation package), on a date, with or without a certificate; the person is a user or a contact person
  of the person directory, by id (no name in the log).
- `ServiceStandard`: one per municipality (a stable id), the number of working days an inquiry may wait.

The values and their checks (choice tables, working days, field checks) are in domain/investor_values.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import InvariantViolated, ValidationFailed, bilingual
from domain.investor_values import check_site_fields
from domain.values import Actor, check_text, stable_id


class InvestorInquiry(Aggregate):
    """An investor inquiry under a codename. Every event names the codename, the only thing the audit trail shows."""

    TOPIC = "splot:InvestorInquiry"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:InvestorInquiry.Created"
        AUDIT_FIELDS = ("codename",)
        network_id: UUID  # the municipality's home network: where the audit trail shows it
        codename: str

    class Received(Created):
        TOPIC = "splot:InvestorInquiry.Received"
        sectors: list[str]
        needs: dict[str, Any]
        received_on: date
        due_on: date
        standard_days: int  # the municipality's standard when it was received
        notes: str | None

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.network_id, inquiry.codename = self.network_id, self.codename
            inquiry.received_on, inquiry.due_on, inquiry.standard_days = self.received_on, self.due_on, \
                self.standard_days
            inquiry.answered_on, inquiry.outcome = None, "open"

    class DetailsChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.DetailsChanged"
        AUDIT_FIELDS = ("codename",)
        codename: str
        sectors: list[str]
        needs: dict[str, Any]
        received_on: date
        due_on: date
        notes: str | None

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.codename, inquiry.received_on, inquiry.due_on = self.codename, self.received_on, self.due_on

    class Answered(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.Answered"
        AUDIT_FIELDS = ("codename",)
        codename: str
        answered_on: date
        site_ids: list[str]

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.answered_on = self.answered_on

    class OutcomeSet(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestorInquiry.OutcomeSet"
        AUDIT_FIELDS = ("codename",)
        codename: str
        outcome: str
        decided_on: date

        def apply(self, inquiry: InvestorInquiry) -> None:
            inquiry.outcome = self.outcome

    @classmethod
    def receive(cls, *, network_id: UUID, codename: str, sectors: list[str], needs: dict[str, Any],
                received_on: date, due_on: date, standard_days: int, notes: str | None,
                actor: Actor) -> InvestorInquiry:
        return cls._create(cls.Received, id=uuid4(), network_id=network_id, codename=codename, sectors=sectors,
                           needs=needs, received_on=received_on, due_on=due_on, standard_days=standard_days,
                           notes=notes, **actor_fields(actor))

    def change(self, *, codename: str, sectors: list[str], needs: dict[str, Any], received_on: date, due_on: date,
               notes: str | None, actor: Actor) -> None:
        if self.answered_on is not None and received_on > self.answered_on:
            raise InvariantViolated(bilingual("Data wpływu nie może być późniejsza niż data odpowiedzi.",
                                              "The date received cannot be after the date answered."),
                                    field="received_on")
        self.trigger_event(self.DetailsChanged, codename=codename, sectors=sectors, needs=needs,
                           received_on=received_on, due_on=due_on, notes=notes, **actor_fields(actor))

    def answer(self, *, answered_on: date, site_ids: list[str], actor: Actor) -> None:
        if self.answered_on is not None:
            raise InvariantViolated(bilingual(f"Na to zapytanie odpowiedziano już {self.answered_on.isoformat()}.",
                                              f"This inquiry was already answered on {self.answered_on.isoformat()}."),
                                    field="answered_on")
        if answered_on < self.received_on:
            raise InvariantViolated(bilingual("Data odpowiedzi nie może być wcześniejsza niż data wpływu "
                                              f"({self.received_on.isoformat()}).",
                                              f"The answer cannot be dated before the inquiry was received "
                                              f"({self.received_on.isoformat()})."), field="answered_on")
        self.trigger_event(self.Answered, codename=self.codename, answered_on=answered_on, site_ids=site_ids,
                           **actor_fields(actor))

    def set_outcome(self, *, outcome: str, decided_on: date, actor: Actor) -> None:
        if decided_on < self.received_on:
            raise InvariantViolated(bilingual("Data decyzji nie może być wcześniejsza niż data wpływu zapytania.",
                                              "The decision cannot be dated before the inquiry was received."),
                                    field="decided_on")
        if outcome == self.outcome:
            raise InvariantViolated(bilingual("Zapytanie ma już ten wynik.", "The inquiry has this outcome already."),
                                    field="outcome")
        self.trigger_event(self.OutcomeSet, codename=self.codename, outcome=outcome, decided_on=decided_on,
                           **actor_fields(actor))


class InvestmentSite(Aggregate):
    """A site of the investment-site database; every change is an event with who and when."""

    TOPIC = "splot:InvestmentSite"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:InvestmentSite.Created"
        network_id: UUID  # the owner municipality's home network

    class Registered(Created):
        TOPIC = "splot:InvestmentSite.Registered"
        fields: dict[str, Any]  # check_site_fields

        def apply(self, site: InvestmentSite) -> None:
            site.network_id, site.fields, site.photos, site.shared_with = self.network_id, dict(self.fields), [], []

    class Changed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.Changed"
        changes: dict[str, Any]  # only the fields whose value changed

        def apply(self, site: InvestmentSite) -> None:
            site.fields = {**site.fields, **self.changes}

    class PhotoAdded(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.PhotoAdded"
        photo_id: str
        content_type: str
        size: int
        sha256: str
        caption: str

        def apply(self, site: InvestmentSite) -> None:
            site.photos = [*site.photos, self.photo_id]

    class PhotoRemoved(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.PhotoRemoved"
        photo_id: str

        def apply(self, site: InvestmentSite) -> None:
            site.photos = [p for p in site.photos if p != self.photo_id]

    class SharingChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:InvestmentSite.SharingChanged"
        network_ids: list[str]  # the shared networks its other members see it in (read-only)

        def apply(self, site: InvestmentSite) -> None:
            site.shared_with = list(self.network_ids)

    @classmethod
    def register(cls, *, network_id: UUID, fields: dict[str, Any], actor: Actor) -> InvestmentSite:
        return cls._create(cls.Registered, id=uuid4(), network_id=network_id, fields=fields, **actor_fields(actor))

    def change(self, *, fields: dict[str, Any], actor: Actor) -> None:
        changes = {k: v for k, v in fields.items() if self.fields.get(k) != v}
        if not changes:
            raise InvariantViolated(bilingual("Nic się nie zmieniło.", "Nothing has changed."), field="form")
        self.trigger_event(self.Changed, changes=changes, **actor_fields(actor))

    def add_photo(self, *, photo_id: str, content_type: str, size: int, sha256: str, caption: str,
                  actor: Actor) -> None:
        if len(self.photos) >= MAX_PHOTOS:
            raise InvariantViolated(bilingual(f"Teren ma już {MAX_PHOTOS} zdjęć; usuń któreś, zanim dodasz nowe.",
                                              f"The site has {MAX_PHOTOS} photos already; remove one first."),
                                    field="photo")
        self.trigger_event(self.PhotoAdded, photo_id=photo_id, content_type=content_type, size=size, sha256=sha256,
                           caption=caption, **actor_fields(actor))

    def remove_photo(self, *, photo_id: str, actor: Actor) -> None:
        if photo_id not in self.photos:
            raise InvariantViolated(bilingual("Nie ma takiego zdjęcia tego terenu.", "The site has no such photo."),
                                    field="photo_id")
        self.trigger_event(self.PhotoRemoved, photo_id=photo_id, **actor_fields(actor))

    def share(self, *, network_ids: list[str], actor: Actor) -> None:
        if sorted(network_ids) == sorted(self.shared_with):
            raise InvariantViolated(bilingual("Teren jest już udostępniony dokładnie tak.",
                                              "The site is shared exactly so already."), field="network_ids")
        self.trigger_event(self.SharingChanged, network_ids=sorted(network_ids), **actor_fields(actor))


MAX_PHOTOS = 12


class ServiceTraining(Aggregate):
    """One person trained in one module of the investor-service standard."""

    TOPIC = "splot:ServiceTraining"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ServiceTraining.Created"
        network_id: UUID

    class Recorded(Created):
        TOPIC = "splot:ServiceTraining.Recorded"
        trainee_user_id: str | None  # a user of the municipality, or
        trainee_person_id: str | None  # a contact person of the person directory (of an institution)
        module: str
        held_on: date
        certificate: bool

        def apply(self, training: ServiceTraining) -> None:
            training.network_id, training.removed = self.network_id, False

    class Removed(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ServiceTraining.Removed"
        reason: str

        def apply(self, training: ServiceTraining) -> None:
            training.removed = True

    @classmethod
    def record(cls, *, network_id: UUID, trainee_user_id: str | None, trainee_person_id: str | None, module: str,
               held_on: date, certificate: bool, actor: Actor) -> ServiceTraining:
        if (trainee_user_id is None) == (trainee_person_id is None):
            raise ValidationFailed(bilingual("Wybierz uczestnika: użytkownika albo osobę z instytucji.",
                                             "Choose the trainee: a user or a person of an institution."),
                                   field="trainee")
        return cls._create(cls.Recorded, id=uuid4(), network_id=network_id, trainee_user_id=trainee_user_id,
                           trainee_person_id=trainee_person_id, module=module, held_on=held_on,
                           certificate=bool(certificate), **actor_fields(actor))

    def remove(self, *, reason: str, actor: Actor) -> None:
        if self.removed:
            raise InvariantViolated(bilingual("Ten wpis szkolenia jest już usunięty.",
                                              "This training entry is removed already."), field="training_id")
        self.trigger_event(self.Removed, reason=check_text(reason, field="reason", max_length=500),
                           **actor_fields(actor))


class ServiceStandard(Aggregate):
    """A municipality's investor-service standard: how many working days an inquiry may wait for an answer."""

    TOPIC = "splot:ServiceStandard"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:ServiceStandard.Created"
        network_id: UUID
        municipality_id: UUID
        working_days: int

        def apply(self, standard: ServiceStandard) -> None:
            standard.working_days = self.working_days

    class ResponseTimeChanged(SplotEvent, Aggregate.Event):
        TOPIC = "splot:ServiceStandard.ResponseTimeChanged"
        working_days: int

        def apply(self, standard: ServiceStandard) -> None:
            standard.working_days = self.working_days

    @staticmethod
    def id_for(municipality_id: UUID) -> UUID:
        return stable_id("investor-service-standard", str(municipality_id))

    @classmethod
    def start(cls, *, municipality_id: UUID, network_id: UUID, working_days: int, actor: Actor) -> ServiceStandard:
        return cls._create(cls.Created, id=cls.id_for(municipality_id), network_id=network_id,
                           municipality_id=municipality_id, working_days=working_days, **actor_fields(actor))

    def set_working_days(self, working_days: int, actor: Actor) -> None:
        if working_days == self.working_days:
            raise InvariantViolated(bilingual("Standard ma już ten czas odpowiedzi.",
                                              "The standard has this response time already."), field="working_days")
        self.trigger_event(self.ResponseTimeChanged, working_days=working_days, **actor_fields(actor))
