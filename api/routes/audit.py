"""Audit queries for auditors and coordinators: the trail of every stored event (filtered, paged, CSV with
each entry's chain hash), a record's history with old -> new diffs, and the published report versions of a
closed year with the difference between two of them; and closing a year: an institution's lead signs off
its records, the coordinator closes the year (freezing the next report version) and reopens it, with a
reason, for one institution (its records) or for the strategy (targets, reported values, stage progress).

Every year route lives under `/audit/years/{year}/...`. Access (api/policy.py): reading needs
`Action.READ_AUDIT` (auditors, coordinators), signing off `Action.SIGN_OFF_YEAR` (leads, own institution
only), closing and reopening `Action.CLOSE_YEAR` (coordinators). The domain (domain/closing.py) decides
the order of things: a close needs every member's sign-off; a closed year refuses changes to its records
and to its strategy figures until reopened."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import AuditReader as Auditor
from api.deps import ContainerDep, WriteCtx, YearCloser, YearSigner, YearStatusReader, read_tx
from api.errors import problems
from api.policy import actor_of, check_acts_for
from api.schemas.common import IsoDateTime, Out, StrictIn, Written
from api.writes import run_write, written
from domain.application import DEFAULT_NETWORK_ID
from domain.closing import FIRST_YEAR, LAST_YEAR, ReportingYear, report_diff
from domain.errors import InvariantViolated, NotFound, bilingual
from infra.audit_chain import chain_lookup
from infra.closing import close_year
from projections.audit_trail.queries import audit_entries, entries_csv, record_history
from projections.registry.queries import list_institutions

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
        raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                       field="record_id")
    return [HistoryEntry(**r) for r in rows]


Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="Reporting (calendar) year.")]


def _version(c: Any, year: int, version: int) -> ReportVersion:
    v = c.app.report_version(network_id=DEFAULT_NETWORK_ID, year=year, version=version)
    return ReportVersion(year=year, version=v["version"], report_hash=v["report_hash"],
                         report_as_of=v["report_as_of"], closed_at=v["closed_at"], closed_by=v["closed_by"],
                         signed_off_by=v["signed_off_by"], report=v["report"])


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


def _year_status(c: Any, year: int) -> YearStatus:
    """Replays the year's events for the times and authors the aggregate's state does not keep."""
    reporting_year = c.app.get_reporting_year(DEFAULT_NETWORK_ID, year)
    signed: dict[UUID, tuple[str | None, datetime]] = {}
    reopened: dict[UUID | None, tuple[str, str | None, datetime]] = {}
    for event in c.app.events.get(reporting_year.id) if reporting_year else ():
        if isinstance(event, ReportingYear.SignedOff):
            signed[event.institution_id] = (event.actor_user_id, event.timestamp)
        elif isinstance(event, ReportingYear.Reopened):
            signed.pop(event.institution_id, None)
            reopened[event.institution_id] = (event.reason, event.actor_user_id, event.timestamp)
        elif isinstance(event, ReportingYear.Closed):
            reopened.clear()
    labels = institution_short_names(c)
    required = c.app.required_sign_offs(DEFAULT_NETWORK_ID, year)
    return YearStatus(
        year=year, closed=bool(reporting_year and reporting_year.closed),
        sign_offs=[SignOffStatus(institution_id=i, short_name=labels.get(str(i)),
                                 signed_off_by=signed.get(i, (None, None))[0],
                                 signed_off_at=signed.get(i, (None, None))[1])
                   for i in [*required, *(i for i in signed if i not in required)]],
        reopened=[Reopening(institution_id=i, short_name=labels.get(str(i)), reason=reason, reopened_by=by,
                            reopened_at=at) for i, (reason, by, at) in reopened.items()],
        versions=[PublishedVersion(version=v["version"], report_hash=v["report_hash"],
                                   report_as_of=v["report_as_of"], closed_at=v["closed_at"],
                                   closed_by=v["closed_by"]) for v in (reporting_year.versions if reporting_year else [])])


@router.get("/audit/years/{year}", response_model=YearStatus, responses=problems(401, 403, 422),
            summary="A year's closing status: sign-offs (who, when), closed or open, reopenings, published versions",
            description="Coordinators, leads and auditors. A year nobody has signed off or closed yet is open, "
                        "with every required sign-off still missing.")
def get_year_status(year: Year, _: YearStatusReader, c: ContainerDep) -> YearStatus:
    return _year_status(c, year)


@router.get("/audit/years/{year}/reports/{version}", response_model=ReportVersion,
            responses=problems(401, 403, 404, 422), summary="A published report version of a closed year")
def get_report_version(year: Year, version: int, _: Auditor, c: ContainerDep) -> ReportVersion:
    return _version(c, year, version)


@router.get("/audit/years/{year}/reports/{version}/diff/{other}", response_model=ReportDiff,
            responses=problems(401, 403, 404, 422), summary="What changed between two published report versions")
def get_report_diff(year: Year, version: int, other: int, _: Auditor, c: ContainerDep) -> ReportDiff:
    first, second = _version(c, year, version), _version(c, year, other)
    return ReportDiff(year=year, from_version=version, to_version=other,
                      changes=report_diff(first.report, second.report))



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


def institution_short_names(c: Any) -> dict[str, str]:
    """Institution id -> short name: how a problem or a status names an institution to a person."""
    with read_tx(c) as tx:
        return {row["id"]: row["short_name"] for row in list_institutions(tx)}


def _missing_sign_offs(c: Any, year: int) -> list[str]:
    reporting_year = c.app.get_reporting_year(DEFAULT_NETWORK_ID, year)
    signed = reporting_year.signed_off if reporting_year else {}
    return [str(i) for i in c.app.required_sign_offs(DEFAULT_NETWORK_ID, year) if i not in signed]


def _refuse_naming_missing_sign_offs(c: Any, year: int) -> None:
    """The domain refuses a close with institution ids; a person reads short names (ids kept beside them)."""
    reporting_year = c.app.get_reporting_year(DEFAULT_NETWORK_ID, year)
    if reporting_year is not None and reporting_year.closed and not reporting_year.reopened:
        return  # refused because it is already closed: the domain's message says so
    missing = _missing_sign_offs(c, year)
    if not missing:
        return
    short_names = institution_short_names(c)
    named = ", ".join(f"{short_names.get(i, '?')} ({i})" for i in missing)
    raise InvariantViolated(
        bilingual(f"Rok {year} nie może zostać zamknięty: brak podpisu {len(missing)} instytucji: {named}.",
                  f"Year {year} cannot be closed: {len(missing)} institution(s) have not signed off: {named}."),
        field="year")


@router.post("/audit/years/{year}/sign-offs", status_code=201, response_model=Written, responses=CLOSING_RESPONSES,
             summary="A lead signs off their own institution's records of a year",
             description="Leads only, for their own institution (403 otherwise). 409 when the institution "
                         "has already signed off or the year is closed for it.")
def sign_off_year(year: Year, body: SignOffIn, user: YearSigner, c: ContainerDep, ctx: WriteCtx):
    check_acts_for(user, [body.institution_id], field="institution_id")
    return run_write(ctx, user, body, lambda: written(c.app.sign_off_year(
        network_id=DEFAULT_NETWORK_ID, year=year, institution_id=body.institution_id, actor=actor_of(user))))


@router.post("/audit/years/{year}/closings", status_code=201, response_model=YearClosed,
             responses=problems(401, 403, 409, 422),
             summary="Close a year: freeze the next numbered report version",
             description="Coordinators only. 409 while a network member of that year has not signed off, "
                         "or when the year is already closed and nothing was reopened.")
def close_reporting_year(year: Year, user: YearCloser, c: ContainerDep, ctx: WriteCtx):
    def close() -> YearClosed:
        try:
            saved = close_year(c, network_id=DEFAULT_NETWORK_ID, year=year, actor=actor_of(user))
        except InvariantViolated:
            _refuse_naming_missing_sign_offs(c, year)
            raise
        published = c.app.repository.get(saved.id, version=saved.version).versions[-1]
        return YearClosed(**written(saved).model_dump(), report_version=published["version"],
                          report_hash=published["report_hash"])

    return run_write(ctx, user, None, close)


@router.post("/audit/years/{year}/reopenings", status_code=201, response_model=Written, responses=CLOSING_RESPONSES,
             summary="Reopen a closed year for one institution, or for the strategy, with a reason",
             description="Coordinators only. With an institution_id, that institution's records of the year may "
                         "change again and its lead signs off again before the next close. With institution_id "
                         "null or absent, the strategy's figures for the year (targets, reported indicator "
                         "values, stage plan and progress) may change again; the next close needs no new "
                         "sign-off for that. 409 when the year is not closed or already reopened for that "
                         "institution (or for the strategy).")
def reopen_year(year: Year, body: ReopenIn, user: YearCloser, c: ContainerDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(c.app.reopen_year(
        network_id=DEFAULT_NETWORK_ID, year=year, institution_id=body.institution_id, reason=body.reason,
        actor=actor_of(user))))
