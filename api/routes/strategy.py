"""Strategy routes: the task list, the task report (now or as of a date), the records behind a value, and
published reports (a coordinator publishes a task report; anyone who reads the strategy gets it back exactly
as it was published)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import Field

from api.deps import ReportPublisher, StrategyReader, UseCasesDep, WriteCtx
from api.errors import problems
from api.schemas.common import IsoDate, StrictIn, Written
from api.schemas.strategy import IndicatorEvents, Publication, PublicationList, PublishedReport, TaskList, TaskReport
from api.writes import run_write, written
from domain.use_cases.strategy import MAX_DRILL_PAGE

router = APIRouter(tags=["strategy"])

Code = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
AsOf = Annotated[IsoDate | None, Query(description="YYYY-MM-DD: only what was recorded by the end of that day (Warsaw); "
                                                   "a future day means as known now; 9999-12-31, whose end no "
                                                   "timestamp holds, is refused (422).")]


@router.get("/strategy/tasks", response_model=TaskList, responses=problems(401, 403, 422),
            summary="Every strategy task with its progress")
def get_tasks(user: StrategyReader, uc: UseCasesDep) -> TaskList:
    return TaskList(items=uc.strategy.tasks(user))


@router.get("/strategy/tasks/{code}/report", response_model=TaskReport, responses=problems(401, 403, 404, 422),
            summary="A task's indicator and stage tables, plan against actual (optionally as of a date)")
def get_task_report(code: Code, user: StrategyReader, uc: UseCasesDep, as_of: AsOf = None) -> TaskReport:
    return TaskReport.model_validate(uc.strategy.task_report(user, code, as_of=as_of))


@router.get("/indicators/{code}/years/{year}/events", response_model=IndicatorEvents,
            responses=problems(401, 403, 404, 422),
            summary="The records (or memberships, or reported values) behind one indicator value")
def get_indicator_events(
    code: Code, year: Annotated[int, Path(ge=2000, le=2100)], user: StrategyReader, uc: UseCasesDep,
    institution: Annotated[UUID | None, Query(description=(
        "Only this institution's own view, the one its by_institution value counts: its own records for a count "
        "(the records it owns; those it takes part in for count_shared and distinct_count), its clusters' members "
        "for a gauge (the clusters it runs; for the network's members also itself), the union of its conditions' "
        "views for a boolean; nothing for a reported value."))] = None,
    as_of: AsOf = None,
    cursor: Annotated[str | None, Query(max_length=500, description="A page's `next_cursor`: the page after it.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_DRILL_PAGE, description="The most items on the page.")] = 100,
) -> IndicatorEvents:
    """A membership's `joined_on` and `left_on` are both days of membership: `left_on` is the last day (a member
    on that day, gone the next). Paged: `total` items in all, `next_cursor` for the next page."""
    page = uc.strategy.indicator_events_page(user, code, year, institution_id=institution, as_of=as_of,
                                             cursor=cursor, limit=limit)
    return IndicatorEvents(indicator_code=code, year=year, as_of=as_of, items=page["items"], total=page["total"],
                           limit=page["limit"], next_cursor=page["next_cursor"])


class PublicationIn(StrictIn):
    title: str = Field(min_length=1, max_length=300, description="e.g. „Sprawozdanie za 2012 r.”")


class Published(Written):
    number: int = Field(description="The publication's number: GET .../publications/{number} returns it.")


@router.get("/strategy/tasks/{code}/publications", response_model=PublicationList,
            responses=problems(401, 403, 404, 422), summary="A task's published reports, newest first")
def get_publications(code: Code, user: StrategyReader, uc: UseCasesDep) -> PublicationList:
    return PublicationList(items=[Publication(**p) for p in uc.strategy.publications(user, code)])


@router.get("/strategy/tasks/{code}/publications/{n}", response_model=PublishedReport,
            responses=problems(401, 403, 404, 422),
            summary="A published report exactly as it was published (later records and rule changes left out)")
def get_publication(code: Code, n: Annotated[int, Path(ge=1, le=2**31 - 1)], user: StrategyReader,
                    uc: UseCasesDep) -> PublishedReport:
    return PublishedReport.model_validate(uc.strategy.publication(user, code, n))


@router.post("/strategy/tasks/{code}/publications", status_code=201, response_model=Published,
             responses=problems(400, 401, 403, 404, 422),
             summary="Publish a task's report as it stands now (coordinator)")
def publish_report(code: Code, body: PublicationIn, user: ReportPublisher, uc: UseCasesDep, ctx: WriteCtx):
    def publish() -> Published:
        saved = uc.strategy.publish(user, code, title=body.title)
        return Published(**written(saved).model_dump(), number=saved.version)

    return run_write(ctx, user, body, publish)
