"""The strategy as a user reads it (tasks, task reports now or as of a date, the records behind a value,
published reports), publishes it and changes it from a strategy document — always the strategy of the
user's own municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import Message, NotFound, ValidationFailed, bilingual
from domain.policy import Action, User, authorize, institution_filter
from domain.ports import ReadModels, Row
from domain.strategy.rule_words import describe
from domain.strategy.use_cases import StrategyApplied
from domain.use_cases.scope import Scopes


DRILL_PAGE = 50  # items on a page of a drill-down, unless asked for another number
MAX_DRILL_PAGE = 1000


class StrategyUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    def _strategy_id(self, user: User) -> str:
        return str(self.scopes.of(user).strategy_id)

    def tasks(self, user: User) -> list[Row]:
        authorize(user, Action.READ_STRATEGY)
        return self.reads.tasks(strategy_id=self._strategy_id(user))

    def task_report(self, user: User, code: str, *, as_of: date | None = None) -> Row:
        authorize(user, Action.READ_STRATEGY)
        return self.reads.task_report(code, strategy_id=self._strategy_id(user), as_of=as_of)

    def indicator_events(self, user: User, code: str, year: int, *, institution_id: UUID | None = None,
                         as_of: date | None = None) -> list[Row]:
        """The records (or memberships, or reported values) behind one indicator value."""
        authorize(user, Action.READ_STRATEGY)
        institution_id = institution_filter(user, institution_id)
        return self.reads.indicator_events(code, year, strategy_id=self._strategy_id(user),
                                           institution_id=str(institution_id) if institution_id else None,
                                           as_of=as_of)

    def indicator_events_page(self, user: User, code: str, year: int, *, institution_id: UUID | None = None,
                              as_of: date | None = None, cursor: str | None = None,
                              limit: int = DRILL_PAGE) -> Row:
        """One page of what lies behind a value: {items, total, limit, offset, next_cursor} (None on the last
        page); `cursor` is a page's next_cursor. At most MAX_DRILL_PAGE items a page."""
        authorize(user, Action.READ_STRATEGY)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_DRILL_PAGE:
            raise ValidationFailed(bilingual(f"Na stronie może być od 1 do {MAX_DRILL_PAGE} pozycji.",
                                             f"A page holds from 1 to {MAX_DRILL_PAGE} items."), field="limit")
        institution_id = institution_filter(user, institution_id)
        return self.reads.indicator_events_page(code, year, strategy_id=self._strategy_id(user),
                                                institution_id=str(institution_id) if institution_id else None,
                                                as_of=as_of, cursor=cursor, limit=limit)

    def publications(self, user: User, code: str) -> list[Row]:
        authorize(user, Action.READ_STRATEGY)
        self._strategy(user).task(code)  # NotFound for a task the strategy does not have
        return self.reads.publications(code, strategy_id=self._strategy_id(user))

    def publication(self, user: User, code: str, number: int) -> Row:
        authorize(user, Action.READ_STRATEGY)
        report = self.reads.published_report(number, strategy_id=self._strategy_id(user))
        actual = report["publication"]["task_code"]
        if actual != code:
            raise NotFound(bilingual(f"Raport opublikowany nr {number} dotyczy zadania {actual}, nie {code}.",
                                     f"Published report {number} is of task {actual}, not {code}."), field="n")
        return report

    def compare_publications(self, user: User, code: str, first: int, second: int) -> PublicationComparison:
        """Two published reports of a task and every indicator and stage cell that differs between them
        (old -> new, with its year), each indicator whose rule changed (its words before and after), and
        the two publications' titles and dates. An empty `cells` and `rules`: no difference."""
        authorize(user, Action.READ_STRATEGY)
        old, new = self.publication(user, code, first), self.publication(user, code, second)
        in_force = self._strategy(user).indicators
        return PublicationComparison(task_code=code, task_name=new["task"]["name"],
                                     first={**old["publication"], "as_of": old["as_of"]},
                                     second={**new["publication"], "as_of": new["as_of"]},
                                     cells=_cell_changes(old, new),
                                     rules=_rule_changes(old, new, in_force))

    def task_page(self, user: User, code: str, *, as_of: date | None = None, publication: int | None = None) -> Row:
        """What a task's page shows: the report (now, as of a date, or published report `publication` exactly
        as published), the task's published versions, and each indicator's rule in words as a Message
        (Polish and English apart) when the report's rule version is the one in force now; an older
        version keeps the report's own (Polish) text."""
        authorize(user, Action.READ_STRATEGY)
        report = (self.publication(user, code, publication) if publication is not None
                  else self.task_report(user, code, as_of=as_of))
        in_force = self._strategy(user).indicators
        rules = {i["code"]: _rule_words(in_force, i) for i in report["indicators"]}
        return {"report": report, "publications": self.publications(user, code), "rules": rules}

    def value_behind(self, user: User, code: str, year: int, *, as_of: date | None = None,
                     cursor: str | None = None, limit: int | None = None) -> Row:
        """One indicator value and what lies behind it (the drill-down page): the indicator's row of its
        task's report (as of a date, if given) and the records, memberships or reported values behind it —
        all of them, or with `limit` one page of them (`page`: total, offset, next_cursor)."""
        authorize(user, Action.READ_STRATEGY)
        page = None
        if limit is None:
            events = self.indicator_events(user, code, year, as_of=as_of)
        else:
            page = self.indicator_events_page(user, code, year, as_of=as_of, cursor=cursor, limit=limit)
            events = page.pop("items")
        strategy = self._strategy(user)
        task_code = strategy.indicator(code)["task_code"]
        report = self.task_report(user, task_code, as_of=as_of)
        indicator = next(i for i in report["indicators"] if i["code"] == code)
        return {"task": report["task"], "indicator": indicator, "year": year, "as_of": report["as_of"],
                "cell": indicator["years"].get(str(year)), "events": events, "page": page,
                "rule": _rule_words(strategy.indicators, indicator)}

    def publish(self, user: User, code: str, *, title: str) -> Saved:
        """Publishes a task's report as it stands now; the saved version is the publication's number."""
        authorize(user, Action.PUBLISH_REPORT)
        return self.store.strategy.publish_report(network_id=self.scopes.of(user).home_network_id, task_code=code,
                                                  title=title, actor=user.actor)

    def apply_document(self, user: User, document: dict[str, Any], *, reason: str) -> StrategyApplied:
        """Applies a strategy document (as read from a strategy file) to the municipality's strategy,
        starting it if there is none; only what differs is recorded."""
        authorize(user, Action.MANAGE_STRATEGY)
        return self.store.strategy.apply_strategy(document, actor=user.actor, reason=reason,
                                                  network_id=self.scopes.of(user).network())

    def _strategy(self, user: User):
        return self.store.strategy.get_strategy(self.scopes.of(user).home_network_id)


