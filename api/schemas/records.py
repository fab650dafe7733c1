"""Cooperation records: one input model per kind, corrections, retractions, the record view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, TypeAdapter, ValidationError

from api.errors import ApiError
from api.schemas.common import IsoDate, Out, StrictIn
from domain.values import Channel, ConclusionKind, MeetingKind, RecordKind

Title = Annotated[str, Field(min_length=1, max_length=300)]
Summary = Annotated[str, Field(min_length=1, max_length=2000)]
Ids = Annotated[list[UUID], Field(max_length=200)]


class RecordIn(StrictIn):
    occurred_on: IsoDate
    person_ids: Ids = Field(default_factory=list, description="Contact persons (ids from the person directory).")
    network_id: UUID | None = Field(None, description="Defaults to the city's network.")


class ContactIn(RecordIn):
    institution_id: UUID = Field(description="The institution that established the contact (owner).")
    with_institution_id: UUID | None = None
    with_firm_id: UUID | None = None
    channel: Channel
    summary: Summary


class FollowUpIn(StrictIn):
    action: Annotated[str, Field(min_length=1, max_length=500)]
    due_on: IsoDate
    institution_id: UUID | None = None


class MeetingIn(RecordIn):
    title: Title
    kind: MeetingKind
    organiser_id: UUID = Field(description="The organising institution (owner).")
    institution_ids: Ids = Field(default_factory=list)
    firm_ids: Ids = Field(default_factory=list)
    topic: Annotated[str, Field(max_length=2000)] | None = None
    minutes: Annotated[str, Field(max_length=20000)] | None = None
    follow_ups: Annotated[list[FollowUpIn], Field(max_length=100)] = Field(default_factory=list)


class InformationExchangeIn(RecordIn):
    from_institution_id: UUID = Field(description="The institution that passed the information on (owner).")
    to_institution_ids: Ids = Field(default_factory=list)
    to_firm_ids: Ids = Field(default_factory=list)
    subject: Annotated[str, Field(min_length=1, max_length=500)]
    channel: Channel


class ConclusionIn(RecordIn):
    title: Title
    kind: ConclusionKind
    institution_ids: Ids = Field(description="Institutions that worked it out (the acting one owns it).")
    meeting_id: UUID | None = None


INPUT_MODEL: dict[str, type[RecordIn]] = {
    RecordKind.CONTACT: ContactIn,
    RecordKind.MEETING: MeetingIn,
    RecordKind.INFORMATION_EXCHANGE: InformationExchangeIn,
    RecordKind.CONCLUSION: ConclusionIn,
}

# The field naming the institution(s) that own a record of each kind (see domain.records.owner_institution).
OWNER_FIELD = {
    RecordKind.CONTACT: "institution_id",
    RecordKind.MEETING: "organiser_id",
    RecordKind.INFORMATION_EXCHANGE: "from_institution_id",
    RecordKind.CONCLUSION: "institution_ids",
}


def owner_candidates(kind: str, fields: dict[str, Any]) -> list[UUID]:
    value = fields.get(OWNER_FIELD[RecordKind(kind)])
    return list(value) if isinstance(value, list) else [value]


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
