"""Audit queries for auditors and coordinators: the trail of every stored event (filtered, paged, CSV with
each entry's chain hash), a record's history with old -> new diffs, and the published report versions of a
closed year with the difference between two of them.
Access: `Action.READ_AUDIT` in api/policy.py (auditors and coordinators)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AuditReader as Auditor
from api.deps import ContainerDep, read_tx
from api.errors import problems
from api.schemas.common import Out
from domain.application import DEFAULT_NETWORK_ID
from domain.closing import report_diff
from domain.errors import NotFound
from infra.audit_chain import chain_lookup
from projections.audit_trail.queries import audit_entries, entries_csv, record_history

router = APIRouter(tags=["audit"])

CSV_PAGE = 1000


class Change(Out):
    field: str
    label: str
    old: Any = None
    new: Any = None


class AuditEntry(Out):
    position: int
    recorded_at: str
    user_id: str | None
    institution_id: str | None
    owner_institution_id: str | None
    record_id: str
    version: int
    kind: str
    event_type: str
    reason: str | None
    changes: list[Change]
    chain_hash: str | None


class AuditPage(Out):
    items: list[AuditEntry]
    next_cursor: str | None


class HistoryEntry(AuditEntry):
    fields_after: dict[str, Any]
    retracted: bool


class ReportVersion(Out):
    year: int
    version: int
    report_hash: str
    report_as_of: str
    closed_at: datetime
    closed_by: str
    signed_off_by: dict[str, str]
    report: dict[str, Any]


class ReportDiff(Out):
    year: int
    from_version: int
    to_version: int
    changes: list[dict[str, Any]]


def _filters(
    user: Annotated[str | None, Query(max_length=200, description="Who recorded it (user id).")] = None,
    institution: Annotated[UUID | None, Query(description="Acting or owning institution.")] = None,
    record: Annotated[UUID | None, Query(description="A record's (or other aggregate's) id.")] = None,
    kind: Annotated[str | None, Query(max_length=50, pattern=r"^[a-z_]+$",
                                      description="contact, meeting, information_exchange, conclusion, "
                                                  "institution, network, firm, reporting_year, ...")] = None,
    recorded_from: Annotated[datetime | None, Query(description="Recorded at or after (ISO; UTC if no zone).")] = None,
    recorded_to: Annotated[datetime | None, Query(description="Recorded before (ISO; UTC if no zone).")] = None,
) -> dict[str, Any]:
    def utc(value: datetime | None) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)

    return {"user": user, "institution_id": str(institution) if institution else None,
            "record_id": str(record) if record else None, "kind": kind,
            "recorded_from": utc(recorded_from), "recorded_to": utc(recorded_to)}


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get("/audit/entries", response_model=AuditPage, responses=problems(401, 403, 422),
            summary="Every stored event, in log order, filtered and paged, with its chain hash")
def get_audit_entries(
    _: Auditor, c: ContainerDep, filters: Filters,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    with read_tx(c) as tx:
        rows, next_cursor = audit_entries(tx, **filters, cursor=cursor, limit=limit,
                                          chain_lookup=chain_lookup(c.app.recorder))
    return AuditPage(items=[AuditEntry(**r) for r in rows], next_cursor=next_cursor)


@router.get("/audit/entries.csv", responses={200: {"content": {"text/csv": {}}}, **problems(401, 403, 422)},
            response_class=Response, summary="The filtered audit trail as CSV (UTF-8 with BOM, ';')")
def get_audit_entries_csv(_: Auditor, c: ContainerDep, filters: Filters) -> Response:
    rows: list[dict[str, Any]] = []
    cursor = None
    lookup = chain_lookup(c.app.recorder)
    with read_tx(c) as tx:
        while True:
            page, cursor = audit_entries(tx, **filters, cursor=cursor, limit=CSV_PAGE, chain_lookup=lookup)
            rows += page
            if cursor is None:
                break
    return Response(entries_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="slad-audytowy.csv"'})


@router.get("/records/{record_id}/history", response_model=list[HistoryEntry], responses=problems(401, 403, 404, 422),
            summary="Every version of a record: who, when, why, and each changed field old -> new")
def get_record_history(record_id: UUID, _: Auditor, c: ContainerDep) -> list[HistoryEntry]:
    with read_tx(c) as tx:
        rows = record_history(tx, str(record_id), chain_lookup=chain_lookup(c.app.recorder))
    if not rows or not rows[0]["event_type"].startswith("Record."):
        raise NotFound(f"No record with id {record_id}.", field="record_id")
    return [HistoryEntry(**r) for r in rows]


def _version(c: Any, year: int, version: int) -> ReportVersion:
    v = c.app.report_version(network_id=DEFAULT_NETWORK_ID, year=year, version=version)
    return ReportVersion(year=year, version=v["version"], report_hash=v["report_hash"],
                         report_as_of=v["report_as_of"], closed_at=v["closed_at"], closed_by=v["closed_by"],
                         signed_off_by=v["signed_off_by"], report=v["report"])


@router.get("/audit/years/{year}/reports/{version}", response_model=ReportVersion,
            responses=problems(401, 403, 404, 422), summary="A published report version of a closed year")
def get_report_version(year: int, version: int, _: Auditor, c: ContainerDep) -> ReportVersion:
    return _version(c, year, version)


@router.get("/audit/years/{year}/reports/{version}/diff/{other}", response_model=ReportDiff,
            responses=problems(401, 403, 404, 422), summary="What changed between two published report versions")
def get_report_diff(year: int, version: int, other: int, _: Auditor, c: ContainerDep) -> ReportDiff:
    first, second = _version(c, year, version), _version(c, year, other)
    return ReportDiff(year=year, from_version=version, to_version=other,
                      changes=report_diff(first.report, second.report))

