"""Cooperation records: create one per kind, read with full history, correct, retract, list.
Each route parses, calls one use case (domain/use_cases/records.py) and renders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder

from api.deps import RecordReader, RecordWriter, UseCasesDep, WriteCtx
from api.errors import problems
from api.schemas.common import Written
from api.schemas.records import (
    ConclusionIn,
    ContactIn,
    CorrectionIn,
    InformationExchangeIn,
    MeetingIn,
    RecordIn,
    RecordListItem,
    RecordOut,
    RecordPage,
    RecordVersionOut,
    RetractionIn,
    parse_changes,
)
from api.writes import run_write, written
from domain.policy import User
from domain.use_cases import UseCases
from domain.values import RecordKind

router = APIRouter(tags=["records"])


def _create(kind: RecordKind, body: RecordIn, user: User, uc: UseCases, ctx) -> Any:
    return run_write(ctx, user, body, lambda: written(uc.records.record(user, kind.value, body.model_dump())))


CREATE_RESPONSES = problems(400, 401, 403, 409, 422)


@router.post("/contacts", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a contact established")
def create_contact(body: ContactIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    return _create(RecordKind.CONTACT, body, user, uc, ctx)


@router.post("/meetings", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a meeting held")
def create_meeting(body: MeetingIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    return _create(RecordKind.MEETING, body, user, uc, ctx)


@router.post("/information-exchanges", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record information passed on")
def create_information_exchange(body: InformationExchangeIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    return _create(RecordKind.INFORMATION_EXCHANGE, body, user, uc, ctx)


@router.post("/conclusions", status_code=201, response_model=Written, responses=CREATE_RESPONSES,
             summary="Record a conclusion, expertise, needs analysis or cooperation concept")
def create_conclusion(body: ConclusionIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    return _create(RecordKind.CONCLUSION, body, user, uc, ctx)


@router.get("/records/{record_id}", response_model=RecordOut, responses=problems(401, 403, 404, 422),
            summary="A record's current state and every version")
def get_record(record_id: UUID, user: RecordReader, uc: UseCasesDep) -> RecordOut:
    view = uc.records.view(user, record_id)
    record = view.record
    return RecordOut(
        id=record.id, kind=record.kind, version=record.version,
        status="retracted" if record.retracted else "active", owner_institution_id=record.owner_institution_id,
        occurred_on=record.occurred_on, retraction_reason=record.retraction_reason,
        fields=jsonable_encoder(record.fields), history=[RecordVersionOut(**asdict(v)) for v in view.history])


@router.post("/records/{record_id}/corrections", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422),
             summary="Correct a record (with a reason; a stale expected_version gets 409)")
def correct_record(record_id: UUID, body: CorrectionIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    def correct() -> Written:
        record = uc.records.visible(user, record_id)  # the kind decides how the changes parse
        return written(uc.records.correct(user, record.id, expected_version=body.expected_version,
                                          reason=body.reason, changes=parse_changes(record.kind, body.changes)))

    return run_write(ctx, user, body, correct, status_code=200)


@router.post("/records/{record_id}/retractions", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422),
             summary="Retract a record (with a reason; a stale expected_version gets 409)")
def retract_record(record_id: UUID, body: RetractionIn, user: RecordWriter, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.records.retract(
        user, record_id, expected_version=body.expected_version, reason=body.reason)), status_code=200)


@router.get("/records", response_model=RecordPage, responses=problems(401, 403, 422),
            summary="The activity register, newest business date first, in pages")
def get_records(
    user: RecordReader, uc: UseCasesDep,
    institution: Annotated[UUID | None, Query(description="Records this institution takes part in.")] = None,
    kind: RecordKind | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecordPage:
    rows, next_cursor = uc.records.register(user, institution_id=institution, kind=kind.value if kind else None,
                                            year=year, cursor=cursor, limit=limit)
    return RecordPage(items=[RecordListItem(
        id=r["record_id"], kind=r["kind"], subkind=r["subkind"], owner_institution_id=r["owner_institution_id"],
        occurred_on=r["occurred_on"], year=r["year"], title=r["title"], status=r["status"], version=r["version"],
        fields=r["fields"]) for r in rows], next_cursor=next_cursor)
