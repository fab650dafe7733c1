"""Bodies of the coordinator's strategy changes (api/routes/strategy_changes.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, StrictFloat, StrictInt, StrictStr

from api.schemas.common import StrictIn

StrategyValue = StrictInt | StrictFloat | StrictStr  # a number, "-" (not planned) or "bd" (no data); never a bool


class TargetsIn(StrictIn):
    targets: dict[str, StrategyValue] = Field(
        description='Year -> target: a number (0 is a real zero), "-" (not planned) or "bd" (no data); the map '
                    'replaces the indicator\'s targets, a year left out has none.',
        examples=[{"2012": 10, "2013": "-"}])
    reason: str = Field(min_length=1, max_length=1000, description="Why, e.g. the council's resolution (audited).")


class ReportedValueIn(StrictIn):
    year: int = Field(ge=2000, le=2100)
    value: StrategyValue = Field(description='A number or "bd".')
    source: str = Field(default="", max_length=100, description="One of the indicator's sources, e.g. \"WPiR\".")
    reason: str = Field(default="", max_length=1000,
                        description="A note; required when the year has a published report version.")


class StageProgressCell(StrictIn):
    stage: int = Field(ge=1, le=1000)
    year: int = Field(ge=2000, le=2100)
    realised: StrategyValue = Field(description="Percent realised, at most the percent planned that year.")


class StageProgressIn(StrictIn):
    progress: list[StageProgressCell] = Field(min_length=1, max_length=1000)
    reason: str = Field(default="", max_length=1000,
                        description="A note; required when a year has a published report version.")


class RuleIn(StrictIn):
    rule: dict[str, Any] = Field(description="An indicator rule as in the strategy file (docs/STRATEGY-FILE.md).")


class RuleChangeIn(RuleIn):
    reason: str = Field(min_length=1, max_length=1000)


class RulePreviewOut(BaseModel):
    rule: dict[str, Any] = Field(description="The rule checked and normalised, as it would be saved.")
    words: str = Field(description="The rule in plain words (Polish, English).")
    current_words: str | None
    unchanged: bool
    note: str = Field(description="What a rule change does to the years already published.")
