"""What a record of each kind contains: one spec per kind, read by every layer.

`RECORD_KINDS[kind]` lists the kind's fields in the order they are checked and stored, each with its
type, whether it is required, its limits, its choices, its label (Polish and English, from the one
catalogue in `domain.labels`) and its roles: which fields name the parties (institutions, firms,
persons), which one names the owner, which hold free text (what a person typed: the fields a later
privacy change encrypts). The domain checks fields
by it (`domain.records.normalise_fields`), the JSON API builds its input models from it, the activity
register takes each kind's title and parties from it, and the forms and the importer are to read it too.

The rules that span fields (a contact is with someone, a meeting has two parties, ...) are code, one
function per kind below, run after every field has passed its own check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from enum import StrEnum
from typing import Any, Callable
from uuid import UUID

from domain.errors import Message, ValidationFailed, bilingual
from domain.labels import FIELD_LABELS
from domain.values import Channel, ConclusionKind, MeetingKind, RecordKind


class FieldType(StrEnum):
    DATE = "date"  # a business date (Warsaw calendar date, not in the future, not before 2000)
    UUID = "uuid"
    UUID_LIST = "uuid_list"  # ids without repeats; a missing list is empty
    CHOICE = "choice"  # one value of `FieldSpec.choices`
    TEXT = "text"  # stripped; `max_length` characters at most
    FOLLOW_UPS = "follow_ups"  # a list of follow-up actions, each with FOLLOW_UP_FIELDS


class Role(StrEnum):
    NETWORK = "network"
    PARTY_INSTITUTION = "party_institution"
    PARTY_FIRM = "party_firm"
    PARTY_PERSON = "party_person"
    OWNER = "owner"  # names the institution the record belongs to (a list: the candidates)
    FREE_TEXT = "free_text"
    MEETING = "meeting"  # names a meeting record


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    label: Message
    required: bool = True  # for a list: the input must give it (a kind's rule may ask for items)
    max_length: int | None = None  # TEXT: characters
    max_items: int | None = None  # lists: the most a face accepts in one input (the domain does not count)
    choices: type[StrEnum] | None = None
    roles: frozenset[Role] = frozenset()
    items: tuple["FieldSpec", ...] = ()  # FOLLOW_UPS: the fields of each item

    def has(self, role: Role) -> bool:
        return role in self.roles


def _field(name: str, type: FieldType, *roles: Role, **options: Any) -> FieldSpec:
    """A record field, labelled from the one catalogue of field labels (domain.labels)."""
    return FieldSpec(name, type, FIELD_LABELS[name], roles=frozenset(roles), **options)


def _item(name: str, type: FieldType, pl: str, en: str, *roles: Role, **options: Any) -> FieldSpec:
    """A field of a list's items: labelled here, as its name alone may mean another thing in a record."""
    return FieldSpec(name, type, bilingual(pl, en), roles=frozenset(roles), **options)


MAX_IDS = 200
MAX_FOLLOW_UPS = 100

# The fields every record has, first in every kind.
COMMON_FIELDS = (
    _field("network_id", FieldType.UUID, Role.NETWORK),
    _field("occurred_on", FieldType.DATE),
    _field("person_ids", FieldType.UUID_LIST, Role.PARTY_PERSON, required=False, max_items=MAX_IDS),
)

FOLLOW_UP_FIELDS = (
    _item("action", FieldType.TEXT, "Działanie", "Action", Role.FREE_TEXT, max_length=500),
    _item("due_on", FieldType.DATE, "Termin", "Due on"),  # a plain date: it may lie ahead
    _item("institution_id", FieldType.UUID, "Instytucja odpowiedzialna", "Responsible institution", required=False),
)


def _ids(name: str, *roles: Role, required: bool = False) -> FieldSpec:
    return _field(name, FieldType.UUID_LIST, *roles, required=required, max_items=MAX_IDS)


def _title(max_length: int = 300) -> FieldSpec:
    return _field("title", FieldType.TEXT, Role.FREE_TEXT, max_length=max_length)


# ---------------------------------------------------------------- rules that span fields, one per kind
def _contact_rules(f: dict[str, Any]) -> None:
    if f["with_institution_id"] is None and f["with_firm_id"] is None and not f["person_ids"]:
        raise ValidationFailed(
            bilingual("Kontakt nawiązuje się z kimś: podaj with_institution_id, with_firm_id lub person_ids.",
                      "A contact is established with someone: give with_institution_id, with_firm_id or "
                      "person_ids."),
            field="with_institution_id",
        )
    if f["with_institution_id"] == f["institution_id"]:
        raise ValidationFailed(bilingual("Instytucja nie może nawiązać kontaktu sama ze sobą.",
                                         "An institution cannot establish a contact with itself."),
                               field="with_institution_id")


