"""Strategy commands, composed into the event store as `Splot.strategy` (domain/application.py).

Every input is checked and normalised here before the aggregate sees it; a failed check raises
a DomainError and nothing is saved. `apply_strategy` applies a whole strategy document (as read
from a strategy file) in one transaction, recording only what changed.

A closed year's strategy figures (targets, reported values, stage plan and progress for that year)
are frozen until the coordinator reopens the year for the strategy (domain/closing.py): every save
goes through `_save_strategy`, which compares the figures before and after and refuses the whole
change when any of them belongs to a closed year. A rule change is allowed: it applies to every
year's current values, while published versions of closed years keep the rule they were computed with.

(Just over 400 lines: the commands and the normalising of a strategy document's parts are one reading
of the strategy file format, docs/STRATEGY-FILE.md; they change together.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.errors import InvariantViolated, NotFound, ValidationFailed, bilingual
from domain.strategy import rules
from domain.strategy.model import Strategy
from domain.strategy.values import (
    NOT_PLANNED,
    Direction,
    Level,
    check_code,
    check_indicator_code,
    check_percent,
    check_year,
    check_year_map,
    check_year_value,
    is_number,
    number,
)
from domain.values import Actor, check_choice, check_text, stable_id

if TYPE_CHECKING:
    from domain.application import Splot

# The strategy of the default network: stores written before there were several municipalities keep its id.
STRATEGY_ID = stable_id("strategy")
_DEFAULT_NETWORK_ID = stable_id("network", "default")


def strategy_id_for(network_id: UUID) -> UUID:
    """Each municipality's network has one strategy; task and indicator codes are unique within it."""
    return STRATEGY_ID if network_id == _DEFAULT_NETWORK_ID else stable_id("strategy", str(network_id))


@dataclass(frozen=True)
class StrategyApplied:
    strategy_id: UUID
    new_events: int
    notification_id: int | None
    notes: tuple[str, ...] = ()  # what the change means beyond its events (e.g. a rule change and closed years)


def rule_change_note(published_years: list[int]) -> str:
    """The effect of a rule change, said with every answer that records one."""
    closed_pl = f" (opublikowane wersje lat zamkniętych: {', '.join(map(str, published_years))})" \
        if published_years else ""
    closed_en = f" (published versions of closed years: {', '.join(map(str, published_years))})" \
        if published_years else ""
    return bilingual(f"Zmiana reguły dotyczy bieżących wartości wszystkich lat; opublikowane wersje raportów lat "
                     f"zamkniętych pozostają bez zmian{closed_pl}.",
                     f"A rule change applies to every year's current values; published report versions of closed "
                     f"years are unaffected{closed_en}.")


FigureKey = tuple[str, tuple[str, str], int]  # (field path, (Polish, English) name of the figure, year)


def year_figures(strategy: Strategy) -> dict[FigureKey, Any]:
    """Every figure the strategy holds for one year: (field path, what it is, year) -> value.

    The field path names the year and the indicator or stage; comparing two of these maps tells which
    years a change touches."""
    figures: dict[FigureKey, Any] = {}
    for code, indicator in strategy.indicators.items():
        for year, target in indicator["targets"].items():
            figures[(f"indicators.{code}.targets.{year}", (f"wartości docelowej wskaźnika {code}",
                     f"target of indicator {code}"), int(year))] = target
    for code, task in strategy.tasks.items():
        for stage in task["stages"]:
            for year, planned in stage["planned"].items():
                figures[(f"tasks.{code}.stages[{stage['number']}].planned.{year}",
                         (f"planu etapu {stage['number']} zadania {code}",
                          f"plan of stage {stage['number']} of task {code}"), int(year))] = planned
        for key, realised in task["progress"].items():
            number_, year = key.split(":")
            figures[(f"tasks.{code}.stages[{number_}].realised.{year}",
                     (f"realizacji etapu {number_} zadania {code}", f"progress of stage {number_} of task {code}"),
                     int(year))] = realised
    return figures


