"""Use cases: the only way the outside world changes Splot's state.

Each use case loads what it needs, checks every input and cross-aggregate rule, and saves all
new events in one transaction, returning `Saved` (id, version, notification id) so a caller can
wait until its read models have caught up. A failed check raises a DomainError and saves nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.utils import Environment
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from domain.base import DateAsISO
from domain.ports import PersonDirectory
from domain.errors import (
    REFERENCE_GENITIVE,
    InvariantViolated,
    NotFound,
    UnknownReference,
    ValidationFailed,
    VersionConflict,
    bilingual,
)
from domain.record_kinds import references
from domain.records import Record, institutions_involved, normalise_record
from domain.registry import Firm, Institution, Municipality, Network, UniqueKey
from domain.strategy.use_cases import StrategyUseCases
from domain.closing import YearClosingUseCases
from domain.values import (
    Actor,
    InstitutionKind,
    MeetingKind,
    RecordKind,
    check_business_date,
    check_choice,
    check_text,
    normalise_nip,
    normalise_regon,
    stable_id,
    warsaw_today,
)

A = TypeVar("A", bound=Aggregate)

DEFAULT_MUNICIPALITY_ID = stable_id("municipality", "default")
DEFAULT_NETWORK_ID = stable_id("network", "default")


@dataclass(frozen=True)
class Saved:
    id: UUID
    version: int
    notification_id: int | None


class Splot(StrategyUseCases, YearClosingUseCases, Application):
    """The Splot application: registry and record use cases over one event store."""

    name = "splot"  # pinned: PostgreSQL tables are named after it

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        person_directory: PersonDirectory | None = None,
        today: Callable[[], date] = warsaw_today,
    ) -> None:
        super().__init__(env=env)
        self.person_directory = person_directory
        self.today = today

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Configuration comes only from `env` (built by infra.settings), never from os.environ."""
        return Environment(name, {**type(self).env, **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # ------------------------------------------------------------------ helpers
    def _save(self, *aggregates: Aggregate) -> Saved:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError as error:
            raise VersionConflict(
                bilingual("Ktoś inny zmienił ten wpis w tym samym czasie; wczytaj go ponownie i spróbuj jeszcze raz.",
                          "Someone else changed this record at the same time; reload it and try again.")
            ) from error
        first = aggregates[0]
        notification_ids = [r.notification.id for r in recordings if r.notification is not None]
        return Saved(first.id, first.version, max(notification_ids) if notification_ids else None)

    def _load(self, cls: type[A], aggregate_id: object, *, field: str, what: str) -> A:
        if not isinstance(aggregate_id, UUID):
            try:
                aggregate_id = UUID(str(aggregate_id))
            except ValueError:
                raise UnknownReference(what, aggregate_id, field=field) from None
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise UnknownReference(what, aggregate_id, field=field) from None
        if not isinstance(aggregate, cls):
            raise UnknownReference(what, aggregate_id, field=field)
        return aggregate

    def _claim(self, scope: str, network_id: UUID, value: str, owner_id: UUID, actor: Actor, *, field: str,
               taken: str, taken_pl: str) -> UniqueKey:
        """A claim on a unique value, refused with a clear error when the value is already claimed.

        `taken` and `taken_pl` are the English and Polish sentence templates, with {value}."""
        key_id = UniqueKey.id_for(scope, network_id, value)
        try:
            existing = self.repository.get(key_id)
        except AggregateNotFoundError:
            return UniqueKey.claim(scope=scope, network_id=network_id, value=value, owner_id=owner_id, actor=actor)
        raise InvariantViolated(bilingual(f"{taken_pl.format(value=value)} (identyfikator {existing.owner_id}).",
                                          f"{taken.format(value=value)} (id {existing.owner_id})."), field=field)

    def _business_date(self, value: object, field: str) -> date:
        return check_business_date(value, field=field, today=self.today())

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    # ------------------------------------------------------------------ reading aggregates
    def get_network(self, network_id: object, field: str = "network_id") -> Network:
        return self._load(Network, network_id, field=field, what="network")

    def get_institution(self, institution_id: object, field: str = "institution_id") -> Institution:
        return self._load(Institution, institution_id, field=field, what="institution")

    def get_firm(self, firm_id: object, field: str = "firm_id") -> Firm:
        return self._load(Firm, firm_id, field=field, what="firm")

    def get_record(self, record_id: object) -> Record:
        try:
            return self._load(Record, record_id, field="record_id", what="record")
        except UnknownReference as error:
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id") from error

    # ------------------------------------------------------------------ municipalities and networks
    def register_municipality(self, *, name: str, teryt: str | None, actor: Actor,
                              id: UUID | None = None) -> Saved:
        name = check_text(name, field="name", max_length=200)
        if teryt is not None and not re.fullmatch(r"[0-9]{7}", teryt):  # ASCII digits only
            raise ValidationFailed(bilingual("Kod TERYT musi mieć 7 cyfr.", "TERYT code must have 7 digits."),
                                   field="teryt")
        return self._save(Municipality.register(name=name, teryt=teryt, actor=actor, id=id))

    def register_network(self, *, name: str, kind: str, municipality_ids: list[UUID], actor: Actor,
                         id: UUID | None = None) -> Saved:
        name = check_text(name, field="name", max_length=200)
        for i, municipality_id in enumerate(municipality_ids):
            self._load(Municipality, municipality_id, field=f"municipality_ids[{i}]", what="municipality")
        return self._save(Network.register(name=name, kind=kind, municipality_ids=municipality_ids,
                                           actor=actor, id=id))

    def add_municipality(self, *, name: str, teryt: str | None, network_name: str, actor: Actor) -> Saved:
        """A municipality and its own network of institutions, in one transaction."""
        name = check_text(name, field="name", max_length=200)
        network_name = check_text(network_name, field="network_name", max_length=200)
        if teryt is not None and not (re.fullmatch(r"[0-9]{7}", teryt)):
            raise ValidationFailed(bilingual("Kod TERYT musi mieć 7 cyfr.", "TERYT code must have 7 digits."),
                                   field="teryt")
        municipality = Municipality.register(name=name, teryt=teryt, actor=actor)
        network = Network.register(name=network_name, kind="institution_network",
                                   municipality_ids=[municipality.id], actor=actor)
        return self._save(municipality, network)

    def ensure_default_network(self, *, municipality: str, network: str, teryt: str | None = None) -> UUID:
        """Creates the default municipality and network once (an empty store needs somewhere to start)."""
        system = Actor(user_id="system")
        if not self.exists(DEFAULT_MUNICIPALITY_ID):
            self.register_municipality(name=municipality, teryt=teryt, actor=system, id=DEFAULT_MUNICIPALITY_ID)
        if not self.exists(DEFAULT_NETWORK_ID):
            self.register_network(name=network, kind="institution_network",
                                  municipality_ids=[DEFAULT_MUNICIPALITY_ID], actor=system, id=DEFAULT_NETWORK_ID)
        return DEFAULT_NETWORK_ID

    def join_network(self, *, network_id: UUID, institution_id: UUID, joined_on: date, actor: Actor) -> Saved:
        network = self.get_network(network_id)
        institution = self.get_institution(institution_id)
        if not institution.active:
            raise InvariantViolated(bilingual(f"Instytucja {institution.short_name} jest wyłączona.",
                                              f"{institution.short_name} is deactivated."), field="institution_id")
        joined_on = self._business_date(joined_on, "joined_on")
        self.check_membership_years_open(network.id, joined_on, institution.id, today=self.today(), field="joined_on")
        network.admit(institution.id, joined_on, actor)
        return self._save(network)

    def leave_network(self, *, network_id: UUID, institution_id: UUID, left_on: date, actor: Actor) -> Saved:
        network = self.get_network(network_id)
        institution = self.get_institution(institution_id)
        left_on = self._business_date(left_on, "left_on")
        self.check_membership_years_open(network.id, left_on, institution.id, today=self.today(), field="left_on")
        network.release(institution.id, left_on, actor)
        return self._save(network)

    # ------------------------------------------------------------------ institutions and firms
    def register_institution(self, *, network_id: UUID, name: str, short_name: str, kind: str, actor: Actor,
                             coordinator_id: UUID | None = None, id: UUID | None = None) -> Saved:
        self.get_network(network_id)
        name = check_text(name, field="name", max_length=300)
        short_name = check_text(short_name, field="short_name", max_length=30)
        kind = check_choice(kind, InstitutionKind, field="kind")
        if coordinator_id is not None:
            if kind != InstitutionKind.CLUSTER:
                raise ValidationFailed(bilingual("Instytucję koordynującą ma tylko klaster.",
                                                 "Only a cluster has a coordinating institution."),
                                       field="coordinator_id")
            self.get_institution(coordinator_id, field="coordinator_id")
        institution = Institution.register(network_id=network_id, name=name, short_name=short_name, kind=kind,
                                           coordinator_id=coordinator_id, actor=actor, id=id)
        claim = self._claim("institution_short_name", network_id, short_name, institution.id, actor,
                            field="short_name", taken="An institution with the short name {value} already exists",
                            taken_pl="Instytucja o skróconej nazwie {value} już istnieje")
        return self._save(institution, claim)

    def rename_institution(self, *, institution_id: UUID, name: str, short_name: str, actor: Actor) -> Saved:
        institution = self.get_institution(institution_id)
        short_name = check_text(short_name, field="short_name", max_length=30)
        claims = []
        if short_name.casefold() != institution.short_name.casefold():
            claims.append(self._claim("institution_short_name", institution.network_id, short_name, institution.id,
                                      actor, field="short_name",
                                      taken="The short name {value} is taken (now or in the past)",
                                      taken_pl="Skrócona nazwa {value} jest zajęta (obecnie lub w przeszłości)"))
        institution.rename(name=check_text(name, field="name", max_length=300), short_name=short_name, actor=actor)
        return self._save(institution, *claims)

    def deactivate_institution(self, *, institution_id: UUID, reason: str, actor: Actor) -> Saved:
        institution = self.get_institution(institution_id)
        institution.deactivate(reason=check_text(reason, field="reason", max_length=1000), actor=actor)
        return self._save(institution)

    def register_firm(self, *, network_id: UUID, name: str, nip: str | None, regon: str | None,
                      actor: Actor, id: UUID | None = None) -> Saved:
        self.get_network(network_id)
        name = check_text(name, field="name", max_length=300)
        if not nip and not regon:
            raise ValidationFailed(bilingual("Firmę identyfikuje NIP lub REGON (albo oba): podaj co najmniej jeden.",
                                             "A firm is identified by its NIP or REGON (or both): give at least one."),
                                   field="nip")
        nip = normalise_nip(nip) if nip else None
        regon = normalise_regon(regon) if regon else None
        firm = Firm.register(network_id=network_id, name=name, nip=nip, regon=regon, actor=actor, id=id)
        claims = [
            self._claim(f"firm_{field}", network_id, value, firm.id, actor, field=field,
                        taken=f"A firm with {field.upper()} {{value}} is already registered",
                        taken_pl=f"Firma o numerze {field.upper()} {{value}} jest już zarejestrowana")
            for field, value in (("nip", nip), ("regon", regon)) if value
        ]
        return self._save(firm, *claims)

    def join_cluster(self, *, cluster_id: UUID, firm_id: UUID, joined_on: date, actor: Actor) -> Saved:
        cluster = self.get_institution(cluster_id, field="cluster_institution_id")
        firm = self.get_firm(firm_id)
        if firm.network_id != cluster.network_id:  # the cluster gauges count a network's own firms by NIP/REGON
            raise UnknownReference("firm", firm.id, field="firm_id")
        joined_on = self._business_date(joined_on, "joined_on")
        self.check_membership_years_open(cluster.network_id, joined_on, cluster.id, today=self.today(),
                                         field="joined_on")
        cluster.admit_firm(firm.id, joined_on, actor)
        return self._save(cluster)

    def leave_cluster(self, *, cluster_id: UUID, firm_id: UUID, left_on: date, actor: Actor) -> Saved:
        cluster = self.get_institution(cluster_id, field="cluster_institution_id")
        firm = self.get_firm(firm_id)
        left_on = self._business_date(left_on, "left_on")
        self.check_membership_years_open(cluster.network_id, left_on, cluster.id, today=self.today(),
                                         field="left_on")
        cluster.release_firm(firm.id, left_on, actor)
        return self._save(cluster)

    # ------------------------------------------------------------------ cooperation records
    def record(self, kind: str, fields: dict[str, Any], actor: Actor) -> Saved:
        """Records a contact, meeting, information exchange or conclusion (kind = RecordKind)."""
        kind = check_choice(kind, RecordKind, field="record_kind")
        normalised = normalise_record(kind, fields, today=self.today())
        self._check_references(kind, normalised.fields)
        record = Record.create_normalised(normalised, actor)
        self.check_record_year_open(record)
        return self._save(record)

    def correct_record(self, *, record_id: UUID, expected_version: int, reason: str,
                       changes: dict[str, Any], actor: Actor) -> Saved:
        record = self.get_record(record_id)
        record.check_version(expected_version)
        self.check_record_year_open(record)  # the year it leaves...
        record.correct(changes=changes, reason=reason, actor=actor, today=self.today())
        self._check_references(record.kind, record.fields)
        self.check_record_year_open(record)  # ...and the year it lands in
        return self._save(record)

    def retract_record(self, *, record_id: UUID, expected_version: int, reason: str, actor: Actor) -> Saved:
        record = self.get_record(record_id)
        record.check_version(expected_version)
        self.check_record_year_open(record)
        record.retract(reason=reason, actor=actor)
        return self._save(record)

    def _check_references(self, kind: str, fields: dict[str, Any]) -> None:
        """Every id names an existing thing of the right kind, in the record's network."""
        network = self.get_network(fields["network_id"])
        day = fields["occurred_on"]
        for field, ref, what in references(kind, fields):
            aggregate = self._load(Institution if what == "institution" else Firm, ref, field=field, what=what)
            if aggregate.network_id != network.id:
                raise UnknownReference(f"{what} in network {network.name}", ref, field=field,
                                       what_pl=f"{REFERENCE_GENITIVE[what]} w sieci {network.name}")
        owner = self.get_institution(institutions_involved(kind, fields)[0])
        if not owner.active:
            raise InvariantViolated(bilingual(f"Instytucja {owner.short_name} jest wyłączona i nie może rejestrować "
                                              "nowych działań.",
                                              f"{owner.short_name} is deactivated and cannot record new activity."),
                                    field="institution_id")
        if kind == RecordKind.MEETING and fields["kind"] == MeetingKind.NETWORK_MEETING:
            if not network.is_member(fields["organiser_id"], day):
                raise InvariantViolated(
                    bilingual(f"Instytucja {owner.short_name} nie była członkiem sieci w dniu {day.isoformat()} "
                              "i nie może organizować spotkania sieci.",
                              f"{owner.short_name} is not a member of the network on {day.isoformat()} "
                              "and cannot organise a network meeting."),
                    field="organiser_id",
                )
        if kind == RecordKind.CONCLUSION and fields.get("meeting_id"):
            meeting = self._load(Record, fields["meeting_id"], field="meeting_id", what="meeting")
            if meeting.kind != RecordKind.MEETING:
                raise UnknownReference("meeting", fields["meeting_id"], field="meeting_id")
        for i, person_id in enumerate(fields.get("person_ids", [])):
            if self.person_directory is not None and not self.person_directory.exists(person_id):
                raise UnknownReference("person", person_id, field=f"person_ids[{i}]")


def _refs(fields: dict[str, Any], field: str) -> list[UUID]:
    value = fields.get(field)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
