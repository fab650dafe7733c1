"""Cooperation records: contacts, meetings, information exchanges, conclusions/expertises.

One aggregate type, `Record`, with one past-tense creation event per kind. A record is never
edited: a `Corrected` event carries the changed fields and a mandatory reason, a `Retracted`
event a mandatory reason; the original event stays in the log. A retracted record cannot be
corrected.

The fields of each kind are checked by `normalise_fields` — one place, driven by the kind's spec
(`domain.record_kinds`), used both when a record is created and when a correction is merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import RecordRetracted, ValidationFailed, VersionConflict, bilingual
from domain.record_kinds import (
    FOLLOW_UP_FIELDS,
    OWNER_FIELD,
    FieldSpec,
    FieldType,
    firms_in,
    institutions_in,
    spec_of,
)
from domain.values import (
    Actor,
    RecordKind,
    check_business_date,
    check_choice,
    check_text,
    plural_pl,
)

# Fields a correction may not change: they decide which aggregate/network the record is.
IMMUTABLE_FIELDS = frozenset({"network_id"})


def _uuid(value: object, field: str) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    raise ValidationFailed(bilingual(f"Pole {field} musi być identyfikatorem (UUID); podano {value!r}.",
                                     f"{field} must be an id (UUID); got {value!r}."), field=field)


def _optional_uuid(value: object, field: str) -> UUID | None:
    return None if value is None else _uuid(value, field)


def _uuid_list(value: object, field: str) -> list[UUID]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed(bilingual(f"Pole {field} musi być listą identyfikatorów.",
                                         f"{field} must be a list of ids."), field=field)
    ids = [_uuid(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(bilingual(f"Pole {field} zawiera ten sam identyfikator dwukrotnie.",
                                         f"{field} names the same id twice."), field=field)
    return ids


_ACTION, _DUE_ON, _RESPONSIBLE = FOLLOW_UP_FIELDS


def _follow_ups(value: object, today: date | None) -> list[dict[str, Any]]:
    """Each follow-up with the fields of FOLLOW_UP_FIELDS; its due date is a plain date (it may lie ahead)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(bilingual("Pole follow_ups musi być listą.", "follow_ups must be a list."),
                               field="follow_ups")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValidationFailed(bilingual(f"Pole follow_ups[{i}] musi być obiektem.",
                                             f"follow_ups[{i}] must be an object."), field=f"follow_ups[{i}]")
        due = item.get(_DUE_ON.name)
        if not isinstance(due, date):
            raise ValidationFailed(bilingual(f"Pole follow_ups[{i}].due_on musi być datą.",
                                             f"follow_ups[{i}].due_on must be a date."),
                                   field=f"follow_ups[{i}].due_on")
        result.append({
            _ACTION.name: check_text(item.get(_ACTION.name), field=f"follow_ups[{i}].action",
                                     max_length=_ACTION.max_length),
            _DUE_ON.name: due,
            _RESPONSIBLE.name: _optional_uuid(item.get(_RESPONSIBLE.name), f"follow_ups[{i}].institution_id"),
        })
    return result


_CHECKS: dict[FieldType, Callable[[FieldSpec, object, date | None], Any]] = {
    FieldType.DATE: lambda spec, value, today: check_business_date(value, field=spec.name, today=today),
    FieldType.UUID: lambda spec, value, today: (_uuid if spec.required else _optional_uuid)(value, spec.name),
    FieldType.UUID_LIST: lambda spec, value, today: _uuid_list(value, spec.name),
    FieldType.CHOICE: lambda spec, value, today: check_choice(value, spec.choices, field=spec.name),
    FieldType.TEXT: lambda spec, value, today: check_text(value, field=spec.name, max_length=spec.max_length,
                                                          required=spec.required),
    FieldType.FOLLOW_UPS: lambda spec, value, today: _follow_ups(value, today),
}


@dataclass(frozen=True)
class NormalisedFields:
    """A record's fields as `normalise_record` returned them: checked once, so nothing checks them again.

    Build one only with `normalise_record`; `Record.create_normalised` takes it as it is.
    """

    kind: str
    fields: dict[str, Any]