def _rule_words(in_force: dict[str, Any], indicator: Row) -> Message:
    """A report indicator's rule in words, Polish and English apart, when its version is the one in force now
    (the strategy keeps only that one); an older version keeps the report's own Polish text."""
    current = in_force.get(indicator["code"], {})
    if current.get("rule") and current.get("rule_version") == indicator["rule_version"]:
        return describe(current["rule"])
    return Message.untranslated(indicator["rule"])


@dataclass(frozen=True)
class CellChange:
    """One cell of a task report's tables that differs between two publications (None: absent from one)."""

    area: str  # "indicator" or "stage"
    code: str  # the indicator's code, or the stage's number
    name: str
    year: str
    measure: str  # "target", "actual", "percent" (an indicator); "realised", "planned" (a stage)
    old: Any
    new: Any


@dataclass(frozen=True)
class RuleChange:
    code: str
    name: str
    old_version: int | None
    new_version: int | None
    old_rule: Message
    new_rule: Message
    since: Any  # when the newer rule applies from, as the report states it


@dataclass(frozen=True)
class PublicationComparison:
    task_code: str
    task_name: str
    first: Row  # the publication's header (number, title, published_at, published_by) and the report's as_of
    second: Row
    cells: list[CellChange]
    rules: list[RuleChange]


_INDICATOR_MEASURES = ("target", "actual", "percent")  # the rows of the strategy's indicator table
_STAGE_MEASURES = ("realised", "planned")


def _in_order(*keyed: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(key for items in keyed for key in items))


def _cell_changes(old: Row, new: Row) -> list[CellChange]:
    """The cells that differ, indicators by code and stages by number (so an item added or removed between
    the two shows as absent in one), in the report's order, year by year."""
    changes: list[CellChange] = []
    years = _in_order(old["years"], new["years"])
    olds, news = ({i["code"]: i for i in r["indicators"]} for r in (old, new))
    for code in _in_order(news, olds):
        a, b = olds.get(code, {}).get("years", {}), news.get(code, {}).get("years", {})
        name = (news.get(code) or olds[code])["name"]
        for year in years:
            for measure in _INDICATOR_MEASURES:
                before, after = (a.get(year) or {}).get(measure), (b.get(year) or {}).get(measure)
                if before != after:
                    changes.append(CellChange("indicator", code, name, year, measure, before, after))
    olds, news = ({str(s["number"]): s for s in r["stages"]} for r in (old, new))
    for number in _in_order(news, olds):
        a, b = olds.get(number, {}).get("years", {}), news.get(number, {}).get("years", {})
        name = (news.get(number) or olds[number])["name"]
        for year in years:
            for measure in _STAGE_MEASURES:
                before, after = (_stage_value(a.get(year), measure), _stage_value(b.get(year), measure))
                if before != after:
                    changes.append(CellChange("stage", number, name, year, measure, before, after))
    return changes


def _stage_value(cell: Any, measure: str) -> Any:
    """A stage-year as the table shows it: "-" (not planned) for both figures, else the figure."""
    return cell.get(measure) if isinstance(cell, dict) else cell


def _rule_changes(old: Row, new: Row, in_force: dict[str, Any]) -> list[RuleChange]:
    olds = {i["code"]: i for i in old["indicators"]}
    changes = []
    for indicator in new["indicators"]:
        before = olds.get(indicator["code"])
        if before is None or (before["rule_version"], before["rule"]) == (indicator["rule_version"], indicator["rule"]):
            continue
        changes.append(RuleChange(code=indicator["code"], name=indicator["name"], old_version=before["rule_version"],
                                  new_version=indicator["rule_version"], old_rule=_rule_words(in_force, before),
                                  new_rule=_rule_words(in_force, indicator), since=indicator.get("rule_since")))
    return changes