class StrategyCommands:
    """Commands over the strategy; a closed year's figures are guarded by `store.years`."""

    def __init__(self, store: Splot) -> None:
        self.store = store

    # ------------------------------------------------------------------ reading
    def has_strategy(self, network_id: UUID | None = None) -> bool:
        try:
            self.store.repository.get(_strategy_id(network_id))
        except AggregateNotFoundError:
            return False
        return True

    def get_strategy(self, network_id: UUID | None = None) -> Strategy:
        try:
            return self.store.repository.get(_strategy_id(network_id))
        except AggregateNotFoundError:
            raise NotFound(bilingual("Nie wczytano jeszcze żadnej strategii.", "No strategy has been loaded yet."),
                           field="strategy") from None

    # ------------------------------------------------------------------ one change at a time
    def start_strategy(self, *, name: str, network_id: UUID, actor: Actor):
        if self.has_strategy(network_id):
            raise InvariantViolated(bilingual("Ta sieć ma już strategię; zmień ją zamiast rozpoczynać nową.",
                                              "This network already has a strategy; change it instead of starting "
                                              "another."),
                                    field="strategy")
        self.store.get_network(network_id)
        strategy = Strategy.start(id=strategy_id_for(network_id), name=check_text(name, field="name", max_length=300),
                                  network_id=network_id, actor=actor)
        return self.store._save(strategy)

    def define_goal(self, *, network_id: UUID | None = None, goal: dict[str, Any], actor: Actor):
        return self._change(network_id, lambda s: s.define_goal(normalise_goal(goal), actor))

    def define_programme(self, *, network_id: UUID | None = None, programme: dict[str, Any], actor: Actor):
        return self._change(network_id, lambda s: s.define_programme(normalise_programme(programme), actor))

    def define_task(self, *, network_id: UUID | None = None, task: dict[str, Any], actor: Actor):
        return self._change(network_id, lambda s: s.define_task(normalise_task(task), actor))

    def plan_stages(self, *, network_id: UUID | None = None, task_code: str, stages: list[dict[str, Any]], reason: str, actor: Actor):
        reason = check_text(reason, field="reason", max_length=1000)
        return self._change(network_id, lambda s: s.plan_stages(task_code, plan_of(normalise_stages(stages)), reason, actor))

    def report_stage_progress(self, *, network_id: UUID | None = None, task_code: str, stage_number: int, year: int, realised: object,
                              actor: Actor, note: str = ""):
        year = check_year(year)
        value = check_percent(realised, field="realised")
        note = check_text(note, field="note", required=False)
        return self._change(network_id, lambda s: s.report_stage_progress(task_code, int(stage_number), year, value, note,
                                                              actor))

    def report_stages_progress(self, *, network_id: UUID | None = None, task_code: str,
                               progress: dict[tuple[int, int], object], actor: Actor, note: str = ""):
        """Several (stage number, year) -> realised % of one task in one save: all of them or none."""
        checked = {(int(stage), check_year(year)): check_percent(value, field=f"realised.{stage}.{year}")
                   for (stage, year), value in progress.items()}
        note = check_text(note, field="note", required=False)

        def change(strategy: Strategy) -> None:
            for (stage, year), value in sorted(checked.items()):
                strategy.report_stage_progress(task_code, stage, year, value, note, actor)

        return self._change(network_id, change)

    def define_indicator(self, *, network_id: UUID | None = None, indicator: dict[str, Any], actor: Actor, reason: str = "definicja wskaźnika"):
        """Defines (or revises) an indicator with its targets and rule; only what changed is recorded."""
        definition, targets, rule = normalise_indicator(indicator)
        reason = check_text(reason, field="reason", max_length=1000)

        def change(strategy: Strategy) -> bool:
            changed = strategy.define_indicator(definition, actor)
            changed |= strategy.set_targets(definition["code"], targets, reason, actor)
            changed |= strategy.change_rule(definition["code"], rule, reason, actor)
            return changed

        return self._change(network_id, change)

    def set_targets(self, *, network_id: UUID | None = None, indicator_code: str, targets: dict[str, Any], reason: str, actor: Actor):
        checked = check_year_map(targets, field="targets")
        reason = check_text(reason, field="reason", max_length=1000)
        return self._change(network_id, lambda s: s.set_targets(indicator_code, checked, reason, actor))

    def change_rule(self, *, network_id: UUID | None = None, indicator_code: str, rule: dict[str, Any], reason: str, actor: Actor):
        """A new rule version. Reports as of an earlier date are still computed with the older rule."""
        checked = rules.check_rule(rule)
        reason = check_text(reason, field="reason", max_length=1000)
        return self._change(network_id, lambda s: s.change_rule(indicator_code, checked, reason, actor))

    def report_indicator_value(self, *, network_id: UUID | None = None, indicator_code: str, year: int, value: object, actor: Actor,
                               source: str = "", note: str = ""):
        year = check_year(year)
        checked = check_year_value(value, field="value")
        source = check_text(source, field="source", max_length=100, required=False)
        note = check_text(note, field="note", required=False)
        return self._change(network_id, lambda s: s.report_value(indicator_code, year, source, checked, note, actor))

    def publish_report(self, *, network_id: UUID | None = None, task_code: str, title: str, actor: Actor):
        """Marks the task report as published now; the returned version is the publication's number."""
        title = check_text(title, field="title", max_length=300)
        return self._change(network_id, lambda s: s.publish_report(task_code, title, actor))

    def _change(self, network_id: UUID | None, change):
        strategy = self.get_strategy(network_id)
        before = year_figures(strategy)
        change(strategy)
        return self._save_strategy(strategy, before)

    def _save_strategy(self, strategy: Strategy, before: dict[FigureKey, Any]):
        """Saves the strategy's pending events unless one of them changes a figure of a closed year."""
        self._refuse_closed_year_changes(strategy, before)
        return self.store._save(strategy)

    def _refuse_closed_year_changes(self, strategy: Strategy, before: dict[FigureKey, Any]) -> None:
        after = year_figures(strategy)
        touched = [key for key in {**before, **after} if before.get(key, _ABSENT) != after.get(key, _ABSENT)]
        touched += [(f"indicators.{e.indicator_code}.values.{e.year}",
                     (f"wartości wskaźnika {e.indicator_code}", f"value of indicator {e.indicator_code}"), e.year)
                    for e in strategy.pending_events if isinstance(e, Strategy.ValueReported)]
        for field, what, year in sorted(touched, key=lambda key: (key[2], key[0])):
            self.store.years.check_strategy_year_open(strategy.network_id, year, field=field, what=what)

    def rule_change_notes(self, strategy: Strategy) -> tuple[str, ...]:
        """Says what a pending rule change does to closed years (nothing to their published versions)."""
        if not any(isinstance(e, Strategy.RuleChanged) for e in strategy.pending_events):
            return ()
        years = {int(y) for task in strategy.tasks.values() for y in task["years"]}
        return (rule_change_note(self.store.years.published_years(strategy.network_id, years)),)

    # ------------------------------------------------------------------ a whole strategy document
    def apply_strategy(self, document: dict[str, Any], *, actor: Actor, reason: str,
                       network_id: UUID | None = None) -> StrategyApplied:
        """Applies a strategy document (goals, programmes, tasks with stages and indicators) in one
        transaction. Starts the strategy when there is none; records only what differs."""
        if not isinstance(document, dict):
            raise ValidationFailed(bilingual("Dokument strategii musi być tabelą.", "A strategy document is a table."),
                                   field="strategy")
        reason = check_text(reason, field="reason", max_length=1000)
        head = document.get("strategy") or {}
        before: dict[FigureKey, Any] = {}
        if self.has_strategy(network_id):
            strategy = self.get_strategy(network_id)
            before = year_figures(strategy)
        else:
            if network_id is None:
                raise ValidationFailed(bilingual("Należy wskazać sieć, której dotyczy strategia.",
                                                 "The network the strategy measures must be given."),
                                       field="network_id")
            self.store.get_network(network_id)
            strategy = Strategy.start(id=strategy_id_for(network_id), name=check_text(head.get("name"), field="strategy.name",
                                                                      max_length=300),
                                      network_id=network_id, actor=actor)
        for i, goal in enumerate(_list(document, "goals")):
            strategy.define_goal(normalise_goal(goal, field=f"goals[{i}]"), actor)
        for i, programme in enumerate(_list(document, "programmes")):
            strategy.define_programme(normalise_programme(programme, field=f"programmes[{i}]"), actor)
        for i, task in enumerate(_list(document, "tasks")):
            where = f"tasks[{i}]"
            normalised = normalise_task(task, field=where)
            strategy.define_task(normalised, actor)
            code = normalised["code"]
            stages = normalise_stages(task.get("stages", []), field=f"{where}.stages")
            if stages:
                strategy.plan_stages(code, plan_of(stages), reason, actor)
            for stage in stages:
                for year, realised in stage["realised"].items():
                    strategy.report_stage_progress(code, stage["number"], int(year), realised, reason, actor)
            for j, indicator in enumerate(task.get("indicators", [])):
                definition, targets, rule = normalise_indicator({**indicator, "task_code": code},
                                                                field=f"{where}.indicators[{j}]")
                strategy.define_indicator(definition, actor)
                strategy.set_targets(definition["code"], targets, reason, actor)
                strategy.change_rule(definition["code"], rule, reason, actor)
        if not strategy.pending_events:
            return StrategyApplied(strategy.id, 0, None)
        new_events = len(strategy.pending_events)
        notes = self.rule_change_notes(strategy)
        saved = self._save_strategy(strategy, before)
        return StrategyApplied(strategy.id, new_events, saved.notification_id, notes)


