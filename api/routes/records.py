"""Cooperation records: create one per kind, read with full history, correct, retract, list."""

from __future__ import annotations

from typing import Annotated, Any, Callable
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder

from api.deps import ContainerDep, RecordReader, RecordWriter, WriteCtx, read_tx
from api.errors import problems
from api.policy import (
    actor_of,
    can_see_record,
    check_acts_for,
    check_filter_institution,
)
from api.schemas.common import Written
from api.schemas.records import (
    ConclusionIn,
    ContactIn,
    CorrectionIn,
    InformationExchangeIn,
    OWNER_FIELD,
    MeetingIn,
    RecordIn,
    RecordListItem,
    RecordOut,
    RecordPage,
    RecordVersionOut,
    RetractionIn,
    owner_candidates,
    parse_changes,
)
from api.writes import run_write, written
from domain.application import DEFAULT_NETWORK_ID
from domain.errors import NotFound, bilingual
from domain.records import Record, institutions_involved
from domain.values import RecordKind
from infra.container import Container
from infra.users import User
from projections.activity_register.queries import list_records

router = APIRouter(tags=["records"])


def _fields(body: RecordIn) -> dict[str, Any]:
    fields = body.model_dump()
    fields["network_id"] = body.network_id or DEFAULT_NETWORK_ID
    return fields


def _create(kind: RecordKind, body: RecordIn, user: User, c: Container, ctx) -> Any:
    def action() -> Written:
        fields = _fields(body)
        check_acts_for(user, owner_candidates(kind, fields), field=OWNER_FIELD[kind])
        return written(c.app.record(kind.value, fields, actor_of(user)))

    return run_write(ctx, user, body, action)


CREATE_RESPONSES = problems(400, 401, 403, 409, 422)


@router.post("/contacts", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a contact established")
def create_contact(body: ContactIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    return _create(RecordKind.CONTACT, body, user, c, ctx)


@router.post("/meetings", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a meeting held")
def create_meeting(body: MeetingIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    return _create(RecordKind.MEETING, body, user, c, ctx)


@router.post("/information-exchanges", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record information passed on")
def create_information_exchange(body: InformationExchangeIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    return _create(RecordKind.INFORMATION_EXCHANGE, body, user, c, ctx)


@router.post("/conclusions", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a conclusion, expertise, needs analysis or cooperation concept")
def create_conclusion(body: ConclusionIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    return _create(RecordKind.CONCLUSION, body, user, c, ctx)


def _visible_record(c: Container, user: User, record_id: UUID) -> Record:
    """The record, or 404 — also when a staff member's institution takes no part in it (no leak)."""
    record = c.app.get_record(record_id)
    if not can_see_record(user, institutions_involved(record.kind, record.fields)):
        raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                       field="record_id")
    return record


def _history(c: Container, record_id: UUID) -> list[RecordVersionOut]:
    versions = []
    for event in c.app.events.get(record_id):
        if isinstance(event, Record.Created):
            event_type, changes, reason = "created", dict(event.fields), None
        elif isinstance(event, Record.Corrected):
            event_type, changes, reason = "corrected", dict(event.changes), event.reason
        elif isinstance(event, Record.Retracted):
            event_type, changes, reason = "retracted", {}, event.reason
        else:
            event_type, changes, reason = type(event).__name__.lower(), {}, getattr(event, "reason", None)
        versions.append(RecordVersionOut(
            version=event.originator_version, event_type=event_type,
            event_topic=getattr(type(event), "TOPIC", type(event).__qualname__), recorded_at=event.timestamp,
            actor_user_id=event.actor_user_id, actor_institution_id=event.actor_institution_id, reason=reason,
            changes=jsonable_encoder(changes)))
    return versions


def record_out(c: Container, record: Record) -> RecordOut:
    return RecordOut(
        id=record.id, kind=record.kind, version=record.version,
        status="retracted" if record.retracted else "active", owner_institution_id=record.owner_institution_id,
        occurred_on=record.occurred_on, retraction_reason=record.retraction_reason,
        fields=jsonable_encoder(record.fields), history=_history(c, record.id))


@router.get("/records/{record_id}", response_model=RecordOut, responses=problems(401, 403, 404, 422),
            summary="A record's current state and every version")
def get_record(record_id: UUID, user: RecordReader, c: ContainerDep) -> RecordOut:
    return record_out(c, _visible_record(c, user, record_id))


def _change(record_id: UUID, user: User, c: Container, ctx, body, apply: Callable[[Record], Written]):
    def action() -> Written:
        record = _visible_record(c, user, record_id)
        check_acts_for(user, [record.owner_institution_id], field="record_id")
        return apply(record)

    return run_write(ctx, user, body, action, status_code=200)


@router.post("/records/{record_id}/corrections", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422),
             summary="Correct a record (with a reason; a stale expected_version gets 409)")
def correct_record(record_id: UUID, body: CorrectionIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    def apply(record: Record) -> Written:
        changes = parse_changes(record.kind, body.changes)
        merged = {**record.fields, **changes}
        # Staff may not hand their record over to another institution by correcting its owner field.
        check_acts_for(user, owner_candidates(record.kind, merged), field="changes")
        return written(c.app.correct_record(record_id=record.id, expected_version=body.expected_version,
                                            reason=body.reason, changes=changes, actor=actor_of(user)))

    return _change(record_id, user, c, ctx, body, apply)


@router.post("/records/{record_id}/retractions", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422),
             summary="Retract a record (with a reason; a stale expected_version gets 409)")
def retract_record(record_id: UUID, body: RetractionIn, user: RecordWriter, c: ContainerDep, ctx: WriteCtx):
    return _change(record_id, user, c, ctx, body, lambda record: written(c.app.retract_record(
        record_id=record.id, expected_version=body.expected_version, reason=body.reason, actor=actor_of(user))))


@router.get("/records", response_model=RecordPage, responses=problems(401, 403, 422),
            summary="The activity register, newest business date first, in pages")
def get_records(
    user: RecordReader, c: ContainerDep,
    institution: Annotated[UUID | None, Query(description="Records this institution takes part in.")] = None,
    kind: RecordKind | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecordPage:
    institution = check_filter_institution(user, institution)
    with read_tx(c) as tx:
        rows, next_cursor = list_records(tx, institution_id=str(institution) if institution else None,
                                         kind=kind.value if kind else None, year=year, cursor=cursor, limit=limit)
    return RecordPage(items=[RecordListItem(
        id=r["record_id"], kind=r["kind"], subkind=r["subkind"], owner_institution_id=r["owner_institution_id"],
        occurred_on=r["occurred_on"], year=r["year"], title=r["title"], status=r["status"], version=r["version"],
        fields=r["fields"]) for r in rows], next_cursor=next_cursor)
