"""The coordinator keeps the strategy one figure at a time: an indicator's targets per year, a reported
value with its source, the stages' progress per year, an indicator's rule (seen in words before it is
saved). Loading a whole strategy document is `StrategyUseCases.apply_document`.

Each change is one event of the municipality's strategy, with the acting user and a reason. A reason is
always asked for targets and rules (the strategy's plan); for a reported value or stage progress it is
required where the change touches a year that already has a published (closed) report version. A closed
year refuses changes altogether until the coordinator reopens it for the strategy (domain/closing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.application import Saved, Splot
from domain.errors import Message, ValidationFailed, bilingual
from domain.policy import Action, User, authorize
from domain.ports import ReadModels, Row
from domain.strategy import rules
from domain.strategy.document import parse_strategy
from domain.strategy.rule_words import describe
from domain.strategy.use_cases import StrategyApplied, rule_change_note
from domain.use_cases.scope import Scopes


@dataclass(frozen=True)
class IndicatorForEditing:
    """What the coordinator sees before changing an indicator."""

    indicator: Row  # code, name, task_code, level, sources, unit, targets, rule, rule_version
    years: list[int]  # the task's years
    rule_words: Message | None
    published_years: list[int]  # years with a published (closed) report version: a reason is required there
    report: Row  # the indicator's row of the current task report (target, actual, % per year; by source)


@dataclass(frozen=True)
class TaskForEditing:
    task: Row  # code, name, years, stages (number, name, planned per year), progress ("stage:year" -> %)
    published_years: list[int]


@dataclass(frozen=True)
class RulePreview:
    """A rule as it would be saved: checked and normalised, in words, beside the rule in force."""

    rule: dict[str, Any]
    words: Message
    current_words: Message | None
    unchanged: bool
    note: Message  # what a rule change does to the years already published


class StrategyChangeUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    # ------------------------------------------------------------------ reading what is to be changed
    def indicator(self, user: User, code: str) -> IndicatorForEditing:
        authorize(user, Action.MANAGE_STRATEGY)
        strategy = self._strategy(user)
        indicator = strategy.indicator(code)
        years = list(strategy.tasks[indicator["task_code"]]["years"])
        report = self.reads.task_report(indicator["task_code"], strategy_id=self._strategy_id(user), as_of=None)
        row = next(i for i in report["indicators"] if i["code"] == code)
        return IndicatorForEditing(indicator={"code": code, **indicator}, years=years,
                                   rule_words=describe(indicator["rule"]) if indicator.get("rule") else None,
                                   published_years=self._published_years(user, years), report=row)

    def task(self, user: User, code: str) -> TaskForEditing:
        authorize(user, Action.MANAGE_STRATEGY)
        task = self._strategy(user).task(code, field="code")
        return TaskForEditing(task={"code": code, **task},
                              published_years=self._published_years(user, task["years"]))

    # ------------------------------------------------------------------ changes
    def set_targets(self, user: User, code: str, targets: dict[str, Any], *, reason: str) -> Saved:
        """Replaces the indicator's targets: each year "-" (not planned), a number, or "bd" (no data)."""
        authorize(user, Action.MANAGE_STRATEGY)
        return self.store.strategy.set_targets(network_id=self._network(user), indicator_code=code,
                                               targets=targets, reason=reason, actor=user.actor)

    def report_value(self, user: User, code: str, *, year: int, value: object, source: str = "",
                     reason: str = "") -> Saved:
        """A value for an indicator whose rule is `reported` (e.g. GUS data), with its source."""
        authorize(user, Action.MANAGE_STRATEGY)
        self._require_reason_for_published(user, [year], reason)
        return self.store.strategy.report_indicator_value(network_id=self._network(user), indicator_code=code,
                                                          year=year, value=value, source=source, note=reason,
                                                          actor=user.actor)

    def report_stage_progress(self, user: User, code: str, progress: dict[tuple[int, int], object], *,
                              reason: str = "") -> Saved:
        """Several stages' progress (stage number, year) -> realised % in one change; empty cells and cells
        equal to what is already reported are left alone. When nothing differs nothing is saved, and the
        answer is the strategy as it stands with `notification_id` None."""
        authorize(user, Action.MANAGE_STRATEGY)
        strategy = self._strategy(user)
        task = strategy.task(code, field="code")
        changed = {key: value for key, value in progress.items() if value not in (None, "")
                   and task["progress"].get(f"{key[0]}:{key[1]}") != _as_number(value)}
        if not changed:
            return Saved(id=strategy.id, version=strategy.version, notification_id=None)
        self._require_reason_for_published(user, [year for _, year in changed], reason)
        return self.store.strategy.report_stages_progress(network_id=self._network(user), task_code=code,
                                                          progress=changed, note=reason, actor=user.actor)

    def preview_rule(self, user: User, code: str, rule: object) -> RulePreview:
        """The rule checked and in words, before the coordinator saves it (nothing is saved)."""
        authorize(user, Action.MANAGE_STRATEGY)
        strategy = self._strategy(user)
        indicator = strategy.indicator(code)
        checked = rules.check_rule(rule)
        current = indicator.get("rule")
        years = strategy.tasks[indicator["task_code"]]["years"]
        return RulePreview(rule=checked, words=describe(checked),
                           current_words=describe(current) if current else None, unchanged=current == checked,
                           note=rule_change_note(self._published_years(user, years)))

    def change_rule(self, user: User, code: str, rule: object, *, reason: str) -> Saved:
        """A new rule version; reports as of an earlier date and published versions keep the older one."""
        authorize(user, Action.MANAGE_STRATEGY)
        return self.store.strategy.change_rule(network_id=self._network(user), indicator_code=code,
                                               rule=rule, reason=reason, actor=user.actor)  # type: ignore[arg-type]

    def apply_file(self, user: User, text: str, *, file_name: str, reason: str = "") -> StrategyApplied:
        """A strategy file (TOML, docs/STRATEGY-FILE.md) uploaded by the coordinator: only what differs from the
        strategy in force is recorded, in one transaction; the reason defaults to the file's name."""
        authorize(user, Action.MANAGE_STRATEGY)
        document = parse_strategy(text, origin=file_name or "plik strategii")
        reason = (reason or "").strip() or f"plik strategii {file_name}".strip()
        return self.store.strategy.apply_strategy(document, actor=user.actor, reason=reason,
                                                  network_id=self.scopes.of(user).network())

    # ------------------------------------------------------------------ helpers
    def _strategy(self, user: User):
        return self.store.strategy.get_strategy(self.scopes.of(user).home_network_id)

    def _strategy_id(self, user: User) -> str:
        return str(self.scopes.of(user).strategy_id)

    def _network(self, user: User):
        return self.scopes.of(user).network()

    def _published_years(self, user: User, years: Any) -> list[int]:
        return self.store.years.published_years(self._network(user), [int(y) for y in years])

    def _require_reason_for_published(self, user: User, years: list[int], reason: str) -> None:
        published = self._published_years(user, years)
        if published and not (reason or "").strip():
            listed = ", ".join(map(str, published))
            raise ValidationFailed(bilingual(
                f"Zmiana dotyczy roku z opublikowanym raportem ({listed}): podaj jej powód.",
                f"The change touches a year with a published report ({listed}): give its reason."), field="reason")


def _as_number(value: object) -> object:
    """A form's "40" or "40,5" compared with the stored 40 / 40.5, so unchanged cells are left alone."""
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ".").rstrip("%"))
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value
