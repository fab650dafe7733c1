"""Strategy routes: the task list, the task report (now or as of a date), the records behind a value."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from api.deps import ContainerDep, StrategyReader, read_tx
from api.errors import problems
from api.policy import check_filter_institution
from api.schemas.common import IsoDate
from api.schemas.strategy import IndicatorEvents, TaskList, TaskReport
from projections.indicator_values.queries import indicator_events, list_tasks, task_report

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
