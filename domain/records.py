"""Cooperation records: contacts, meetings, information exchanges, conclusions/expertises.

One aggregate type, `Record`, with one past-tense creation event per kind. A record is never
edited: a `Corrected` event carries the changed fields and a mandatory reason, a `Retracted`
event a mandatory reason; the original event stays in the log. A retracted record cannot be
corrected.

The fields of each kind are checked by `normalise_fields` — one place, used both when a record
is created and when a correction is merged into it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import RecordRetracted, ValidationFailed, VersionConflict, bilingual
from domain.values import (
    Actor,
    Channel,
    ConclusionKind,
    MeetingKind,
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


def _follow_ups(value: object, today: date | None) -> list[dict[str, Any]]:
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
        due = item.get("due_on")
        if not isinstance(due, date):
            raise ValidationFailed(bilingual(f"Pole follow_ups[{i}].due_on musi być datą.",
                                             f"follow_ups[{i}].due_on must be a date."),
                                   field=f"follow_ups[{i}].due_on")
        result.append({
            "action": check_text(item.get("action"), field=f"follow_ups[{i}].action", max_length=500),
            "due_on": due,
            "institution_id": _optional_uuid(item.get("institution_id"), f"follow_ups[{i}].institution_id"),
        })
    return result


def normalise_fields(kind: str, fields: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Checks and normalises the complete field set of a record of `kind`.

    Raises ValidationFailed/InvalidBusinessDate naming the field. References to other
    aggregates are checked by the application (it can load them); this checks shape and rules.
    """
    f = fields
    common = {
        "network_id": _uuid(f.get("network_id"), "network_id"),
        "occurred_on": check_business_date(f.get("occurred_on"), today=today),
        "person_ids": _uuid_list(f.get("person_ids"), "person_ids"),
    }
    if kind == RecordKind.CONTACT:
        out = {
            **common,
            "institution_id": _uuid(f.get("institution_id"), "institution_id"),
            "with_institution_id": _optional_uuid(f.get("with_institution_id"), "with_institution_id"),
            "with_firm_id": _optional_uuid(f.get("with_firm_id"), "with_firm_id"),
            "channel": check_choice(f.get("channel"), Channel, field="channel"),
            "summary": check_text(f.get("summary"), field="summary"),
        }
        if out["with_institution_id"] is None and out["with_firm_id"] is None and not out["person_ids"]:
            raise ValidationFailed(
                bilingual("Kontakt nawiązuje się z kimś: podaj with_institution_id, with_firm_id lub person_ids.",
                          "A contact is established with someone: give with_institution_id, with_firm_id or "
                          "person_ids."),
                field="with_institution_id",
            )
        if out["with_institution_id"] == out["institution_id"]:
            raise ValidationFailed(bilingual("Instytucja nie może nawiązać kontaktu sama ze sobą.",
                                             "An institution cannot establish a contact with itself."),
                                   field="with_institution_id")
        return out
    if kind == RecordKind.MEETING:
        out = {
            **common,
            "title": check_text(f.get("title"), field="title", max_length=300),
            "kind": check_choice(f.get("kind"), MeetingKind, field="kind"),
            "organiser_id": _uuid(f.get("organiser_id"), "organiser_id"),
            "institution_ids": _uuid_list(f.get("institution_ids"), "institution_ids"),
            "firm_ids": _uuid_list(f.get("firm_ids"), "firm_ids"),
            "topic": check_text(f.get("topic"), field="topic", required=False),
            "minutes": check_text(f.get("minutes"), field="minutes", max_length=20000, required=False),
            "follow_ups": _follow_ups(f.get("follow_ups"), today),
        }
        parties = {out["organiser_id"], *out["institution_ids"], *out["firm_ids"], *out["person_ids"]}
        if len(parties) < 2:
            raise ValidationFailed(
                bilingual("Spotkanie wymaga co najmniej dwóch stron: organizatora i co najmniej jednej instytucji, "
                          "firmy lub osoby.",
                          "A meeting needs at least two parties: the organiser and at least one institution, firm "
                          "or person."),
                field="institution_ids",
            )
        return out
    if kind == RecordKind.INFORMATION_EXCHANGE:
        out = {
            **common,
            "from_institution_id": _uuid(f.get("from_institution_id"), "from_institution_id"),
            "to_institution_ids": _uuid_list(f.get("to_institution_ids"), "to_institution_ids"),
            "to_firm_ids": _uuid_list(f.get("to_firm_ids"), "to_firm_ids"),
            "subject": check_text(f.get("subject"), field="subject", max_length=500),
            "channel": check_choice(f.get("channel"), Channel, field="channel"),
        }
        if not out["to_institution_ids"] and not out["to_firm_ids"]:
            raise ValidationFailed(bilingual("Informacja musi mieć adresata: podaj to_institution_ids lub to_firm_ids.",
                                             "Information goes to someone: give to_institution_ids or to_firm_ids."),
                                   field="to_institution_ids")
        if out["from_institution_id"] in out["to_institution_ids"]:
            raise ValidationFailed(bilingual("Instytucja nie może przekazać informacji sama sobie.",
                                             "An institution cannot send information to itself."),
                                   field="to_institution_ids")
        return out
    if kind == RecordKind.CONCLUSION:
        out = {
            **common,
            "title": check_text(f.get("title"), field="title", max_length=300),
            "kind": check_choice(f.get("kind"), ConclusionKind, field="kind"),
            "institution_ids": _uuid_list(f.get("institution_ids"), "institution_ids"),
            "meeting_id": _optional_uuid(f.get("meeting_id"), "meeting_id"),
        }
        if not out["institution_ids"]:
            raise ValidationFailed(bilingual("Wniosek opracowuje co najmniej jedna instytucja.",
                                             "A conclusion is worked out by at least one institution."),
                                   field="institution_ids")
        return out
    raise ValidationFailed(bilingual(f"Nieznany rodzaj wpisu {kind!r}.", f"Unknown record kind {kind!r}."), field="kind")