def normalise_record(kind: str, fields: dict[str, Any], *, today: date | None = None) -> NormalisedFields:
    """Checks and normalises the complete field set of a record of `kind` (see `normalise_fields`)."""
    spec = spec_of(kind)
    if spec is None:
        raise ValidationFailed(bilingual(f"Nieznany rodzaj wpisu {kind!r}.", f"Unknown record kind {kind!r}."),
                               field="kind")
    out = {field.name: _CHECKS[field.type](field, fields.get(field.name), today) for field in spec.fields}
    spec.rules(out)
    return NormalisedFields(spec.kind.value, out)


def normalise_fields(kind: str, fields: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Checks and normalises the complete field set of a record of `kind`.

    Each field is checked by its spec (`domain.record_kinds.RECORD_KINDS`), in the spec's order, then
    the kind's cross-field rules run. Raises ValidationFailed/InvalidBusinessDate naming the field.
    References to other aggregates are checked by the use case (it can load them); this checks shape
    and rules.
    """
    return normalise_record(kind, fields, today=today).fields


def owner_institution(kind: str, fields: dict[str, Any], actor: Actor) -> UUID:
    """The institution a record belongs to (whose staff may correct it, whose lead signs it off).

    The kind's owner field names it; where that is a list (a conclusion), the acting institution
    owns it when it is on the list, else the first one listed.
    """
    owner = fields[OWNER_FIELD[kind]]
    if isinstance(owner, list):
        return actor.institution_id if actor.institution_id in owner else owner[0]
    return owner


def institutions_involved(kind: str, fields: dict[str, Any]) -> list[UUID]:
    """Every institution that took part, the owner first, without repeats."""
    return institutions_in(kind, fields)


def firms_involved(kind: str, fields: dict[str, Any]) -> list[UUID]:
    return firms_in(kind, fields)


class Record(Aggregate):
    """One contact, meeting, information exchange or conclusion, with its corrections."""

    TOPIC = "splot:Record"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Record.Created"
        owner_institution_id: UUID
        fields: dict[str, Any]

        def apply(self, record: Record) -> None:
            record.kind = self.record_kind
            record.owner_institution_id = self.owner_institution_id
            record.fields = dict(self.fields)
            record.retracted = False
            record.retraction_reason = None

    class ContactEstablished(Created):
        TOPIC = "splot:Record.ContactEstablished"
        record_kind = RecordKind.CONTACT.value

    class MeetingHeld(Created):
        TOPIC = "splot:Record.MeetingHeld"
        record_kind = RecordKind.MEETING.value

    class InformationExchanged(Created):
        TOPIC = "splot:Record.InformationExchanged"
        record_kind = RecordKind.INFORMATION_EXCHANGE.value

    class ConclusionAdopted(Created):
        TOPIC = "splot:Record.ConclusionAdopted"
        record_kind = RecordKind.CONCLUSION.value

    class Corrected(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Record.Corrected"
        changes: dict[str, Any]
        reason: str

        def apply(self, record: Record) -> None:
            changes = dict(self.changes)
            record.owner_institution_id = changes.pop("owner_institution_id", record.owner_institution_id)
            record.fields = {**record.fields, **changes}

    class Retracted(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Record.Retracted"
        reason: str

        def apply(self, record: Record) -> None:
            record.retracted = True
            record.retraction_reason = self.reason

    CREATION_EVENTS: ClassVar[dict[str, type[Aggregate.Created]]] = {}

    @classmethod
    def create(cls, kind: str, fields: dict[str, Any], actor: Actor, *, today: date | None = None) -> Record:
        """Checks `fields` (normalise_record) and creates the record."""
        return cls.create_normalised(normalise_record(kind, fields, today=today), actor)

    @classmethod
    def create_normalised(cls, normalised: NormalisedFields, actor: Actor) -> Record:
        """Creates the record from fields already checked by `normalise_record` (a use case that checks
        references between normalising and creating calls this, so the fields are checked once)."""
        if not isinstance(normalised, NormalisedFields):
            raise TypeError("create_normalised takes the NormalisedFields that normalise_record returned")
        kind, fields = normalised.kind, dict(normalised.fields)
        return cls._create(
            cls.CREATION_EVENTS[kind], id=uuid4(), owner_institution_id=owner_institution(kind, fields, actor),
            fields=fields, **actor_fields(actor),
        )

    @property
    def occurred_on(self) -> date:
        return self.fields["occurred_on"]

    @property
    def network_id(self) -> UUID:
        return self.fields["network_id"]

    def check_version(self, expected_version: int) -> None:
        if expected_version != self.version:
            raise VersionConflict(
                bilingual(f"Wpis ma wersję {self.version}, a zmianę przygotowano dla wersji {expected_version}; "
                          "wczytaj go ponownie.",
                          f"The record is at version {self.version}; the change was made against version "
                          f"{expected_version}."),
                expected=expected_version, actual=self.version,
            )

    def correct(self, *, changes: dict[str, Any], reason: str, actor: Actor, today: date | None = None) -> None:
        """Applies changed fields; every field is re-checked as a whole. Returns nothing if it fails."""
        if self.retracted:
            raise RecordRetracted(bilingual("Wycofanego wpisu nie można poprawić.",
                                            "A retracted record cannot be corrected."), field="record_id")
        reason = check_text(reason, field="reason", max_length=1000)
        if not isinstance(changes, dict) or not changes:
            raise ValidationFailed(bilingual("Korekta musi zmieniać co najmniej jedno pole.",
                                             "A correction must change at least one field."), field="changes")
        unknown = set(changes) - set(self.fields)
        if unknown:
            raise ValidationFailed(
                bilingual(f"{plural_pl(len(unknown), 'Nieznane pole', 'Nieznane pola', 'Nieznane pola')} "
                          f"dla wpisu rodzaju {self.kind}: {', '.join(sorted(unknown))}.",
                          f"Unknown field(s) for a {self.kind}: {', '.join(sorted(unknown))}."), field="changes"
            )
        frozen = IMMUTABLE_FIELDS & set(changes)
        if frozen:
            names = ', '.join(sorted(frozen))
            raise ValidationFailed(bilingual(f"{plural_pl(len(frozen), 'Pole, którego', 'Pola, których', 'Pola, których')}"
                                             f" nie można poprawić: {names}.",
                                             f"Field(s) that cannot be corrected: {names}."),
                                   field="changes")
        merged = normalise_fields(self.kind, {**self.fields, **changes}, today=today)
        effective = {k: merged[k] for k in changes if merged[k] != self.fields[k]}
        if not effective:
            raise ValidationFailed(bilingual("Korekta niczego nie zmienia: każda wartość jest równa obecnej.",
                                             "The correction changes nothing: every value equals the current one."),
                                   field="changes")
        owner = owner_institution(self.kind, merged, actor)
        # A conclusion keeps the owner chosen at creation while that institution is still among its
        # institutions; once a correction leaves it out, the record belongs to one that took part.
        keeps_owner = self.kind == RecordKind.CONCLUSION and self.owner_institution_id in merged["institution_ids"]
        if not keeps_owner and owner != self.owner_institution_id:
            effective["owner_institution_id"] = owner
        self.trigger_event(self.Corrected, changes=effective, reason=reason, **actor_fields(actor))

    def retract(self, *, reason: str, actor: Actor) -> None:
        if self.retracted:
            raise RecordRetracted(bilingual("Wpis został już wycofany.", "The record is already retracted."),
                                  field="record_id")
        reason = check_text(reason, field="reason", max_length=1000)
        self.trigger_event(self.Retracted, reason=reason, **actor_fields(actor))


Record.CREATION_EVENTS.update({
    RecordKind.CONTACT.value: Record.ContactEstablished,
    RecordKind.MEETING.value: Record.MeetingHeld,
    RecordKind.INFORMATION_EXCHANGE.value: Record.InformationExchanged,
    RecordKind.CONCLUSION.value: Record.ConclusionAdopted,
})
