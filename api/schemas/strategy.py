"""Strategy: tasks, the task report (indicator and stage tables, plan against actual), drill-down.

Every yearly value is a number, "-" (not planned / not applicable) or "bd" (no data): three
different things that are never shown alike. Report models ignore keys they do not list (the
read model may add detail); everything listed here is always present.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StrategyValue = int | float | Literal["-", "bd"]


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TaskSummary(ReportModel):
    code: str = Field(description='e.g. "III.1.3": goal III, programme 1, task 3')
    name: str
    weight: float
    years: list[int]
    goal: dict[str, Any]
    programme: dict[str, Any]
    progress: float | None = Field(description="Sum of the realised stage shares, in %.")
    planned: float | None
    planned_to_date: float | None
    indicator_count: int
    stage_count: int


class TaskList(ReportModel):
    items: list[TaskSummary]


class YearValue(ReportModel):
    target: StrategyValue
    actual: StrategyValue
    percent: float | None = None
    cumulative: StrategyValue | None = None
    cumulative_target: StrategyValue | None = None


class IndicatorTable(ReportModel):
    code: str
    name: str
    level: str = Field(description="product, result or impact")
    level_label: str
    source: str
    sources: list[str]
    unit: str | None
    baseline: StrategyValue | str | None
    direction: str | None
    rule: str = Field(description="The counting rule in plain Polish.")
    rule_kind: str | None
    rule_version: int | None
    years: dict[str, YearValue] = Field(description='Keyed by year, e.g. "2009".')
    by_source: dict[str, dict[str, StrategyValue | None]] = Field(
        description="Per source and year: the value in the source's own view (its institutions and the clusters they "
                    "run); null where the rule defines no such view (never a 0 that is not a real zero).")
    by_institution: list[dict[str, Any]] = Field(
        description="Per institution (`institution_id`, `short_name`, `years`): the value in its own view — its own "
                    "records for a count, its clusters' members for a gauge, every condition judged in that view for a "
                    "boolean; listed only where the rule defines an own view.")


class StageCell(ReportModel):
    realised: StrategyValue
    planned: StrategyValue


class StageTable(ReportModel):
    number: int
    name: str
    years: dict[str, StageCell | Literal["-"]] = Field(description='"-" where nothing was planned that year.')
    realised: float | None
    planned: float | None


class TaskReport(ReportModel):
    task: dict[str, Any]
    as_of: date | None = Field(description="The report as known at the end of this day (Warsaw), or now.")
    years: list[str]
    indicators: list[IndicatorTable]
    stages: list[StageTable]
    progress: dict[str, Any]


class IndicatorEvents(ReportModel):
    indicator_code: str
    year: int
    as_of: date | None
    items: list[dict[str, Any]] = Field(description="The records, memberships or reported entries behind the value. "
                                                    "A membership's `left_on` is its last day (a member on that day, "
                                                    "gone the next); null while it lasts.")
    total: int = Field(description="How many items lie behind the value in all (every page).")
    limit: int = Field(description="The most items a page holds (the `limit` asked for).")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Publication(ReportModel):
    number: int = Field(description="The publication's number (the strategy's version when it was published).")
    task_code: str
    title: str
    published_at: str = Field(description="When it was published (UTC, ISO 8601).")
    published_by: str | None = Field(description="User id of the coordinator who published it.")


class PublicationList(ReportModel):
    items: list[Publication] = Field(description="Newest first.")


class PublishedReport(TaskReport):
    """A task report exactly as it was at the moment of publication (later records and rule changes left out)."""

    publication: Publication
