"""The JSON API's record input models accept exactly the fields of the record-kind specs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.schemas import records as schemas
from domain.record_kinds import COMMON_FIELDS, RECORD_KINDS, FieldType
from domain.values import RecordKind


def json_type(schema: dict, definitions: dict) -> dict:
    """The schema of a property without its null alternative, references resolved."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    (only,) = options
    if "$ref" in only:
        return definitions[only["$ref"].rsplit("/", 1)[1]]
    return only


@pytest.mark.parametrize("kind", list(RecordKind))
def test_an_input_model_has_the_spec_fields_required_limits_and_choices(kind):
    model = schemas.INPUT_MODEL[kind]
    spec = RECORD_KINDS[kind]
    schema = model.model_json_schema()
    properties, definitions = schema["properties"], schema.get("$defs", {})
    assert set(properties) == set(spec.names)
    kind_names = [n for n in spec.names if n not in {f.name for f in COMMON_FIELDS}]
    assert list(properties) == ["occurred_on", "person_ids", "network_id", *kind_names]
    # network_id is the one field the API may leave out: the route fills in the city's network.
    assert set(schema["required"]) == {f.name for f in spec.fields if f.required} - {"network_id"}
    assert schema["additionalProperties"] is False
    for field in spec.fields:
        prop = json_type(properties[field.name], definitions)
        if field.type == FieldType.TEXT:
            assert prop["type"] == "string"
            assert prop["maxLength"] == field.max_length, field.name
            assert prop.get("minLength", 0) == (1 if field.required else 0), field.name
        elif field.type == FieldType.CHOICE:
            assert prop["enum"] == [c.value for c in field.choices], field.name
        elif field.type == FieldType.UUID:
            assert (prop["type"], prop["format"]) == ("string", "uuid"), field.name
        elif field.type == FieldType.UUID_LIST:
            assert prop["items"] == {"type": "string", "format": "uuid"}, field.name
            assert prop["maxItems"] == field.max_items, field.name
        elif field.type == FieldType.DATE:
            assert prop["format"] == "date"
        elif field.type == FieldType.FOLLOW_UPS:
            assert prop["maxItems"] == field.max_items
            items = json_type(prop["items"], definitions)
            assert list(items["properties"]) == [item.name for item in field.items]
            assert items["required"] == [item.name for item in field.items if item.required]
            action = items["properties"]["action"]
            assert (action["minLength"], action["maxLength"]) == (1, field.items[0].max_length)
        else:
            pytest.fail(f"{field.name}: field type {field.type} not covered")


def test_the_owner_fields_keep_their_api_descriptions():
    for kind, model in schemas.INPUT_MODEL.items():
        owner = RECORD_KINDS[kind].owner_field
        assert "own" in model.model_fields[owner].description, kind
    assert schemas.ContactIn.model_fields["occurred_on"].description.startswith("Calendar date")
    assert schemas.RecordIn.model_fields["network_id"].description == "Defaults to the city's network."


def test_an_input_model_reads_the_spec_limits_and_refuses_unknown_fields():
    body = {"occurred_on": "2020-01-02", "from_institution_id": "6f1c0e36-3f55-4d2e-9c6b-0a4f8c1e2d3b",
            "subject": "x" * RECORD_KINDS["information_exchange"].field("subject").max_length, "channel": "email"}
    parsed = schemas.InformationExchangeIn.model_validate(body)
    assert parsed.to_institution_ids == [] and parsed.network_id is None
    with pytest.raises(ValidationError):
        schemas.InformationExchangeIn.model_validate({**body, "subject": body["subject"] + "x"})
    with pytest.raises(ValidationError):
        schemas.InformationExchangeIn.model_validate({**body, "summary": "not a field of this kind"})
    with pytest.raises(ValidationError):
        schemas.ConclusionIn.model_validate({"occurred_on": "2020-01-02", "title": "T", "kind": "expertise"})
