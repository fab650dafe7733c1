"""The joint events calendar over JSON (issue 14): list and read events of the user's networks, publish,
edit, move, cancel, record attendance. Each route parses, calls one use case of `uc.calendar`
(domain/use_cases/calendar.py) and renders. Times are Europe/Warsaw wall-clock time ("2026-12-10T10:00")
unless they carry an offset. The writes take no Idempotency-Key: an edit, move or cancellation names the
version it was made against (a retry is a 409), and attendance is once-only by itself; a retried publish may
publish twice. The iCalendar feeds are pages (/kalendarz/ical/...), fetched with a secret
address rather than a bearer token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BeforeValidator, Field

from api.deps import CurrentUser, UseCasesDep
from api.errors import problems
from api.schemas.common import IsoDate, Out, StrictIn, Written, _iso_datetime_text_only
from api.writes import written
from domain.use_cases.calendar import EventKind, MeetingKind

router = APIRouter(tags=["calendar"])

LocalTime = Annotated[datetime, BeforeValidator(_iso_datetime_text_only),
                      Field(description="ISO 8601 date and time; Europe/Warsaw wall-clock time when no offset is given.")]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Short = Annotated[str, Field(max_length=300)]
Ids = Annotated[list[UUID], Field(max_length=200)]


class Details(StrictIn):
    title: Title
    kind: EventKind
    place: Short = ""
    online_url: Annotated[str, Field(max_length=500)] = ""
    invited_ids: Ids = []
    description: Annotated[str, Field(max_length=5000)] = ""


class EventIn(Details):
    network_id: UUID | None = Field(default=None, description="A network of the user's; the home network if left out.")
    organiser_id: UUID
    starts_at: LocalTime
    ends_at: LocalTime
    all_day: bool = False


class EditIn(StrictIn):
    expected_version: Annotated[int, Field(ge=1, le=2**31)]
    changes: dict[str, Any] = Field(description="Any of title, kind, place, online_url, invited_ids, description.")


class MoveIn(StrictIn):
    expected_version: Annotated[int, Field(ge=1, le=2**31)]
    starts_at: LocalTime
    ends_at: LocalTime
    all_day: bool = False


class CancelIn(StrictIn):
    expected_version: Annotated[int, Field(ge=1, le=2**31)]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class AttendanceIn(StrictIn):
    institution_ids: Ids = Field(description="Institutions that took part (the organiser takes part in any case).")
    firm_ids: Ids = []
    meeting_kind: MeetingKind | None = None
    minutes: Annotated[str, Field(max_length=20000)] = ""


class EventOut(Out):
    id: UUID
    network_id: UUID
    organiser_id: UUID
    title: str
    kind: str
    starts_at: str = Field(description="Europe/Warsaw wall-clock time (an all-day event: midnight of its first day).")
    ends_at: str = Field(description="Europe/Warsaw wall-clock time (an all-day event: midnight of its last day).")
    all_day: bool
    place: str
    online_url: str
    description: str
    invited_ids: list[UUID]
    status: str = Field(description="planned, cancelled, or held (attendance recorded: see record_id).")
    sequence: int = Field(description="Revisions so far (the iCalendar SEQUENCE).")
    version: int
    record_id: UUID | None


def _out(row: dict[str, Any]) -> EventOut:
    return EventOut(**{name: row[name] for name in EventOut.model_fields})


WRITES = problems(400, 401, 403, 404, 409, 422)


@router.get("/calendar/events", response_model=list[EventOut], responses=problems(401, 403, 404, 422),
            summary="Events of the user's networks, earliest first")
def list_events(user: CurrentUser, uc: UseCasesDep, network_id: UUID | None = None, kind: EventKind | None = None,
                institution_id: Annotated[UUID | None, Query(description="Organising or invited.")] = None,
                starts_from: Annotated[IsoDate | None, Query(description="Events still running on this day or later.")] = None,
                starts_before: Annotated[IsoDate | None, Query(description="Events starting before this day.")] = None,
                ) -> list[EventOut]:
    rows = uc.calendar.events(user, network_id=network_id, kind=kind.value if kind else None,
                              institution_id=institution_id, starts_from=starts_from, starts_before=starts_before)
    return [_out(r) for r in rows]


@router.get("/calendar/events/{event_id}", response_model=EventOut, responses=problems(401, 403, 404, 422),
            summary="One event")
def get_event(event_id: UUID, user: CurrentUser, uc: UseCasesDep) -> EventOut:
    return _out(uc.calendar.event(user, event_id))


@router.post("/calendar/events", status_code=201, response_model=Written, responses=WRITES,
             summary="Publish an event to a network's calendar")
def publish_event(body: EventIn, user: CurrentUser, uc: UseCasesDep) -> Written:
    fields = body.model_dump()
    return written(uc.calendar.publish(
        user, network_id=fields.pop("network_id"), organiser_id=fields.pop("organiser_id"),
        starts_at=fields.pop("starts_at"), ends_at=fields.pop("ends_at"), all_day=fields.pop("all_day"),
        **{**fields, "kind": body.kind.value}))


@router.post("/calendar/events/{event_id}/edits", status_code=200, response_model=Written, responses=WRITES,
             summary="Change an event's title, kind, place, online link, invited institutions or description")
def edit_event(event_id: UUID, body: EditIn, user: CurrentUser, uc: UseCasesDep) -> Written:
    return written(uc.calendar.edit(user, event_id, expected_version=body.expected_version, changes=body.changes))


@router.post("/calendar/events/{event_id}/moves", status_code=200, response_model=Written, responses=WRITES,
             summary="Move an event to another time (its feed UID stays, its SEQUENCE rises)")
def move_event(event_id: UUID, body: MoveIn, user: CurrentUser, uc: UseCasesDep) -> Written:
    return written(uc.calendar.move(user, event_id, expected_version=body.expected_version, starts_at=body.starts_at,
                                    ends_at=body.ends_at, all_day=body.all_day))


@router.post("/calendar/events/{event_id}/cancellation", status_code=200, response_model=Written, responses=WRITES,
             summary="Cancel an event (the feed says STATUS:CANCELLED)")
def cancel_event(event_id: UUID, body: CancelIn, user: CurrentUser, uc: UseCasesDep) -> Written:
    return written(uc.calendar.cancel(user, event_id, expected_version=body.expected_version, reason=body.reason))


@router.post("/calendar/events/{event_id}/attendance", status_code=201, response_model=Written, responses=WRITES,
             summary="Record who took part: the event becomes a meeting record of its network (once; a repeat "
                     "answers with the same record)")
def record_attendance(event_id: UUID, body: AttendanceIn, user: CurrentUser, uc: UseCasesDep) -> Written:
    return written(uc.calendar.record_attendance(
        user, event_id, institution_ids=body.institution_ids, firm_ids=body.firm_ids,
        meeting_kind=body.meeting_kind.value if body.meeting_kind else None, minutes=body.minutes))
