"""The record-kind specs agree with what the domain checks and derives (pure: no store)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain import records
from domain.errors import Message, ValidationFailed
from domain.record_kinds import (
    CHOICE_LABELS,
    OWNER_FIELD,
    RECORD_KINDS,
    FieldType,
    Role,
    choice_label,
    owner_candidates,
    references,
)
from domain.records import (
    NormalisedFields,
    Record,
    firms_involved,
    institutions_involved,
    normalise_fields,
    normalise_record,
    owner_institution,
)
from domain.values import Actor, RecordKind

TODAY = date(2024, 6, 1)
KINDS = [kind.value for kind in RecordKind]


def sample(kind: str) -> dict:
    """Valid input of `kind` in which every id is different, so each can be traced to its field."""
    common = {"network_id": uuid4(), "occurred_on": date(2024, 5, 2), "person_ids": [uuid4(), uuid4()]}
    return {**common, **{
        "contact": {"institution_id": uuid4(), "with_institution_id": uuid4(), "with_firm_id": uuid4(),
                    "channel": "phone", "summary": "  Rozmowa  "},
        "meeting": {"title": "Spotkanie", "kind": "workshop", "organiser_id": uuid4(),
                    "institution_ids": [uuid4(), uuid4()], "firm_ids": [uuid4()], "topic": "Oferta",
                    "minutes": None, "follow_ups": [{"action": "Oferta", "due_on": date(2030, 1, 1)}]},
        "information_exchange": {"from_institution_id": uuid4(), "to_institution_ids": [uuid4()],
                                 "to_firm_ids": [uuid4(), uuid4()], "subject": "Nabór", "channel": "email"},
        "conclusion": {"title": "Ekspertyza", "kind": "expertise", "institution_ids": [uuid4(), uuid4()],
                       "meeting_id": uuid4()},
    }[kind]}


def ids_of(value) -> list[UUID]:
    if isinstance(value, UUID):
        return [value]
    return [v for v in value if isinstance(v, UUID)] if isinstance(value, list) else []


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_spec_lists_exactly_the_fields_normalise_fields_returns_in_order(kind):
    spec = RECORD_KINDS[kind]
    assert list(normalise_fields(kind, sample(kind), today=TODAY)) == list(spec.names)
    assert list(normalise_fields(kind, {**sample(kind), "unknown": 1}, today=TODAY)) == list(spec.names)
    assert spec.names[:3] == ("network_id", "occurred_on", "person_ids")


def test_every_kind_has_a_spec_and_a_creation_event():
    assert set(RECORD_KINDS) == set(KINDS) == set(Record.CREATION_EVENTS)
    assert all(spec.kind == kind for kind, spec in RECORD_KINDS.items())


@pytest.mark.parametrize("kind", KINDS)
def test_party_fields_agree_with_institutions_and_firms_involved(kind):
    spec = RECORD_KINDS[kind]
    fields = normalise_fields(kind, sample(kind), today=TODAY)
    by_role = {role: [i for f in spec.with_role(role) for i in ids_of(fields[f.name])] for role in Role}
    assert institutions_involved(kind, fields) == by_role[Role.PARTY_INSTITUTION] != []
    assert firms_involved(kind, fields) == by_role[Role.PARTY_FIRM]
    assert fields[spec.person_field] == by_role[Role.PARTY_PERSON] != []
    # Every id a record holds is a party, its network or its meeting: a new id field must say which.
    every_id = [i for name, value in fields.items() if name != "follow_ups" for i in ids_of(value)]
    assert sorted(every_id) == sorted(by_role[Role.PARTY_INSTITUTION] + by_role[Role.PARTY_FIRM]
                                      + by_role[Role.PARTY_PERSON] + by_role[Role.NETWORK] + by_role[Role.MEETING])


@pytest.mark.parametrize("kind", KINDS)
def test_the_owner_field_is_the_first_institution_party_and_names_the_owner(kind):
    spec = RECORD_KINDS[kind]
    fields = normalise_fields(kind, sample(kind), today=TODAY)
    assert OWNER_FIELD[kind] == spec.owner_field == spec.institution_fields[0]
    assert spec.field(spec.owner_field).has(Role.PARTY_INSTITUTION)
    candidates = owner_candidates(kind, fields)
    assert candidates == ids_of(fields[spec.owner_field])
    stranger = Actor("x@example.org", uuid4())
    assert owner_institution(kind, fields, stranger) == candidates[0] == institutions_involved(kind, fields)[0]
    if len(candidates) > 1:  # a list of owners: the acting institution owns it when it is listed
        assert owner_institution(kind, fields, Actor("y@example.org", candidates[1])) == candidates[1]


def test_references_name_every_institution_and_firm_with_its_field():
    fields = normalise_fields("meeting", sample("meeting"), today=TODAY)
    assert references("meeting", fields) == [
        ("organiser_id", fields["organiser_id"], "institution"),
        *(("institution_ids", i, "institution") for i in fields["institution_ids"]),
        *(("firm_ids", f, "firm") for f in fields["firm_ids"]),
    ]
    contact = normalise_fields("contact", {**sample("contact"), "with_firm_id": None}, today=TODAY)
    assert references("contact", contact) == [("institution_id", contact["institution_id"], "institution"),
                                              ("with_institution_id", contact["with_institution_id"], "institution")]
    conclusion = normalise_fields("conclusion", sample("conclusion"), today=TODAY)
    assert [what for _, _, what in references("conclusion", conclusion)] == ["institution", "institution"]


def test_free_text_fields_are_text_and_every_text_is_free_text():
    expected = {
        "contact": ("summary",),
        "meeting": ("title", "topic", "minutes", "follow_ups[].action"),
        "information_exchange": ("subject",),
        "conclusion": ("title",),
    }
    assert {kind: spec.free_text_fields for kind, spec in RECORD_KINDS.items()} == expected
    for spec in RECORD_KINDS.values():
        for field in spec.fields + tuple(item for f in spec.fields for item in f.items):
            # A typed text that is not marked free text would escape the privacy rules that read the mark.
            assert field.has(Role.FREE_TEXT) == (field.type == FieldType.TEXT), (spec.kind, field.name)
            if field.type == FieldType.TEXT:
                assert field.max_length, field.name


@pytest.mark.parametrize("kind", KINDS)
def test_text_limits_and_choices_come_from_the_spec(kind):
    spec = RECORD_KINDS[kind]
    for field in spec.fields:
        if field.type == FieldType.TEXT:
            at_limit = normalise_fields(kind, {**sample(kind), field.name: "x" * field.max_length}, today=TODAY)
            assert at_limit[field.name] == "x" * field.max_length
            with pytest.raises(ValidationFailed) as error:
                normalise_fields(kind, {**sample(kind), field.name: "x" * (field.max_length + 1)}, today=TODAY)
            assert error.value.field == field.name
        if field.type == FieldType.CHOICE:
            for value in field.choices:
                assert normalise_fields(kind, {**sample(kind), field.name: value.value}, today=TODAY)[field.name] \
                    == value.value
            with pytest.raises(ValidationFailed) as error:
                normalise_fields(kind, {**sample(kind), field.name: "nonsense"}, today=TODAY)
            assert error.value.field == field.name
        if not field.required and kind != "contact":  # a contact needs one of its optional parties
            missing = {k: v for k, v in sample(kind).items() if k != field.name}
            empty = {FieldType.TEXT: "", FieldType.UUID: None}.get(field.type, [])
            assert normalise_fields(kind, missing, today=TODAY)[field.name] == empty


def test_follow_ups_have_the_item_fields_of_the_spec():
    spec = RECORD_KINDS["meeting"].field("follow_ups")
    fields = normalise_fields("meeting", sample("meeting"), today=TODAY)
    assert [list(item) for item in fields["follow_ups"]] == [[f.name for f in spec.items]]
    assert fields["follow_ups"][0]["due_on"] == date(2030, 1, 1)  # a due date may lie ahead


def test_every_kind_field_and_choice_value_has_a_label_in_both_languages():
    labels = []
    for spec in RECORD_KINDS.values():
        labels.append(spec.label)
        for field in spec.fields + tuple(item for f in spec.fields for item in f.items):
            labels.append(field.label)
            if field.type == FieldType.CHOICE:
                assert set(CHOICE_LABELS[field.choices]) == {c.value for c in field.choices}
                labels += [choice_label(field, c.value) for c in field.choices]
    assert all(isinstance(m, Message) and m.pl.strip() and m.en.strip() for m in labels)
    assert len(labels) > 50
    assert RECORD_KINDS["conclusion"].label.pl == "Wniosek / ekspertyza"
    assert RECORD_KINDS["information_exchange"].label.en == "Information exchange"
    assert choice_label(RECORD_KINDS["contact"].field("channel"), "other").pl == "Inny"
    assert choice_label(RECORD_KINDS["conclusion"].field("kind"), "conclusion").en == "Conclusion"


def test_an_unknown_kind_is_refused_by_name():
    for kind in ("visit", None, ["contact"]):
        with pytest.raises(ValidationFailed) as error:
            normalise_fields(kind, sample("contact"), today=TODAY)
        assert error.value.field == "kind"


def test_create_normalised_takes_checked_fields_as_they_are(monkeypatch):
    actor = Actor("anna@example.org", uuid4())
    normalised = normalise_record("contact", sample("contact"), today=TODAY)
    assert normalised.fields["summary"] == "Rozmowa"

    def refuse(*args, **kwargs):
        raise AssertionError("checked twice")

    monkeypatch.setattr(records, "normalise_record", refuse)
    record = Record.create_normalised(normalised, actor)
    assert record.kind == "contact" and record.fields == normalised.fields
    assert record.fields is not normalised.fields
    assert record.owner_institution_id == normalised.fields["institution_id"]
    with pytest.raises(TypeError):
        Record.create_normalised(dict(normalised.fields), actor)


def test_create_checks_raw_fields_exactly_once(monkeypatch):
    calls = []
    original = records.normalise_record

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(records, "normalise_record", counting)
    record = Record.create("conclusion", sample("conclusion"), Actor("a@example.org"), today=TODAY)
    assert calls == ["conclusion"]
    assert isinstance(normalise_record("conclusion", sample("conclusion"), today=TODAY), NormalisedFields)
    assert record.owner_institution_id == record.fields["institution_ids"][0]


def test_record_field_labels_come_from_the_one_catalogue():
    from domain.labels import FIELD_LABELS

    for spec in RECORD_KINDS.values():
        for field in spec.fields:
            assert field.label is FIELD_LABELS[field.name], field.name
