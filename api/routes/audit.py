"""Audit queries for auditors and coordinators: the trail of every stored event (filtered, paged, CSV with
each entry's chain hash), a record's history with old -> new diffs, and the published report versions of a
closed year with the difference between two of them; and closing a year: an institution's lead signs off
its records, the coordinator closes the year (freezing the next report version) and reopens it, with a
reason, for one institution (its records) or for the strategy (targets, reported values, stage progress).

Every year route lives under `/audit/years/{year}/...`. Access (domain/policy.py): reading needs
`Action.READ_AUDIT` (auditors, coordinators), signing off `Action.SIGN_OFF_YEAR` (leads, own institution
only), closing and reopening `Action.CLOSE_YEAR` (coordinators). The domain (domain/closing.py) decides
the order of things: a close needs every member's sign-off; a closed year refuses changes to its records
and to its strategy figures until reopened."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import AuditReader as Auditor
from api.deps import UseCasesDep, WriteCtx, YearCloser, YearSigner, YearStatusReader
from api.errors import problems
from api.schemas.common import IsoDateTime, Out, StrictIn, Written
from api.writes import run_write, written
from domain.use_cases.closing import FIRST_YEAR, LAST_YEAR
from domain.use_cases.audit import AuditFilter
from infra.exports.audit import entries_csv

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
    recorded_from: Annotated[IsoDateTime | None, Query(description="Recorded at or after (ISO 8601 text; UTC if no "
                                                                  "zone; numbers are refused).")] = None,
    recorded_to: Annotated[IsoDateTime | None, Query(description="Recorded before (ISO 8601 text; UTC if no zone; "
                                                                "numbers are refused).")] = None,
) -> AuditFilter:
    return AuditFilter(user=user, institution_id=institution, record_id=record, kind=kind,
                       recorded_from=recorded_from, recorded_to=recorded_to)


Filters = Annotated[AuditFilter, Depends(_filters)]


@router.get("/audit/entries", response_model=AuditPage, responses=problems(401, 403, 422),
            summary="Every stored event, in log order, filtered and paged, with its chain hash")
def get_audit_entries(
    user: Auditor, uc: UseCasesDep, filters: Filters,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    rows, next_cursor = uc.audit.entries(user, filters, cursor=cursor, limit=limit)
    return AuditPage(items=[AuditEntry(**r) for r in rows], next_cursor=next_cursor)


@router.get("/audit/entries.csv", responses={200: {"content": {"text/csv": {}}}, **problems(401, 403, 422)},
            response_class=Response, summary="The filtered audit trail as CSV (UTF-8 with BOM, ';')")
def get_audit_entries_csv(user: Auditor, uc: UseCasesDep, filters: Filters) -> Response:
    return Response(entries_csv(uc.audit.all_entries(user, filters, page=CSV_PAGE)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="slad-audytowy.csv"'})


@router.get("/records/{record_id}/history", response_model=list[HistoryEntry], responses=problems(401, 403, 404, 422),
            summary="Every version of a record: who, when, why, and each changed field old -> new")
def get_record_history(record_id: UUID, user: Auditor, uc: UseCasesDep) -> list[HistoryEntry]:
    return [HistoryEntry(**r) for r in uc.audit.record_history(user, record_id)]


Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="Reporting (calendar) year.")]


class SignOffStatus(Out):
    institution_id: UUID
    short_name: str | None
    signed_off_by: str | None = Field(description="User id of the lead who signed off; null while not signed.")
    signed_off_at: datetime | None


class Reopening(Out):
    institution_id: UUID | None = Field(description="The institution reopened for; null: reopened for the strategy "
                                                    "(targets, reported values, stage plan and progress of the year).")
    short_name: str | None
    reason: str
    reopened_by: str | None
    reopened_at: datetime


class PublishedVersion(Out):
    version: int
    report_hash: str
    report_as_of: str
    closed_at: datetime
    closed_by: str | None


class YearStatus(Out):
    year: int
    closed: bool = Field(description="Closed (a version published); records of the year are frozen except for "
                                     "the institutions it is reopened for.")
    sign_offs: list[SignOffStatus] = Field(description="Every institution that must sign off before the next close.")
    reopened: list[Reopening] = Field(description="Institutions (institution_id null: the strategy) the closed "
                                                  "year is open again for, and why.")
    versions: list[PublishedVersion]


@router.get("/audit/years/{year}", response_model=YearStatus, responses=problems(401, 403, 422),
            summary="A year's closing status: sign-offs (who, when), closed or open, reopenings, published versions",
            description="Coordinators, leads and auditors. A year nobody has signed off or closed yet is open, "
                        "with every required sign-off still missing.")
def get_year_status(year: Year, user: YearStatusReader, uc: UseCasesDep) -> YearStatus:
    status = uc.closing.status(user, year)
    return YearStatus(year=status.year, closed=status.closed,
                      sign_offs=[SignOffStatus(**asdict(s)) for s in status.sign_offs],
                      reopened=[Reopening(**asdict(r)) for r in status.reopened],
                      versions=[PublishedVersion(**{k: v[k] for k in PublishedVersion.model_fields})
                                for v in status.versions])


def _version(year: int, v: dict[str, Any]) -> ReportVersion:
    return ReportVersion(year=year, **{k: v[k] for k in ReportVersion.model_fields if k != "year"})


@router.get("/audit/years/{year}/reports/{version}", response_model=ReportVersion,
            responses=problems(401, 403, 404, 422), summary="A published report version of a closed year")
def get_report_version(year: Year, version: int, user: Auditor, uc: UseCasesDep) -> ReportVersion:
    return _version(year, uc.closing.report_version(user, year, version))


@router.get("/audit/years/{year}/reports/{version}/diff/{other}", response_model=ReportDiff,
            responses=problems(401, 403, 404, 422), summary="What changed between two published report versions")
def get_report_diff(year: Year, version: int, other: int, user: Auditor, uc: UseCasesDep) -> ReportDiff:
    return ReportDiff(year=year, from_version=version, to_version=other,
                      changes=uc.closing.report_diff(user, year, version, other))


# ---------------------------------------------------------------------------------------------- closing a year
class SignOffIn(StrictIn):
    institution_id: UUID = Field(description="The lead's own institution.")


class ReopenIn(StrictIn):
    institution_id: UUID | None = Field(
        default=None, description="The institution whose records of the year may change again; null or absent: "
                                  "the strategy itself, whose targets, reported values, stage plan and progress "
                                  "for the year may change again (no lead signs off again for that).")
    reason: str = Field(min_length=1, max_length=1000, description="Why the closed year is reopened (mandatory).")


class YearClosed(Written):
    report_version: int = Field(description="Number of the report version this close published (1, 2, ...).")
    report_hash: str = Field(description="SHA-256 of the frozen report (canonical JSON).")


CLOSING_RESPONSES = problems(400, 401, 403, 409, 422)


@router.post("/audit/years/{year}/sign-offs", status_code=201, response_model=Written, responses=CLOSING_RESPONSES,
             summary="A lead signs off their own institution's records of a year",
             description="Leads only, for their own institution (403 otherwise). 409 when the institution "
                         "has already signed off or the year is closed for it.")
def sign_off_year(year: Year, body: SignOffIn, user: YearSigner, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.closing.sign_off(user, year,
                                                                          institution_id=body.institution_id)))


@router.post("/audit/years/{year}/closings", status_code=201, response_model=YearClosed,
             responses=problems(401, 403, 409, 422),
             summary="Close a year: freeze the next numbered report version",
             description="Coordinators only. 409 while a network member of that year has not signed off, "
                         "or when the year is already closed and nothing was reopened.")
def close_reporting_year(year: Year, user: YearCloser, uc: UseCasesDep, ctx: WriteCtx):
    def close() -> YearClosed:
        closed = uc.closing.close(user, year)
        return YearClosed(**written(closed.saved).model_dump(), report_version=closed.report_version,
                          report_hash=closed.report_hash)

    return run_write(ctx, user, None, close)


@router.post("/audit/years/{year}/reopenings", status_code=201, response_model=Written, responses=CLOSING_RESPONSES,
             summary="Reopen a closed year for one institution, or for the strategy, with a reason",
             description="Coordinators only. With an institution_id, that institution's records of the year may "
                         "change again and its lead signs off again before the next close. With institution_id "
                         "null or absent, the strategy's figures for the year (targets, reported indicator "
                         "values, stage plan and progress) may change again; the next close needs no new "
                         "sign-off for that. 409 when the year is not closed or already reopened for that "
                         "institution (or for the strategy).")
def reopen_year(year: Year, body: ReopenIn, user: YearCloser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.closing.reopen(
        user, year, institution_id=body.institution_id, reason=body.reason)))
