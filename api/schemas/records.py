"""Cooperation records: one input model per kind, corrections, retractions, the record view.

The input models are generated from the record-kind specs (`domain.record_kinds`): field names, which
are required, length limits and choices come from there; this module adds only how the API reads them
(ISO dates, optional network_id, descriptions). `tests/api/test_record_schemas.py` pins both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Iterable, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from api.errors import ApiError
from api.schemas.common import IsoDate, Out, StrictIn
from domain.record_kinds import (
    COMMON_FIELDS,
    FOLLOW_UP_FIELDS,
    RECORD_KINDS,
    FieldSpec,
    FieldType,
)
# Re-exported for api.routes.records until it reads them from the domain (they moved there).
from domain.values import RecordKind

# API documentation of some fields (the spec carries their labels; these say how the API reads them).
_DESCRIPTIONS = {
    (None, "person_ids"): "Contact persons (ids from the person directory).",
    (None, "network_id"): "Defaults to the city's network.",
    (RecordKind.CONTACT, "institution_id"): "The institution that established the contact (owner).",
    (RecordKind.MEETING, "organiser_id"): "The organising institution (owner).",
    (RecordKind.INFORMATION_EXCHANGE, "from_institution_id"): "The institution that passed the information on "
                                                              "(owner).",
    (RecordKind.CONCLUSION, "institution_ids"): "Institutions that worked it out (the acting one owns it).",
}
# The common fields in the order the API has always shown them; network_id may be left out (the route fills
# in the city's network), although every stored record names one.
_COMMON_ORDER = ("occurred_on", "person_ids", "network_id")
_OPTIONAL_IN_API = {"network_id"}


def _definition(spec: FieldSpec, kind: RecordKind | None) -> tuple[Any, Any]:
    """The pydantic (annotation, FieldInfo) of one spec field."""
    description = _DESCRIPTIONS.get((kind, spec.name))
    required = spec.required and spec.name not in _OPTIONAL_IN_API
    if spec.type == FieldType.DATE:
        annotation: Any = IsoDate
    elif spec.type == FieldType.UUID:
        annotation = UUID
    elif spec.type == FieldType.CHOICE:
        annotation = spec.choices
    elif spec.type == FieldType.TEXT:
        annotation = Annotated[str, Field(min_length=1 if spec.required else None, max_length=spec.max_length)]
    elif spec.type == FieldType.UUID_LIST:
        annotation = Annotated[list[UUID], Field(max_length=spec.max_items)]
    elif spec.type == FieldType.FOLLOW_UPS:
        annotation = Annotated[list[FollowUpIn], Field(max_length=spec.max_items)]  # type: ignore[valid-type]
    else:  # pragma: no cover - a new field type needs its API shape here
        raise TypeError(f"no API shape for {spec.type}")
    documented = {"description": description} if description else {}  # else IsoDate's own description stays
    if required:
        return annotation, Field(**documented)
    if spec.type in (FieldType.UUID_LIST, FieldType.FOLLOW_UPS):
        return annotation, Field(default_factory=list, **documented)
    return Optional[annotation], Field(None, **documented)


def _model(name: str, base: type[BaseModel], specs: Iterable[FieldSpec], kind: RecordKind | None = None) -> Any:
    return create_model(name, __base__=base, __module__=__name__,
                        **{spec.name: _definition(spec, kind) for spec in specs})


FollowUpIn = _model("FollowUpIn", StrictIn, FOLLOW_UP_FIELDS)
_COMMON = {spec.name: spec for spec in COMMON_FIELDS}
RecordIn = _model("RecordIn", StrictIn, (_COMMON[name] for name in _COMMON_ORDER))


def _input_model(name: str, kind: RecordKind) -> Any:
    """The input model of a kind: its spec's fields after the common ones (RecordIn)."""
    return _model(name, RecordIn, (f for f in RECORD_KINDS[kind].fields if f.name not in _COMMON), kind)


# Built from the record-kind specs (domain.record_kinds), so the API accepts exactly what the domain checks.
ContactIn = _input_model("ContactIn", RecordKind.CONTACT)
MeetingIn = _input_model("MeetingIn", RecordKind.MEETING)
InformationExchangeIn = _input_model("InformationExchangeIn", RecordKind.INFORMATION_EXCHANGE)
ConclusionIn = _input_model("ConclusionIn", RecordKind.CONCLUSION)

INPUT_MODEL: dict[str, type[BaseModel]] = {
    RecordKind.CONTACT: ContactIn,
    RecordKind.MEETING: MeetingIn,
    RecordKind.INFORMATION_EXCHANGE: InformationExchangeIn,
    RecordKind.CONCLUSION: ConclusionIn,
}


class CorrectionIn(StrictIn):
    expected_version: Annotated[int, Field(ge=1, le=2**31, description="The version the client saw.")]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    changes: Annotated[dict[str, Any], Field(
        min_length=1, max_length=30,
        description="Changed fields only, with the same names and formats as when the record was created.")]


class RetractionIn(StrictIn):
    expected_version: Annotated[int, Field(ge=1, le=2**31)]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


_adapters: dict[tuple[str, str], TypeAdapter] = {}


def parse_changes(kind: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Reads a correction's changes with the same types as the kind's input model (dates as ISO text)."""
    model = INPUT_MODEL[RecordKind(kind)]
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        info = model.model_fields.get(name)
        if info is None or name == "network_id":
            allowed = ", ".join(n for n in model.model_fields if n != "network_id")
            raise ApiError(422, "invalid_input", f"changes.{name}: not a field of a {kind} that can be corrected "
                           f"(fields: {allowed}).", field=f"changes.{name}")
        adapter = _adapters.get((kind, name))
        if adapter is None:
            annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            adapter = _adapters[(kind, name)] = TypeAdapter(annotation)
        try:
            parsed[name] = adapter.dump_python(adapter.validate_python(value))
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ApiError(422, "invalid_input", f"changes.{name}: {message}", field=f"changes.{name}") from None
    return parsed


class RecordVersionOut(Out):
    version: int
    event_type: str = Field(description="created, corrected or retracted; `event_topic` names the stored event.")
    event_topic: str
    recorded_at: datetime
    actor_user_id: str
    actor_institution_id: UUID | None
    reason: str | None
    changes: dict[str, Any] = Field(description="For `created`: every field; for `corrected`: the changed ones.")


class RecordOut(Out):
    id: UUID
    kind: str
    version: int
    status: Literal["active", "retracted"]
    owner_institution_id: UUID
    occurred_on: date
    retraction_reason: str | None
    fields: dict[str, Any]
    history: list[RecordVersionOut]


class RecordListItem(Out):
    id: UUID
    kind: str
    subkind: str | None
    owner_institution_id: UUID
    occurred_on: date
    year: int
    title: str
    status: str
    version: int
    fields: dict[str, Any]


class RecordPage(Out):
    items: list[RecordListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")