def owner_institution(kind: str, fields: dict[str, Any], actor: Actor) -> UUID:
    """The institution a record belongs to (whose staff may correct it, whose lead signs it off)."""
    if kind == RecordKind.CONTACT:
        return fields["institution_id"]
    if kind == RecordKind.MEETING:
        return fields["organiser_id"]
    if kind == RecordKind.INFORMATION_EXCHANGE:
        return fields["from_institution_id"]
    ids = fields["institution_ids"]
    return actor.institution_id if actor.institution_id in ids else ids[0]


def institutions_involved(kind: str, fields: dict[str, Any]) -> list[UUID]:
    """Every institution that took part, the owner first, without repeats."""
    if kind == RecordKind.CONTACT:
        ids = [fields["institution_id"], fields.get("with_institution_id")]
    elif kind == RecordKind.MEETING:
        ids = [fields["organiser_id"], *fields["institution_ids"]]
    elif kind == RecordKind.INFORMATION_EXCHANGE:
        ids = [fields["from_institution_id"], *fields["to_institution_ids"]]
    else:
        ids = list(fields["institution_ids"])
    return list(dict.fromkeys(i for i in ids if i is not None))


def firms_involved(kind: str, fields: dict[str, Any]) -> list[UUID]:
    if kind == RecordKind.CONTACT:
        return [fields["with_firm_id"]] if fields.get("with_firm_id") else []
    if kind == RecordKind.MEETING:
        return list(fields["firm_ids"])
    if kind == RecordKind.INFORMATION_EXCHANGE:
        return list(fields["to_firm_ids"])
    return []


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
        normalised = normalise_fields(kind, fields, today=today)
        event_class = cls.CREATION_EVENTS[kind]
        return cls._create(
            event_class, id=uuid4(), owner_institution_id=owner_institution(kind, normalised, actor),
            fields=normalised, **actor_fields(actor),
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