def _meeting_rules(f: dict[str, Any]) -> None:
    parties = {f["organiser_id"], *f["institution_ids"], *f["firm_ids"], *f["person_ids"]}
    if len(parties) < 2:
        raise ValidationFailed(
            bilingual("Spotkanie wymaga co najmniej dwóch stron: organizatora i co najmniej jednej instytucji, "
                      "firmy lub osoby.",
                      "A meeting needs at least two parties: the organiser and at least one institution, firm "
                      "or person."),
            field="institution_ids",
        )


def _information_exchange_rules(f: dict[str, Any]) -> None:
    if not f["to_institution_ids"] and not f["to_firm_ids"]:
        raise ValidationFailed(bilingual("Informacja musi mieć adresata: podaj to_institution_ids lub to_firm_ids.",
                                         "Information goes to someone: give to_institution_ids or to_firm_ids."),
                               field="to_institution_ids")
    if f["from_institution_id"] in f["to_institution_ids"]:
        raise ValidationFailed(bilingual("Instytucja nie może przekazać informacji sama sobie.",
                                         "An institution cannot send information to itself."),
                               field="to_institution_ids")


def _conclusion_rules(f: dict[str, Any]) -> None:
    if not f["institution_ids"]:
        raise ValidationFailed(bilingual("Wniosek opracowuje co najmniej jedna instytucja.",
                                         "A conclusion is worked out by at least one institution."),
                               field="institution_ids")


# ---------------------------------------------------------------- the specs
@dataclass(frozen=True)
class RecordKindSpec:
    kind: RecordKind
    label: Message
    fields: tuple[FieldSpec, ...]  # COMMON_FIELDS first; the order fields are checked and stored in
    title_field: str  # what a list of records shows as the record's title
    subkind_field: str  # the choice that sorts records of this kind (channel, meeting kind, ...)
    rules: Callable[[dict[str, Any]], None]  # the cross-field rules, over fields that passed their checks

    # The tables derived from `fields` are worked out once per spec (cached_property writes the instance's
    # __dict__, which a frozen dataclass allows): the projections and the import ask them for every event and row.

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        return self._by_name[name]  # KeyError for a name the kind has not

    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    def with_role(self, role: Role) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.has(role))

    @cached_property
    def owner_field(self) -> str:
        (owner,) = self.with_role(Role.OWNER)
        return owner.name

    @cached_property
    def institution_fields(self) -> tuple[str, ...]:
        """The fields naming institutions that took part, the owner's first."""
        return tuple(f.name for f in self.with_role(Role.PARTY_INSTITUTION))

    @cached_property
    def firm_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.with_role(Role.PARTY_FIRM))

    @cached_property
    def person_field(self) -> str:
        (person,) = self.with_role(Role.PARTY_PERSON)
        return person.name

    @cached_property
    def free_text_fields(self) -> tuple[str, ...]:
        """Paths of every free-text value: a field's name, or `follow_ups[].action` inside a list's items."""
        paths = []
        for spec in self.fields:
            if spec.has(Role.FREE_TEXT):
                paths.append(spec.name)
            paths += [f"{spec.name}[].{item.name}" for item in spec.items if item.has(Role.FREE_TEXT)]
        return tuple(paths)


_INSTITUTION = Role.PARTY_INSTITUTION

RECORD_KINDS: dict[str, RecordKindSpec] = {spec.kind: spec for spec in (
    RecordKindSpec(
        RecordKind.CONTACT, bilingual("Kontakt", "Contact"),
        (*COMMON_FIELDS,
         _field("institution_id", FieldType.UUID, _INSTITUTION, Role.OWNER),
         _field("with_institution_id", FieldType.UUID, _INSTITUTION, required=False),
         _field("with_firm_id", FieldType.UUID, Role.PARTY_FIRM, required=False),
         _field("channel", FieldType.CHOICE, choices=Channel),
         _field("summary", FieldType.TEXT, Role.FREE_TEXT, max_length=2000)),
        title_field="summary", subkind_field="channel", rules=_contact_rules,
    ),
    RecordKindSpec(
        RecordKind.MEETING, bilingual("Spotkanie", "Meeting"),
        (*COMMON_FIELDS,
         _title(),
         _field("kind", FieldType.CHOICE, choices=MeetingKind),
         _field("organiser_id", FieldType.UUID, _INSTITUTION, Role.OWNER),
         _ids("institution_ids", _INSTITUTION),
         _ids("firm_ids", Role.PARTY_FIRM),
         _field("topic", FieldType.TEXT, Role.FREE_TEXT, required=False, max_length=2000),
         _field("minutes", FieldType.TEXT, Role.FREE_TEXT, required=False, max_length=20000),
         _field("follow_ups", FieldType.FOLLOW_UPS, required=False, max_items=MAX_FOLLOW_UPS,
                items=FOLLOW_UP_FIELDS)),
        title_field="title", subkind_field="kind", rules=_meeting_rules,
    ),
    RecordKindSpec(
        RecordKind.INFORMATION_EXCHANGE, bilingual("Wymiana informacji", "Information exchange"),
        (*COMMON_FIELDS,
         _field("from_institution_id", FieldType.UUID, _INSTITUTION, Role.OWNER),
         _ids("to_institution_ids", _INSTITUTION),
         _ids("to_firm_ids", Role.PARTY_FIRM),
         _field("subject", FieldType.TEXT, Role.FREE_TEXT, max_length=500),
         _field("channel", FieldType.CHOICE, choices=Channel)),
        title_field="subject", subkind_field="channel", rules=_information_exchange_rules,
    ),
    RecordKindSpec(
        RecordKind.CONCLUSION, bilingual("Wniosek / ekspertyza", "Conclusion or expertise"),
        (*COMMON_FIELDS,
         _title(),
         _field("kind", FieldType.CHOICE, choices=ConclusionKind),
         _ids("institution_ids", _INSTITUTION, Role.OWNER, required=True),
         _field("meeting_id", FieldType.UUID, Role.MEETING, required=False)),
        title_field="title", subkind_field="kind", rules=_conclusion_rules,
    ),
)}

