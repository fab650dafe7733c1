"""The coordinator's changes of the strategy, one figure at a time (the same use cases as the pages'):
an indicator's targets, a reported value, stage progress, a rule change (with a preview in words)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import StrategyManager, UseCasesDep, WriteCtx
from api.errors import problems
from api.schemas.common import Written
from api.schemas.strategy_changes import (
    ReportedValueIn,
    RuleChangeIn,
    RuleIn,
    RulePreviewOut,
    StageProgressIn,
    TargetsIn,
)
from api.writes import run_write, written

router = APIRouter(tags=["strategy"])

Code = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
WRITE_PROBLEMS = problems(400, 401, 403, 404, 409, 422)


@router.put("/strategy/indicators/{code}/targets", response_model=Written, responses=WRITE_PROBLEMS,
            summary="Replace an indicator's targets per year (coordinator; a closed year is refused)")
def set_targets(code: Code, body: TargetsIn, user: StrategyManager, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(
        uc.strategy_changes.set_targets(user, code, dict(body.targets), reason=body.reason)), status_code=200)


@router.post("/strategy/indicators/{code}/values", status_code=201, response_model=Written, responses=WRITE_PROBLEMS,
             summary="Enter a value of an indicator whose rule is `reported` (coordinator)")
def report_value(code: Code, body: ReportedValueIn, user: StrategyManager, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.strategy_changes.report_value(
        user, code, year=body.year, value=body.value, source=body.source, reason=body.reason)))


@router.post("/strategy/tasks/{code}/stage-progress", response_model=Written, responses=WRITE_PROBLEMS,
             summary="Report the stages' progress, several cells in one change (coordinator)",
             description="Cells equal to what is already reported are left alone; when none differs nothing is "
                         "saved and the answer is the strategy as it stands, with `notification_id` null.")
def report_stage_progress(code: Code, body: StageProgressIn, user: StrategyManager, uc: UseCasesDep, ctx: WriteCtx):
    progress = {(cell.stage, cell.year): cell.realised for cell in body.progress}
    return run_write(ctx, user, body, lambda: written(
        uc.strategy_changes.report_stage_progress(user, code, progress, reason=body.reason)), status_code=200)


@router.post("/strategy/indicators/{code}/rule/preview", response_model=RulePreviewOut,
             responses=problems(400, 401, 403, 404, 422),
             summary="A rule checked and in words, as it would be saved (nothing is saved)")
def preview_rule(code: Code, body: RuleIn, user: StrategyManager, uc: UseCasesDep) -> RulePreviewOut:
    preview = uc.strategy_changes.preview_rule(user, code, body.rule)
    return RulePreviewOut(rule=preview.rule, words=preview.words, current_words=preview.current_words,
                          unchanged=preview.unchanged, note=preview.note)


@router.put("/strategy/indicators/{code}/rule", response_model=Written, responses=WRITE_PROBLEMS,
            summary="Change an indicator's rule: a new rule version (coordinator)")
def change_rule(code: Code, body: RuleChangeIn, user: StrategyManager, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(
        uc.strategy_changes.change_rule(user, code, body.rule, reason=body.reason)), status_code=200)
