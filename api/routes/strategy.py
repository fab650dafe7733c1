"""Strategy routes: the task list, the task report (now or as of a date), the records behind a value, and
published reports (a coordinator publishes a task report; anyone who reads the strategy gets it back exactly
as it was published)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import Field

from api.deps import ContainerDep, ReportPublisher, StrategyReader, WriteCtx, read_tx
from api.errors import problems
from api.policy import actor_of, check_filter_institution
from api.schemas.common import IsoDate, StrictIn, Written
from api.schemas.strategy import IndicatorEvents, Publication, PublicationList, PublishedReport, TaskList, TaskReport
from api.writes import run_write, written
from domain.errors import NotFound, bilingual
from projections.indicator_values.queries import (
    indicator_events,
    list_publications,
    list_tasks,
    published_report,
    task_report,
)

router = APIRouter(tags=["strategy"])

Code = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
AsOf = Annotated[IsoDate | None, Query(description="YYYY-MM-DD: only what was recorded by the end of that day.")]


@router.get("/strategy/tasks", response_model=TaskList, responses=problems(401, 403, 422),
            summary="Every strategy task with its progress")
def get_tasks(user: StrategyReader, c: ContainerDep) -> TaskList:
    with read_tx(c) as tx:
        return TaskList(items=list_tasks(tx))


@router.get("/strategy/tasks/{code}/report", response_model=TaskReport, responses=problems(401, 403, 404, 422),
            summary="A task's indicator and stage tables, plan against actual (optionally as of a date)")
def get_task_report(code: Code, user: StrategyReader, c: ContainerDep, as_of: AsOf = None) -> TaskReport:
    with read_tx(c) as tx:
        return TaskReport.model_validate(task_report(tx, code, as_of=as_of))


@router.get("/indicators/{code}/years/{year}/events", response_model=IndicatorEvents,
            responses=problems(401, 403, 404, 422),
            summary="The records (or memberships, or reported values) behind one indicator value")
def get_indicator_events(
    code: Code, year: Annotated[int, Path(ge=2000, le=2100)], user: StrategyReader, c: ContainerDep,
    institution: Annotated[UUID | None, Query(description="Only what this institution took part in.")] = None,
    as_of: AsOf = None,
) -> IndicatorEvents:
    institution = check_filter_institution(user, institution)
    with read_tx(c) as tx:
        items = indicator_events(tx, code, year, institution_id=str(institution) if institution else None,
                                 as_of=as_of)
    return IndicatorEvents(indicator_code=code, year=year, as_of=as_of, items=items)


class PublicationIn(StrictIn):
    title: str = Field(min_length=1, max_length=300, description="e.g. „Sprawozdanie za 2012 r.”")


class Published(Written):
    number: int = Field(description="The publication's number: GET .../publications/{number} returns it.")


def _check_task(c, code: str) -> None:
    c.app.get_strategy().task(code)  # NotFound (404) for a task the strategy does not have


@router.get("/strategy/tasks/{code}/publications", response_model=PublicationList,
            responses=problems(401, 403, 404, 422), summary="A task's published reports, newest first")
def get_publications(code: Code, user: StrategyReader, c: ContainerDep) -> PublicationList:
    _check_task(c, code)
    with read_tx(c) as tx:
        return PublicationList(items=[Publication(**p) for p in list_publications(tx, code)])


@router.get("/strategy/tasks/{code}/publications/{n}", response_model=PublishedReport,
            responses=problems(401, 403, 404, 422),
            summary="A published report exactly as it was published (later records and rule changes left out)")
def get_publication(code: Code, n: Annotated[int, Path(ge=1, le=2**31 - 1)], user: StrategyReader,
                    c: ContainerDep) -> PublishedReport:
    with read_tx(c) as tx:
        report = published_report(tx, n)
    if report["publication"]["task_code"] != code:
        raise NotFound(bilingual(f"Raport opublikowany nr {n} nie dotyczy zadania {code}.",
                                 f"Published report {n} is not of task {code}."), field="n")
    return PublishedReport.model_validate(report)


@router.post("/strategy/tasks/{code}/publications", status_code=201, response_model=Published,
             responses=problems(400, 401, 403, 404, 422),
             summary="Publish a task's report as it stands now (coordinator)")
def publish_report(code: Code, body: PublicationIn, user: ReportPublisher, c: ContainerDep, ctx: WriteCtx):
    def publish() -> Published:
        saved = c.app.publish_report(task_code=code, title=body.title, actor=actor_of(user))
        return Published(**written(saved).model_dump(), number=saved.version)

    return run_write(ctx, user, body, publish)