# The field naming the institution(s) that own a record of each kind (see domain.records.owner_institution).
OWNER_FIELD: dict[str, str] = {kind: spec.owner_field for kind, spec in RECORD_KINDS.items()}

CHOICE_LABELS: dict[type[StrEnum], dict[str, Message]] = {
    Channel: {
        Channel.IN_PERSON: bilingual("Osobiście", "In person"),
        Channel.PHONE: bilingual("Telefonicznie", "By phone"),
        Channel.EMAIL: bilingual("E-mail", "Email"),
        Channel.ONLINE: bilingual("Online", "Online"),
        Channel.LETTER: bilingual("Pismo", "Letter"),
        Channel.WEBSITE: bilingual("Strona internetowa", "Website"),
        Channel.OTHER: bilingual("Inny", "Other"),
    },
    MeetingKind: {
        MeetingKind.NETWORK_MEETING: bilingual("Spotkanie sieci", "Network meeting"),
        MeetingKind.ENTREPRENEURS_MEETING: bilingual("Spotkanie z przedsiębiorcami", "Meeting with entrepreneurs"),
        MeetingKind.WORKSHOP: bilingual("Warsztaty", "Workshop"),
        MeetingKind.STUDY_VISIT: bilingual("Wizyta studyjna", "Study visit"),
        MeetingKind.ONLINE_MEETING: bilingual("Spotkanie online", "Online meeting"),
    },
    ConclusionKind: {
        ConclusionKind.CONCLUSION: bilingual("Wniosek", "Conclusion"),
        ConclusionKind.EXPERTISE: bilingual("Ekspertyza", "Expertise"),
        ConclusionKind.NEEDS_ANALYSIS: bilingual("Analiza potrzeb", "Needs analysis"),
        ConclusionKind.COOPERATION_CONCEPT: bilingual("Koncepcja współpracy", "Cooperation concept"),
    },
}


def spec_of(kind: str) -> RecordKindSpec | None:
    """The spec of `kind`, or None when it names no kind (any value: it may come straight from input)."""
    return RECORD_KINDS.get(kind) if isinstance(kind, str) else None


def choice_label(field: FieldSpec, value: str) -> Message:
    """The label of one value of a choice field (keyed by enum: `other` is a value of several)."""
    return CHOICE_LABELS[field.choices][value]


def _ids_in(fields: dict[str, Any], name: str) -> list[Any]:
    value = fields.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def owner_candidates(kind: str, fields: dict[str, Any]) -> list[UUID]:
    """The institution(s) the input names as owner: the actor must act for one of them."""
    value = fields.get(OWNER_FIELD[RecordKind(kind)])
    return list(value) if isinstance(value, list) else [value]


def references(kind: str, fields: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(field, id, "institution" | "firm") for every party reference in `fields`, institutions first.

    The use case checks each names an existing institution or firm of the record's network.
    """
    spec = RECORD_KINDS[kind]
    return [
        *((name, ref, "institution") for name in spec.institution_fields for ref in _ids_in(fields, name)),
        *((name, ref, "firm") for name in spec.firm_fields for ref in _ids_in(fields, name)),
    ]


def institutions_in(kind: str, fields: dict[str, Any]) -> list[Any]:
    """Every institution named as a party, in field order (the owner field first), without repeats."""
    ids = [ref for name in RECORD_KINDS[kind].institution_fields for ref in _ids_in(fields, name)]
    return list(dict.fromkeys(ids))


def firms_in(kind: str, fields: dict[str, Any]) -> list[Any]:
    return [ref for name in RECORD_KINDS[kind].firm_fields for ref in _ids_in(fields, name)]
