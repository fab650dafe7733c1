"""Shared networks and their good-practice library over JSON (issue 14): the user's shared networks, the
comparison of the member cities' shared indicators, a coordinator's choice of what to share; the library
(search and filters), one practice, publishing, linking a meeting, withdrawing, and an attached document's
bytes. Each route parses, calls one use case of `uc.shared_networks` or `uc.practices` and renders.
Documents are attached on the pages (a multipart upload of up to 10 MB; the JSON API takes JSON bodies only)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import CurrentUser, UseCasesDep, WriteCtx
from api.errors import problems
from api.schemas.common import Out, StrictIn, Written
from api.writes import run_write, written
from domain.use_cases.practices import DOCUMENT_TYPES, PracticeFilter
from infra.exports.stamp import content_disposition

router = APIRouter(tags=["shared networks"])

Text = Annotated[str, Field(min_length=1, max_length=200)]
WRITES = problems(400, 401, 403, 404, 409, 422)
READS = problems(401, 403, 404, 422)


class MemberOut(Out):
    municipality_id: UUID
    name: str
    joined_on: str
    left_on: str | None
    indicator_codes: list[str] = Field(description="The indicators the member shares with the network now.")


class SharedNetworkOut(Out):
    id: UUID
    name: str
    kind: str
    members: list[MemberOut] = Field(description="Every membership interval (left_on inclusive; null: a member).")


class CityFiguresOut(Out):
    municipality_id: UUID
    city: str
    indicator_name: str
    unit: str
    task_code: str
    years: dict[str, dict[str, Any]] = Field(description="Year -> target, actual, percent as the city's own report.")
    rule_pl: str
    rule_en: str


class ComparedIndicatorOut(Out):
    code: str
    name: str
    cities: list[CityFiguresOut]


class ComparisonOut(Out):
    network_id: UUID
    years: list[str]
    indicators: list[ComparedIndicatorOut]


class SharedIndicatorsIn(StrictIn):
    indicator_codes: Annotated[list[Annotated[str, Field(min_length=1, max_length=50)]], Field(max_length=200)]


class PracticeIn(StrictIn):
    network_id: UUID
    institution_id: UUID
    title: Text
    description: Annotated[str, Field(min_length=1, max_length=20000)]
    tags: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=12)] = []
    year: Annotated[int, Field(ge=2000, le=2100)]


class PresentationIn(StrictIn):
    record_id: UUID = Field(description="A meeting record (study visit, workshop, ...) the user sees.")


class WithdrawalIn(StrictIn):
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class PracticeSummaryOut(Out):
    id: UUID
    network_id: UUID
    municipality_id: UUID
    municipality_name: str
    institution_id: UUID
    institution_name: str
    title: str
    tags: list[str]
    year: int
    documents: int
    presentations: int
    version: int


class DocumentOut(Out):
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class PresentationOut(Out):
    record_id: UUID
    occurred_on: str
    meeting_kind: str
    title: str
    visible: bool = Field(description="Whether the user may open the record itself.")


class PracticeOut(Out):
    id: UUID
    version: int
    network_id: UUID
    municipality_id: UUID
    municipality_name: str
    institution_id: UUID
    institution_name: str
    title: str
    description: str
    tags: list[str]
    year: int
    documents: list[DocumentOut]
    presentations: list[PresentationOut]
    may_change: bool


def _network(view) -> SharedNetworkOut:
    return SharedNetworkOut(id=view.id, name=view.name, kind=view.kind, members=[
        MemberOut(municipality_id=m.municipality_id, name=m.name, joined_on=m.joined_on.isoformat(),
                  left_on=m.left_on.isoformat() if m.left_on else None, indicator_codes=list(m.indicator_codes))
        for m in view.members])


@router.get("/shared-networks", response_model=list[SharedNetworkOut], responses=READS,
            summary="The shared networks your municipality is a member of today (the deployment's admin: all)")
def list_networks(user: CurrentUser, uc: UseCasesDep) -> list[SharedNetworkOut]:
    return [_network(v) for v in uc.shared_networks.networks(user)]


@router.get("/shared-networks/{network_id}/comparison", response_model=ComparisonOut, responses=READS,
            summary="The member cities' shared indicators side by side, each from its own strategy's report")
def comparison(network_id: UUID, user: CurrentUser, uc: UseCasesDep) -> ComparisonOut:
    result = uc.shared_networks.compare(user, network_id)
    return ComparisonOut(network_id=result.network.id, years=list(result.years), indicators=[
        ComparedIndicatorOut(code=i.code, name=i.name, cities=[
            CityFiguresOut(municipality_id=c.municipality_id, city=c.city, indicator_name=c.indicator_name,
                           unit=c.unit, task_code=c.task_code, years=c.years, rule_pl=c.rule.pl, rule_en=c.rule.en)
            for c in i.cities]) for i in result.indicators])


@router.put("/shared-networks/{network_id}/shared-indicators", response_model=Written, responses=WRITES,
            summary="Replace the indicators your municipality shares with the network (coordinator)")
def share_indicators(network_id: UUID, body: SharedIndicatorsIn, user: CurrentUser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.shared_networks.share_indicators(
        user, network_id=network_id, indicator_codes=list(body.indicator_codes))), status_code=200)


@router.get("/practices", response_model=list[PracticeSummaryOut], responses=READS,
            summary="The good practices of your shared networks: search the title, description and tags; filter")
def list_practices(user: CurrentUser, uc: UseCasesDep,
                   q: Annotated[str | None, Query(max_length=200, description="Words to find")] = None,
                   municipality_id: UUID | None = None, network_id: UUID | None = None,
                   tag: Annotated[str | None, Query(max_length=40)] = None,
                   year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[PracticeSummaryOut]:
    library = uc.practices.library(user, PracticeFilter(text=q, municipality_id=municipality_id, tag=tag, year=year,
                                                        network_id=network_id))
    return [PracticeSummaryOut(**{k: r[k] for k in PracticeSummaryOut.model_fields}) for r in library.items]


@router.post("/practices", status_code=201, response_model=Written, responses=WRITES,
             summary="Publish a good practice of your institution to a shared network")
def publish(body: PracticeIn, user: CurrentUser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.practices.publish(
        user, network_id=body.network_id, institution_id=body.institution_id, title=body.title,
        description=body.description, tags=list(body.tags), year=body.year)))


@router.get("/practices/{practice_id}", response_model=PracticeOut, responses=READS, summary="One good practice")
def get_practice(practice_id: UUID, user: CurrentUser, uc: UseCasesDep) -> PracticeOut:
    v = uc.practices.practice(user, practice_id)
    return PracticeOut(
        id=v.id, version=v.version, network_id=v.network["id"], municipality_id=v.municipality["id"],
        municipality_name=v.municipality["name"], institution_id=v.institution["id"],
        institution_name=v.institution["name"], title=v.title, description=v.description, tags=v.tags, year=v.year,
        documents=[DocumentOut(**d) for d in v.documents],
        presentations=[PresentationOut(record_id=p["record_id"], occurred_on=str(p["occurred_on"]),
                                       meeting_kind=p["meeting_kind"], title=p["title"], visible=p["visible"])
                       for p in v.presentations], may_change=v.may_change)


@router.get("/practices/{practice_id}/documents/{document_id}", responses={
    200: {"description": "The document's bytes, as an attachment", "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in DOCUMENT_TYPES}}, **READS},
    response_class=Response, summary="An attached document (served as an attachment, never inline)")
def document(practice_id: UUID, document_id: UUID, user: CurrentUser, uc: UseCasesDep) -> Response:
    return document_response(uc.practices.document(user, practice_id, document_id))


@router.post("/practices/{practice_id}/presentations", status_code=200, response_model=Written, responses=WRITES,
             summary="Link the practice to a meeting where it was presented")
def link_presentation(practice_id: UUID, body: PresentationIn, user: CurrentUser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.practices.link_presentation(
        user, practice_id, record_id=body.record_id)), status_code=200)


@router.post("/practices/{practice_id}/withdrawal", status_code=200, response_model=Written, responses=WRITES,
             summary="Withdraw the practice from the library (the audit trail keeps it)")
def withdraw(practice_id: UUID, body: WithdrawalIn, user: CurrentUser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.practices.withdraw(user, practice_id, reason=body.reason)),
                     status_code=200)

def document_response(document) -> Response:
    """A stored document as a download: its checked type, as an attachment (never inline), never sniffed,
    never cached, sandboxed should a browser open it anyway."""
    return Response(document.data, media_type=document.content_type,
                    headers={"Content-Disposition": content_disposition(document.filename),
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                             "Content-Security-Policy": "sandbox"})
