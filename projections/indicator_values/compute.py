"""From the strategy state and the year's facts to the rows of the indicator table.

One row per indicator × year × institution × source: the network total has institution "" and
source ""; an institution's own view has its id and source ""; a source's share has
institution "" and the source name. Targets and % achieved belong to the network total.
"""

from __future__ import annotations

from typing import Any, Callable

from domain.strategy.rules import Evaluation, YearFacts, evaluate, is_additive, percent_achieved
from domain.strategy.values import NOT_PLANNED, is_number, number
from projections.indicator_values.facts import StrategyState

TOTAL = ""


def evaluate_year(state: StrategyState, code: str, facts: YearFacts) -> Evaluation:
    indicator = state.indicators[code]
    return evaluate(state.rules[code]["rule"], facts, indicator_code=code, sources=indicator["sources"])


def year_rows(state: StrategyState, code: str, year: int, facts: YearFacts) -> list[dict[str, Any]]:
    return evaluation_rows(state, code, year, evaluate_year(state, code, facts))


def evaluation_rows(state: StrategyState, code: str, year: int, result: Evaluation) -> list[dict[str, Any]]:
    """The rows of one indicator's year from its evaluation (however it was computed)."""
    indicator = state.indicators[code]
    rule = state.rules[code]
    target = state.targets.get(code, {}).get(str(year), NOT_PLANNED)
    base = {"indicator_code": code, "task_code": indicator["task_code"], "year": year,
            "rule_version": rule["version"], "cumulative": None}
    rows = [{**base, "institution_id": TOTAL, "source": TOTAL, "target": target, "actual": result.value,
             "percent": percent_achieved(target, result.value, indicator["direction"])}]
    rows += [{**base, "institution_id": i, "source": TOTAL, "target": None, "actual": v, "percent": None}
             for i, v in result.by_institution.items()]
    rows += [{**base, "institution_id": TOTAL, "source": s, "target": None, "actual": v, "percent": None}
             for s, v in result.by_source.items()]
    return rows


def with_cumulative(state: StrategyState, code: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds running totals over the years (only where yearly values may be summed: counts)."""
    if not is_additive(state.rules[code]["rule"]):
        return [{**r, "cumulative": None} for r in rows]
    running: dict[tuple[str, str], Any] = {}
    out = []
    for row in sorted(rows, key=lambda r: r["year"]):
        key = (row["institution_id"], row["source"])
        actual = row["actual"]
        previous = running.get(key, 0)
        running[key] = number(previous + actual) if is_number(previous) and is_number(actual) else "bd"
        out.append({**row, "cumulative": running[key]})
    return out


def indicator_rows(state: StrategyState, code: str, facts_for: Callable[[int], YearFacts]) -> list[dict[str, Any]]:
    """Every row of one indicator over its task's years."""
    years = state.tasks[state.indicators[code]["task_code"]]["years"]
    rows = [row for year in years for row in year_rows(state, code, year, facts_for(year))]
    return with_cumulative(state, code, rows)


def computable(state: StrategyState, code: str) -> bool:
    indicator = state.indicators.get(code)
    return (indicator is not None and code in state.rules and indicator["task_code"] in state.tasks
            and state.network_id is not None)
