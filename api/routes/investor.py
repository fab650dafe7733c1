"""Investor service over JSON (issue 14): inquiries (list, read, receive, answer), the investment sites the user may
see (their own and those shared with a network of theirs), the indicators per year, the training records. Each
route parses, calls one use case of `uc.investor` (domain/use_cases/investor.py) and renders. An inquiry is 404 for
anyone but the municipality's investor service and its coordinator, exactly as on the pages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import Field

from api.deps import CurrentUser, UseCasesDep, WriteCtx
from api.errors import problems
from api.schemas.common import IsoDate, Out, StrictIn, Written
from api.writes import run_write, written

router = APIRouter(tags=["investor service"])

Sector = Literal["manufacturing", "automotive", "food", "logistics", "it_services", "energy", "construction",
                 "chemicals", "wood_furniture", "tourism", "other"]
Utility = Literal["water", "sewage", "power", "gas", "road", "rail"]
Status = Literal["available", "reserved", "sold"]
Area = Annotated[str, Field(max_length=20, description="Hectares, e.g. 12.5 (a comma is read too)")]


class NeedsIn(StrictIn):
    area_ha: Area | None = None
    utilities: Annotated[list[Utility], Field(max_length=6)] = []
    jobs: Annotated[int, Field(ge=0, le=999_999, strict=True)] | None = None  # strict: `false` is no number
    text: Annotated[str, Field(max_length=4000)] | None = None


class InquiryIn(StrictIn):
    codename: Annotated[str, Field(min_length=1, max_length=80)]
    sectors: Annotated[list[Sector], Field(min_length=1, max_length=11)]
    received_on: IsoDate
    needs: NeedsIn = NeedsIn()
    notes: Annotated[str, Field(max_length=4000)] | None = None


class AnswerIn(StrictIn):
    answered_on: IsoDate
    site_ids: Annotated[list[Annotated[str, Field(max_length=36)]], Field(max_length=100)] = []


class InquiryOut(Out):
    id: str
    codename: str
    sectors: list[str]
    needs: dict
    received_on: str
    due_on: str
    standard_days: int
    answered_on: str | None
    overdue: bool
    within_standard: bool | None
    site_ids: list[str]
    outcome: str
    decided_on: str | None
    notes: str | None


class InquiryList(Out):
    items: list[InquiryOut]


class SiteOut(Out):
    id: str
    name: str
    area_ha: str
    zoning: str
    utilities: list[str]
    ownership: str
    status: str
    address: str
    plots: str
    latitude: float | None
    longitude: float | None
    description: str | None
    own: bool
    owner: str
    shared_with: list[str]
    updated_at: str


class SiteList(Out):
    items: list[SiteOut]


class YearOut(Out):
    year: int
    handled: int
    answered_within: int
    answered_late: int
    overdue_unanswered: int
    median_days: float | None = Field(description="calendar days from receipt to answer; an overdue inquiry enters "
                                                  "with the days it has waited so far")
    share_within: float | None
    sites_offered: int
    sites_per_inquiry: float | None


class Indicators(Out):
    working_days: int = Field(description="the municipality's standard: working days to answer")
    items: list[YearOut]


class TrainingOut(Out):
    id: str
    trainee: str
    institution: str | None
    module: str
    held_on: str
    certificate: bool


class TrainingList(Out):
    items: list[TrainingOut]


def _inquiry(view) -> InquiryOut:
    return InquiryOut(id=view.id, codename=view.codename, sectors=view.sectors, needs=view.needs,
                      received_on=view.received_on, due_on=view.due_on, standard_days=view.standard_days,
                      answered_on=view.answered_on, overdue=view.overdue, within_standard=view.within_standard,
                      site_ids=[s["id"] for s in view.sites_offered], outcome=view.outcome,
                      decided_on=view.decided_on, notes=view.notes)


def _site(view) -> SiteOut:
    return SiteOut(id=view.id, name=view.name, area_ha=view.area_ha, zoning=view.zoning, utilities=view.utilities,
                   ownership=view.ownership, status=view.status, address=view.address, plots=view.plots,
                   latitude=view.latitude, longitude=view.longitude, description=view.description, own=view.own,
                   owner=view.owner, shared_with=[n["id"] for n in view.shared_with], updated_at=view.updated_at)


@router.get("/investor/inquiries", response_model=InquiryList, responses=problems(401, 404, 422),
            summary="Investor inquiries (investor service and coordinator; 404 for anyone else)")
def get_inquiries(user: CurrentUser, uc: UseCasesDep) -> InquiryList:
    return InquiryList(items=[_inquiry(v) for v in uc.investor.inquiries(user)])


@router.post("/investor/inquiries", status_code=201, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="Record an investor inquiry under a codename")
def receive_inquiry(body: InquiryIn, user: CurrentUser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.investor.receive(
        user, codename=body.codename, sectors=list(body.sectors), received_on=body.received_on,
        needs={"area_ha": body.needs.area_ha, "utilities": list(body.needs.utilities), "jobs": body.needs.jobs,
               "text": body.needs.text}, notes=body.notes)))


@router.get("/investor/inquiries/{inquiry_id}", response_model=InquiryOut, responses=problems(401, 404, 422),
            summary="One investor inquiry")
def get_inquiry(inquiry_id: Annotated[str, Path(max_length=36)], user: CurrentUser, uc: UseCasesDep) -> InquiryOut:
    return _inquiry(uc.investor.inquiry(user, inquiry_id))


@router.post("/investor/inquiries/{inquiry_id}/answer", status_code=201, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="Record the answer and the sites offered")
def answer_inquiry(inquiry_id: Annotated[str, Path(max_length=36)], body: AnswerIn, user: CurrentUser,
                   uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.investor.answer(
        user, inquiry_id, answered_on=body.answered_on, site_ids=list(body.site_ids))))


@router.get("/investor/sites", response_model=SiteList, responses=problems(400, 401, 403, 422),
            summary="Investment sites: your municipality's and those shared with a network of yours")
def get_sites(user: CurrentUser, uc: UseCasesDep, status: Status | None = None,
              min_area_ha: Annotated[str | None, Query(max_length=20)] = None,
              max_area_ha: Annotated[str | None, Query(max_length=20)] = None,
              utilities: Annotated[list[Utility] | None, Query(max_length=6)] = None) -> SiteList:
    return SiteList(items=[_site(v) for v in uc.investor.sites(user, status=status, min_area_ha=min_area_ha,
                                                                max_area_ha=max_area_ha, utilities=utilities or [])])


@router.get("/investor/sites/{site_id}", response_model=SiteOut, responses=problems(401, 403, 404, 422),
            summary="One investment site")
def get_site(site_id: Annotated[str, Path(max_length=36)], user: CurrentUser, uc: UseCasesDep) -> SiteOut:
    return _site(uc.investor.site(user, site_id))


@router.get("/investor/indicators", response_model=Indicators, responses=problems(401, 403, 404, 422),
            summary="Investor-service indicators per year, as of today")
def get_indicators(user: CurrentUser, uc: UseCasesDep) -> Indicators:
    rows = uc.investor.indicators(user)
    return Indicators(working_days=uc.investor.standard(user).working_days,
                      items=[YearOut(**{k: getattr(r, k) for k in YearOut.model_fields}) for r in rows])


@router.get("/investor/trainings", response_model=TrainingList, responses=problems(401, 403, 404, 422),
            summary="Who was trained in the investor-service standard")
def get_trainings(user: CurrentUser, uc: UseCasesDep) -> TrainingList:
    return TrainingList(items=[TrainingOut(id=t.id, trainee=str(t.trainee), institution=t.institution, module=t.module,
                                           held_on=t.held_on, certificate=t.certificate)
                               for t in uc.investor.trainings(user)])
