"""The `Strategy` aggregate: goal → programme → task → stages and indicators, as events.

One aggregate holds a city's whole strategy (a few hundred events at most), so every rule
that spans items — codes unique across tasks, a task's planned stage shares summing to 100 % —
is checked in one place. Each `define_*`/`set_*` method records an event only when something
changes, so loading the same strategy file twice records nothing the second time.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.base import SplotEvent, actor_fields
from domain.errors import InvariantViolated, NotFound, ValidationFailed, bilingual
from domain.strategy.values import NOT_PLANNED, is_number, number
from domain.values import Actor

PERCENT_TOLERANCE = 1e-6


class Strategy(Aggregate):
    TOPIC = "splot:Strategy"

    class Created(SplotEvent, Aggregate.Created):
        TOPIC = "splot:Strategy.Created"

    class Started(Created):
        TOPIC = "splot:Strategy.Started"
        name: str
        network_id: UUID

        def apply(self, strategy: Strategy) -> None:
            strategy.name = self.name
            strategy.network_id = self.network_id
            strategy.goals = {}
            strategy.programmes = {}
            strategy.tasks = {}
            strategy.indicators = {}

    class GoalDefined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.GoalDefined"
        goal: dict[str, Any]

        def apply(self, strategy: Strategy) -> None:
            strategy.goals[self.goal["code"]] = dict(self.goal)

    class ProgrammeDefined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.ProgrammeDefined"
        programme: dict[str, Any]

        def apply(self, strategy: Strategy) -> None:
            strategy.programmes[self.programme["code"]] = dict(self.programme)

    class TaskDefined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.TaskDefined"
        task: dict[str, Any]

        def apply(self, strategy: Strategy) -> None:
            previous = strategy.tasks.get(self.task["code"], {})
            strategy.tasks[self.task["code"]] = {"stages": [], "progress": {}, **previous, **self.task}

    class StagesPlanned(SplotEvent, Aggregate.Event):
        """The whole stage plan of a task at once: its planned shares must sum to 100 %."""

        TOPIC = "splot:Strategy.StagesPlanned"
        task_code: str
        stages: list[dict[str, Any]]
        reason: str

        def apply(self, strategy: Strategy) -> None:
            strategy.tasks[self.task_code]["stages"] = [dict(s) for s in self.stages]

    class StageProgressReported(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.StageProgressReported"
        task_code: str
        stage_number: int
        year: int
        realised: float
        note: str

        def apply(self, strategy: Strategy) -> None:
            strategy.tasks[self.task_code]["progress"][f"{self.stage_number}:{self.year}"] = self.realised

    class IndicatorDefined(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.IndicatorDefined"
        indicator: dict[str, Any]

        def apply(self, strategy: Strategy) -> None:
            previous = strategy.indicators.get(self.indicator["code"], {"targets": {}, "rule": None,
                                                                         "rule_version": 0})
            strategy.indicators[self.indicator["code"]] = {**previous, **self.indicator}

    class TargetsSet(SplotEvent, Aggregate.Event):
        TOPIC = "splot:Strategy.TargetsSet"
        indicator_code: str
        targets: dict[str, Any]
        reason: str

        def apply(self, strategy: Strategy) -> None:
            strategy.indicators[self.indicator_code]["targets"] = dict(self.targets)

    class RuleChanged(SplotEvent, Aggregate.Event):
        """A new version of an indicator's rule. Reports as of an earlier date keep the older version."""

        TOPIC = "splot:Strategy.RuleChanged"
        indicator_code: str
        rule: dict[str, Any]
        rule_version: int
        reason: str

        def apply(self, strategy: Strategy) -> None:
            indicator = strategy.indicators[self.indicator_code]
            indicator["rule"] = dict(self.rule)
            indicator["rule_version"] = self.rule_version

    class ValueReported(SplotEvent, Aggregate.Event):
        """A value entered by a coordinator for an indicator with a `reported` rule (e.g. GUS data)."""

        TOPIC = "splot:Strategy.ValueReported"
        indicator_code: str
        year: int
        source: str
        value: Any
        note: str

        def apply(self, strategy: Strategy) -> None:
            pass  # read models keep reported values; the aggregate needs none of them to decide

    class ReportPublished(SplotEvent, Aggregate.Event):
        """A task report was published: it can be reproduced exactly as it was at this moment,
        with the targets and rule versions then in force, whatever is recorded later."""

        TOPIC = "splot:Strategy.ReportPublished"
        task_code: str
        title: str

        def apply(self, strategy: Strategy) -> None:
            pass

    # ---------------------------------------------------------------------------------- commands
    @classmethod
    def start(cls, *, id: UUID, name: str, network_id: UUID, actor: Actor) -> Strategy:
        return cls._create(cls.Started, id=id, name=name, network_id=network_id, **actor_fields(actor))

    def define_goal(self, goal: dict[str, Any], actor: Actor) -> bool:
        if self.goals.get(goal["code"]) == goal:
            return False
        self.trigger_event(self.GoalDefined, goal=goal, **actor_fields(actor))
        return True

    def define_programme(self, programme: dict[str, Any], actor: Actor) -> bool:
        if programme["goal_code"] not in self.goals:
            raise InvariantViolated(bilingual(f"Cel {programme['goal_code']} nie został zdefiniowany.",
                                              f"Goal {programme['goal_code']} is not defined."), field="goal_code")
        _require_prefix(programme["code"], programme["goal_code"], "code")
        if self.programmes.get(programme["code"]) == programme:
            return False
        self.trigger_event(self.ProgrammeDefined, programme=programme, **actor_fields(actor))
        return True

    def define_task(self, task: dict[str, Any], actor: Actor) -> bool:
        if task["programme_code"] not in self.programmes:
            raise InvariantViolated(bilingual(f"Program {task['programme_code']} nie został zdefiniowany.",
                                              f"Programme {task['programme_code']} is not defined."),
                                    field="programme_code")
        _require_prefix(task["code"], task["programme_code"], "code")
        current = self.tasks.get(task["code"])
        if current is not None:
            if {k: current.get(k) for k in task} == task:
                return False
            self._check_years_still_cover(task["code"], task["years"])
        self.trigger_event(self.TaskDefined, task=task, **actor_fields(actor))
        return True

    def plan_stages(self, task_code: str, stages: list[dict[str, Any]], reason: str, actor: Actor) -> bool:
        task = self.task(task_code)
        for stage in stages:
            for year in stage["planned"]:
                if int(year) not in task["years"]:
                    raise ValidationFailed(bilingual(f"Etap {stage['number']}: rok {year} nie należy do lat zadania.",
                                                     f"Stage {stage['number']}: {year} is not one of the task's years."),
                                           field=f"stages[{stage['number']}].planned")
        total = sum(v for s in stages for v in s["planned"].values() if is_number(v))
        if abs(total - 100) > PERCENT_TOLERANCE:
            raise InvariantViolated(
                bilingual(f"Planowane udziały etapów zadania {task_code} sumują się do {number(round(total, 6))} %, "
                          "a nie do 100 %.",
                          f"The planned shares of task {task_code} sum to {number(round(total, 6))} %, not 100 %."),
                field="stages")
        if task["stages"] == stages:
            return False
        for key, realised in task["progress"].items():
            number_, year = key.split(":")
            planned = _planned(stages, int(number_), year)
            if not is_number(planned) or realised > planned + PERCENT_TOLERANCE:
                raise InvariantViolated(
                    bilingual(f"Etap {number_} ma już {number(realised)} % realizacji w roku {year}; nowy plan "
                              f"przewiduje dla niego {planned}.",
                              f"Stage {number_} already reports {number(realised)} % realised in {year}; the new plan "
                              f"gives it {planned}."), field="stages")
        self.trigger_event(self.StagesPlanned, task_code=task_code, stages=stages, reason=reason,
                           **actor_fields(actor))
        return True

    def report_stage_progress(self, task_code: str, stage_number: int, year: int, realised: float, note: str,
                              actor: Actor) -> bool:
        task = self.task(task_code)
        if not any(s["number"] == stage_number for s in task["stages"]):
            raise NotFound(bilingual(f"Zadanie {task_code} nie ma etapu {stage_number}.",
                                     f"Task {task_code} has no stage {stage_number}."), field="stage_number")
        planned = _planned(task["stages"], stage_number, str(year))
        if not is_number(planned):
            raise InvariantViolated(bilingual(f"Etap {stage_number} zadania {task_code} niczego nie planuje w roku {year}.",
                                              f"Stage {stage_number} of task {task_code} plans nothing in {year}."),
                                    field="year")
        if realised > planned + PERCENT_TOLERANCE:
            raise InvariantViolated(
                bilingual(f"Realizacja {number(realised)} % przekracza plan ({planned} %) dla etapu "
                          f"{stage_number} w roku {year}.",
                          f"Realised {number(realised)} % is more than the {planned} % planned for stage {stage_number} "
                          f"in {year}."), field="realised")
        if task["progress"].get(f"{stage_number}:{year}") == realised:
            return False
        self.trigger_event(self.StageProgressReported, task_code=task_code, stage_number=stage_number, year=year,
                           realised=realised, note=note, **actor_fields(actor))
        return True

    def define_indicator(self, indicator: dict[str, Any], actor: Actor) -> bool:
        task = self.task(indicator["task_code"], field="task_code")
        _require_prefix(indicator["code"], task["code"], "code")
        current = self.indicators.get(indicator["code"])
        if current is not None and current["task_code"] != indicator["task_code"]:
            raise InvariantViolated(bilingual(f"Kod wskaźnika {indicator['code']} jest już używany przez zadanie "
                                              f"{current['task_code']}.",
                                              f"Indicator code {indicator['code']} is already used by task "
                                              f"{current['task_code']}."), field="code")
        if current is not None and {k: current.get(k) for k in indicator} == indicator:
            return False
        self.trigger_event(self.IndicatorDefined, indicator=indicator, **actor_fields(actor))
        return True

    def set_targets(self, indicator_code: str, targets: dict[str, Any], reason: str, actor: Actor) -> bool:
        indicator = self.indicator(indicator_code)
        years = self.tasks[indicator["task_code"]]["years"]
        for year in targets:
            if int(year) not in years:
                raise ValidationFailed(bilingual(f"Rok {year} nie należy do lat zadania {years}.",
                                                 f"{year} is not one of the task's years {years}."),
                                       field=f"targets.{year}")
        if indicator["targets"] == targets:
            return False
        self.trigger_event(self.TargetsSet, indicator_code=indicator_code, targets=targets, reason=reason,
                           **actor_fields(actor))
        return True

    def change_rule(self, indicator_code: str, rule: dict[str, Any], reason: str, actor: Actor) -> bool:
        indicator = self.indicator(indicator_code)
        if indicator["rule"] == rule:
            return False
        self.trigger_event(self.RuleChanged, indicator_code=indicator_code, rule=rule,
                           rule_version=indicator["rule_version"] + 1, reason=reason, **actor_fields(actor))
        return True

    def report_value(self, indicator_code: str, year: int, source: str, value: Any, note: str,
                     actor: Actor) -> None:
        indicator = self.indicator(indicator_code)
        if (indicator["rule"] or {}).get("kind") != "reported":
            raise InvariantViolated(
                bilingual(f"Wskaźnik {indicator_code} jest obliczany z wpisów; wartości wprowadza się tylko dla "
                          "wskaźników z regułą 'reported'.",
                          f"Indicator {indicator_code} is computed from the records; only indicators with a "
                          "'reported' rule take entered values."), field="indicator_code")
        if year not in self.tasks[indicator["task_code"]]["years"]:
            raise ValidationFailed(bilingual(f"Rok {year} nie należy do lat zadania.",
                                             f"{year} is not one of the task's years."), field="year")
        if source and source.lower() not in {s.lower() for s in indicator["sources"]}:
            raise ValidationFailed(bilingual(f"Źródło {source!r} nie należy do źródeł wskaźnika "
                                             f"({', '.join(indicator['sources']) or 'brak'}).",
                                             f"Source {source!r} is not one of the indicator's sources "
                                             f"({', '.join(indicator['sources']) or 'none'})."), field="source")
        self.trigger_event(self.ValueReported, indicator_code=indicator_code, year=year, source=source,
                           value=value, note=note, **actor_fields(actor))

    def publish_report(self, task_code: str, title: str, actor: Actor) -> None:
        self.task(task_code)
        self.trigger_event(self.ReportPublished, task_code=task_code, title=title, **actor_fields(actor))

    # ---------------------------------------------------------------------------------- reading
    def task(self, code: str, *, field: str = "task_code") -> dict[str, Any]:
        try:
            return self.tasks[code]
        except KeyError:
            raise NotFound(bilingual(f"Nie ma zadania o kodzie {code}.", f"No task with code {code}."),
                           field=field) from None

    def indicator(self, code: str) -> dict[str, Any]:
        try:
            return self.indicators[code]
        except KeyError:
            raise NotFound(bilingual(f"Nie ma wskaźnika o kodzie {code}.", f"No indicator with code {code}."),
                           field="indicator_code") from None

    def _check_years_still_cover(self, task_code: str, years: list[int]) -> None:
        task = self.tasks[task_code]
        used = {int(y) for s in task["stages"] for y, v in s["planned"].items() if v != NOT_PLANNED}
        used |= {int(y) for i in self.indicators.values() if i["task_code"] == task_code for y in i["targets"]}
        missing = sorted(used - set(years))
        if missing:
            raise InvariantViolated(bilingual(f"Zadanie {task_code} ma etapy lub wartości docelowe w latach {missing}; "
                                              "zachowaj te lata.",
                                              f"Task {task_code} has stages or targets in {missing}; keep those years."),
                                    field="years")


def _planned(stages: list[dict[str, Any]], stage_number: int, year: str) -> Any:
    for stage in stages:
        if stage["number"] == stage_number:
            return stage["planned"].get(str(year), NOT_PLANNED)
    return NOT_PLANNED


def _require_prefix(code: str, parent: str, field: str) -> None:
    if not code.startswith(parent + "."):
        raise ValidationFailed(bilingual(f"Kod {code} musi zaczynać się od {parent}.",
                                         f"Code {code} must start with {parent}."), field=field)