def _strategy_id(network_id: UUID | None) -> UUID:
    """Transitional: a call that names no network means the default network's strategy."""
    return STRATEGY_ID if network_id is None else strategy_id_for(network_id)


_ABSENT = object()  # a figure a year did not have (distinct from any value, None included)


# ---------------------------------------------------------------------- normalising inputs
def _list(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise ValidationFailed(bilingual(f"Pole {key} musi być listą.", f"{key} must be a list."), field=key)
    return value


def _weight(value: object, field: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        raise ValidationFailed(bilingual(f"Pole {field} musi być liczbą większą od 0 i nie większą niż 100; "
                                         f"podano {value!r}.",
                                         f"{field} must be a number above 0 and at most 100; got {value!r}."),
                               field=field)
    return number(value)


def normalise_goal(goal: dict[str, Any], *, field: str = "goal") -> dict[str, Any]:
    return {
        "code": check_code(goal.get("code"), field=f"{field}.code"),
        "name": check_text(goal.get("name"), field=f"{field}.name", max_length=500),
        "owner": check_text(goal.get("owner"), field=f"{field}.owner", max_length=300, required=False),
        "weight": _weight(goal.get("weight", 100), f"{field}.weight"),
    }


def normalise_programme(programme: dict[str, Any], *, field: str = "programme") -> dict[str, Any]:
    return {
        "code": check_code(programme.get("code"), field=f"{field}.code"),
        "goal_code": check_code(programme.get("goal"), field=f"{field}.goal"),
        "name": check_text(programme.get("name"), field=f"{field}.name", max_length=500),
        "coordinator": check_text(programme.get("coordinator"), field=f"{field}.coordinator", max_length=300,
                                  required=False),
        "weight": _weight(programme.get("weight", 100), f"{field}.weight"),
    }


def normalise_task(task: dict[str, Any], *, field: str = "task") -> dict[str, Any]:
    years = task.get("years")
    if not isinstance(years, list) or not years:
        raise ValidationFailed(bilingual(f"Pole {field}.years musi wymieniać lata zadania.",
                                         f"{field}.years must list the task's years."), field=f"{field}.years")
    checked_years = sorted({check_year(y, field=f"{field}.years") for y in years})
    entities = task.get("cooperating_entities", [])
    if not isinstance(entities, list):
        raise ValidationFailed(bilingual(f"Pole {field}.cooperating_entities musi być listą.",
                                         f"{field}.cooperating_entities must be a list."),
                               field=f"{field}.cooperating_entities")
    return {
        "code": check_code(task.get("code"), field=f"{field}.code"),
        "programme_code": check_code(task.get("programme"), field=f"{field}.programme"),
        "name": check_text(task.get("name"), field=f"{field}.name", max_length=500),
        "weight": _weight(task.get("weight", 100), f"{field}.weight"),
        "implementing_unit": check_text(task.get("implementing_unit"), field=f"{field}.implementing_unit",
                                        max_length=300, required=False),
        "cooperating_entities": [
            {"name": check_text(e.get("name") if isinstance(e, dict) else e,
                                field=f"{field}.cooperating_entities[{i}].name", max_length=300),
             "scope": check_text(e.get("scope") if isinstance(e, dict) else "",
                                 field=f"{field}.cooperating_entities[{i}].scope", required=False)}
            for i, e in enumerate(entities)
        ],
        "target_groups": check_text(task.get("target_groups"), field=f"{field}.target_groups", required=False,
                                    max_length=5000),
        "rationale": check_text(task.get("rationale"), field=f"{field}.rationale", required=False,
                                max_length=5000),
        "description": check_text(task.get("description"), field=f"{field}.description", required=False,
                                  max_length=5000),
        "years": checked_years,
    }


def normalise_stages(stages: object, *, field: str = "stages") -> list[dict[str, Any]]:
    """Stages numbered 1..n; each year "planned" is a percentage or "-"; "realised" (optional)."""
    if not isinstance(stages, list):
        raise ValidationFailed(bilingual(f"Pole {field} musi być listą.", f"{field} must be a list."), field=field)
    out = []
    for i, stage in enumerate(stages):
        where = f"{field}[{i}]"
        if not isinstance(stage, dict):
            raise ValidationFailed(bilingual(f"Pole {where} musi być tabelą.", f"{where} must be a table."),
                                   field=where)
        if stage.get("number") != i + 1:
            raise ValidationFailed(bilingual(f"Pole {where}.number musi mieć wartość {i + 1} (etapy są numerowane "
                                             "po kolei).",
                                             f"{where}.number must be {i + 1} (stages are numbered in order)."),
                                   field=f"{where}.number")
        planned = check_year_map(stage.get("planned"), field=f"{where}.planned")
        if any(v == "bd" or (is_number(v) and v > 100) for v in planned.values()):  # type: ignore[operator]
            raise ValidationFailed(bilingual(f"Pole {where}.planned przyjmuje wartości procentowe (0–100) lub '-'.",
                                             f"{where}.planned takes percentages (0–100) or '-'."),
                                   field=f"{where}.planned")
        realised = {y: check_percent(v, field=f"{where}.realised.{y}")
                    for y, v in check_year_map(stage.get("realised"), field=f"{where}.realised").items()
                    if v != NOT_PLANNED}
        out.append({"number": i + 1, "name": check_text(stage.get("name"), field=f"{where}.name", max_length=500),
                    "planned": planned, "realised": realised})
    return out


def plan_of(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan part of normalised stages (realised shares are reported separately)."""
    return [{"number": s["number"], "name": s["name"], "planned": s["planned"]} for s in stages]


def normalise_indicator(indicator: dict[str, Any], *, field: str = "indicator"):
    """Returns (definition, targets, rule)."""
    sources = indicator.get("sources", [])
    if not isinstance(sources, list) or any(not isinstance(s, str) or not s.strip() for s in sources):
        raise ValidationFailed(bilingual(f"Pole {field}.sources musi wymieniać nazwy źródeł (np. WPiR, LCB, GUS).",
                                         f"{field}.sources must list source names (e.g. WPiR, LCB, GUS)."),
                               field=f"{field}.sources")
    baseline = indicator.get("baseline", "bd")
    definition = {
        "code": check_indicator_code(indicator.get("code"), field=f"{field}.code"),
        "task_code": check_code(indicator.get("task_code"), field=f"{field}.task_code"),
        "name": check_text(indicator.get("name"), field=f"{field}.name", max_length=500),
        "level": check_choice(indicator.get("level"), Level, field=f"{field}.level"),
        "sources": [s.strip() for s in sources],
        "source_label": check_text(indicator.get("source_label", " / ".join(sources)),
                                   field=f"{field}.source_label", max_length=300, required=False),
        "unit": check_text(indicator.get("unit", ""), field=f"{field}.unit", max_length=50, required=False),
        "baseline": check_year_value(baseline, field=f"{field}.baseline"),
        "direction": check_choice(indicator.get("direction", "increase"), Direction, field=f"{field}.direction"),
    }
    targets = check_year_map(indicator.get("targets"), field=f"{field}.targets")
    rule = rules.check_rule(indicator.get("rule"), field=f"{field}.rule")
    return definition, targets, rule
