"""Questions answered by the indicator values read model (called by the API and the CLI).

Every question names the strategy it reads (`strategy_id`, the Strategy aggregate's id as text):
one store holds the strategies of several municipalities, and their codes may coincide.

- `list_strategies(tx, network_ids=None)`: the strategies in the store and the network each measures.
- `list_tasks(tx, *, strategy_id)`: every task with its goal, programme, weight and progress.
- `task_report(tx, task_code, *, strategy_id, as_of=None)`: the task's indicator and stage tables,
  plan against actual, in the strategy's own layout; with `as_of`, exactly as known at the end of
  that day (Warsaw time): the records, memberships, targets and rule versions recorded by then.
- `indicator_events(tx, indicator_code, year, *, strategy_id, institution_id=None, as_of=None)` and
  `indicator_events_page(...)`: the records (or memberships, or reported entries) behind one value — the
  drill-down, whole or a page (drill_down.py, from the evidence table evidence.py).
- `list_publications(tx, task_code=None, *, strategy_id)`, `published_report(tx, number, *,
  strategy_id)`: a published report, reproduced exactly as it was at the moment of publication.
- `rule_versions(tx, indicator_code, *, strategy_id)`: every version of an indicator's rule.

Values are numbers, "-" (not planned / not applicable) or "bd" (no data); they are never mixed up.
Results are data; the words around them (`rule`, `level_label`) come from the domain's catalogue
(`domain.labels`, `rule_words.describe`) in Polish, the language of the strategy document a published
report reproduces.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from domain.labels import NO_RULE, indicator_not_found, level_label, publication_not_found, task_not_found
from domain.strategy.rule_words import describe
from domain.strategy.rules import YearFacts, dependencies
from domain.strategy.values import NOT_PLANNED, NO_DATA, is_number, number
from domain.values import WARSAW, check_query_day, warsaw_today
from projections.base import Tx, end_of_warsaw_day, recorded_at
from projections.indicator_values import history, tallies
from projections.indicator_values.drill_down import MAX_DRILL_PAGE, indicator_events, indicator_events_page  # noqa: F401
from projections.indicator_values.compute import TOTAL, computable, evaluation_rows, indicator_rows, with_cumulative
from projections.indicator_values.facts import (
    STRATEGY_TABLE,
    StrategyState,
    institution_names,
    natural_key,
    strategy_heads,
    strategy_state,
    year_facts,
)
from projections.indicator_values.projection import stored_rows


# ---------------------------------------------------------------------------------------------- strategies
def list_strategies(tx: Tx, network_ids: Any = None) -> list[dict[str, Any]]:
    """[{strategy_id, name, network_id}] in the order they were started; only of `network_ids` if given."""
    wanted = None if network_ids is None else {str(n) for n in network_ids}
    return [h for h in strategy_heads(tx) if wanted is None or h["network_id"] in wanted]


# ---------------------------------------------------------------------------------------------- tasks
def list_tasks(tx: Tx, *, strategy_id: str) -> list[dict[str, Any]]:
    state = strategy_state(tx, strategy_id)
    return [_task_summary(state, code, warsaw_today().year) for code in sorted(state.tasks, key=natural_key)]


def _task_summary(state: StrategyState, code: str, reference_year: int) -> dict[str, Any]:
    task = state.tasks[code]
    programme = state.programmes.get(task["programme_code"], {})
    goal = state.goals.get(programme.get("goal_code", ""), {})
    progress = task_progress(state, code, reference_year)
    return {
        "code": code, "name": task["name"], "weight": task["weight"], "years": task["years"],
        "goal": {"code": goal.get("code"), "name": goal.get("name"), "owner": goal.get("owner"),
                 "progress": goal_progress(state, goal["code"]) if goal else None},
        "programme": {"code": programme.get("code"), "name": programme.get("name"),
                      "coordinator": programme.get("coordinator"),
                      "progress": programme_progress(state, programme["code"]) if programme else None},
        "progress": progress["realised"], "planned": progress["planned"],
        "planned_to_date": progress["planned_to_date"],
        "indicator_count": len(state.indicators_of(code)), "stage_count": len(state.stages.get(code, [])),
    }


# ---------------------------------------------------------------------------------------------- progress
def task_progress(state: StrategyState, code: str, reference_year: int | None = None) -> dict[str, Any]:
    """Task progress = the sum of the realised shares of its stage-years (the plan sums to 100 %)."""
    stages = state.stages.get(code, [])
    progress = state.progress.get(code, {})
    planned = [(int(y), v) for s in stages for y, v in s["planned"].items() if is_number(v)]
    realised = sum(progress.values())
    return {
        "realised": number(round(realised, 4)),
        "planned": number(round(sum(v for _, v in planned), 4)),
        "planned_to_date": number(round(sum(v for y, v in planned
                                            if reference_year is None or y <= reference_year), 4)),
    }


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for w, _ in pairs)
    return number(round(sum(w * p for w, p in pairs) / total, 4)) if total else None


def programme_progress(state: StrategyState, code: str) -> float | None:
    """The weighted mean of its tasks' progress (weights of the tasks)."""
    return _weighted_mean([(t["weight"], task_progress(state, c)["realised"])
                           for c, t in state.tasks.items() if t["programme_code"] == code])


def goal_progress(state: StrategyState, code: str) -> float | None:
    """The weighted mean of its programmes' progress (weights of the programmes)."""
    pairs = []
    for c, p in state.programmes.items():
        if p["goal_code"] == code and (value := programme_progress(state, c)) is not None:
            pairs.append((p["weight"], value))
    return _weighted_mean(pairs)


# ---------------------------------------------------------------------------------------------- report
def task_report(tx: Tx, task_code: str, *, strategy_id: str, as_of: datetime.date | None = None) -> dict[str, Any]:
    """With `as_of`, the record counts come from the tallies as they stood at the end of that day
    (history.py), not from a recomputation over the record versions known then."""
    bound = end_of_warsaw_day(check_query_day(as_of, field="as_of")) if as_of is not None else None
    reference_year = (as_of or warsaw_today()).year
    report = _report(tx, strategy_id, task_code, bound, reference_year,
                     as_of=as_of.isoformat() if as_of else None, day=as_of)
    report["as_of"] = as_of.isoformat() if as_of else None
    return report


def _report(tx: Tx, strategy_id: str, task_code: str, bound: str | None, reference_year: int, *,
            as_of: str | None = None, day: datetime.date | None = None) -> dict[str, Any]:
    """The task report now (bound None), as of the end of a Warsaw `day` (its `bound`: from the day's
    tallies), or as of any other recorded-time `bound` (recomputed: a published report's instant)."""
    state = strategy_state(tx, strategy_id, bound)
    if task_code not in state.tasks:
        raise task_not_found(task_code, as_of=as_of)
    task = state.tasks[task_code]
    names = institution_names(tx, bound)
    if bound is None:
        rows = stored_rows(tx, task_code, strategy_id=strategy_id)
    elif day is not None:
        rows = tallied_rows(tx, state, strategy_id, task_code, day, bound)
    else:
        rows = _computed_rows(tx, state, task_code, bound)
    indicators = [_indicator_table(state, indicator, [r for r in rows if r["indicator_code"] == indicator["code"]],
                                   task["years"], reference_year, names)
                  for indicator in state.indicators_of(task_code)]
    summary = _task_summary(state, task_code, reference_year)
    return {
        "task": {**summary, "implementing_unit": task["implementing_unit"],
                 "cooperating_entities": task["cooperating_entities"], "target_groups": task["target_groups"],
                 "rationale": task["rationale"], "description": task["description"]},
        "as_of": None,
        "years": [str(y) for y in task["years"]],
        "indicators": indicators,
        "stages": _stage_table(state, task_code),
        "progress": {**task_progress(state, task_code, reference_year),
                     "programme": summary["programme"], "goal": summary["goal"]},
    }


# ---------------------------------------------------------------------------------------------- publications
def list_publications(tx: Tx, task_code: str | None = None, *, strategy_id: str) -> list[dict[str, Any]]:
    """The strategy's published task reports, newest first."""
    rows = tx.execute(f"SELECT body, recorded_by FROM {STRATEGY_TABLE} WHERE strategy_id = ? "
                      "AND fact = 'publication' ORDER BY notification_id DESC", (str(strategy_id),))
    out = [{**json.loads(r["body"]), "published_by": r["recorded_by"]} for r in rows]
    return [p for p in out if task_code is None or p["task_code"] == task_code]


def published_report(tx: Tx, number: int, *, strategy_id: str) -> dict[str, Any]:
    """A published report exactly as it was when published: the records, targets and rule versions
    recorded up to that moment, whatever was recorded or changed afterwards. Numbers count per strategy."""
    match = [p for p in list_publications(tx, strategy_id=strategy_id) if p["number"] == int(number)]
    if not match:
        raise publication_not_found(number)
    publication = match[0]
    published_at = datetime.datetime.strptime(publication["published_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    bound = recorded_at(published_at + datetime.timedelta(microseconds=1))  # everything up to that instant
    report = _report(tx, strategy_id, publication["task_code"], bound, published_at.astimezone(WARSAW).year)
    report["as_of"] = published_at.astimezone(WARSAW).date().isoformat()
    report["publication"] = publication
    return report


def tallied_rows(tx: Tx, state: StrategyState, strategy_id: str, task_code: str, day: datetime.date,
                 bound: str) -> list[dict[str, Any]]:
    """The task's indicator rows as known at the end of `day` (`bound` its end): record leaves from the
    tallies of that day (one query), gauges and reported values evaluated over the (small) facts known then,
    combined as `tallies.assemble` combines them — what `_computed_rows` computes, without the records."""
    codes = [i["code"] for i in state.indicators_of(task_code) if computable(state, i["code"])]
    kept = history.read_as_of(tx, strategy_id, codes, day)
    cache: dict[tuple[int, frozenset[str]], Any] = {}
    out = []
    for code in codes:
        rule = state.rules[code]["rule"]
        indicator = state.indicators[code]
        needs = frozenset(tallies.non_record_needs(rule))
        rows = []
        for year in state.tasks[indicator["task_code"]]["years"]:
            if (year, needs) not in cache:
                cache[(year, needs)] = (year_facts(tx, state.network_id, year, bound, needs=set(needs),
                                                   reported=state.reported) if needs
                                        else YearFacts(year=year, reported=state.reported))
            result = tallies.assemble(rule, kept.get(code, {}).get(year, {}), cache[(year, needs)],
                                      list(indicator["sources"]), indicator_code=code)
            rows += evaluation_rows(state, code, year, result)
        out += with_cumulative(state, code, rows)
    return out


def _computed_rows(tx: Tx, state: StrategyState, task_code: str, bound: str) -> list[dict[str, Any]]:
    codes = [i["code"] for i in state.indicators_of(task_code) if computable(state, i["code"])]
    if not codes:
        return []
    needs = set().union(*(dependencies(state.rules[c]["rule"]) for c in codes)) - {"reported"}
    cache: dict[int, Any] = {}

    def facts_for(year: int):
        if year not in cache:
            cache[year] = year_facts(tx, state.network_id, year, bound, needs=needs, reported=state.reported)
        return cache[year]

    return [row for code in codes for row in indicator_rows(state, code, facts_for)]


def _indicator_table(state: StrategyState, indicator: dict[str, Any], rows: list[dict[str, Any]],
                     years: list[int], reference_year: int, names: dict[str, str]) -> dict[str, Any]:
    code = indicator["code"]
    rule = state.rules.get(code)
    targets = state.targets.get(code, {})
    totals = {r["year"]: r for r in rows if r["institution_id"] == TOTAL and r["source"] == TOTAL}
    table: dict[str, Any] = {}
    cumulative_target: Any = NOT_PLANNED
    for year in years:
        target = targets.get(str(year), NOT_PLANNED)
        if is_number(target):
            cumulative_target = number((cumulative_target if is_number(cumulative_target) else 0) + target)
        row = totals.get(year)
        future = year > reference_year
        actual = NOT_PLANNED if future or row is None else row["actual"]
        table[str(year)] = {
            "target": target, "actual": actual,
            "percent": None if future or row is None else row["percent"],
            "cumulative": None if future or row is None else row["cumulative"],
            "cumulative_target": cumulative_target if row is not None and row["cumulative"] is not None else None,
        }
    by_source: dict[str, dict[str, Any]] = {s: {} for s in indicator["sources"]}
    by_institution: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["year"] > reference_year:
            continue
        if r["source"] != TOTAL and r["source"] in by_source:
            by_source[r["source"]][str(r["year"])] = r["actual"]
        elif r["institution_id"] != TOTAL:
            by_institution.setdefault(r["institution_id"], {})[str(r["year"])] = r["actual"]
    return {
        "code": code, "name": indicator["name"], "level": indicator["level"],
        "level_label": level_label(indicator["level"]).pl,
        "source": indicator["source_label"], "sources": indicator["sources"], "unit": indicator["unit"],
        "baseline": indicator["baseline"], "direction": indicator["direction"],
        "rule": describe(rule["rule"]).pl if rule else NO_RULE.pl,
        "rule_kind": rule["rule"]["kind"] if rule else None,
        "rule_version": rule["version"] if rule else None,
        "rule_since": rule["since"] if rule else None,
        "years": table,
        "by_source": {s: {str(y): v.get(str(y), 0 if rows else NO_DATA) for y in years if y <= reference_year}
                      for s, v in by_source.items()},
        "by_institution": [
            {"institution_id": i, "short_name": names.get(i, i),
             "years": {str(y): v.get(str(y), 0) for y in years if y <= reference_year}}
            for i, v in sorted(by_institution.items(), key=lambda kv: names.get(kv[0], kv[0]))
        ],
    }


def _stage_table(state: StrategyState, task_code: str) -> list[dict[str, Any]]:
    progress = state.progress.get(task_code, {})
    years = state.tasks[task_code]["years"]
    out = []
    for stage in state.stages.get(task_code, []):
        cells: dict[str, Any] = {}
        for year in years:
            planned = stage["planned"].get(str(year), NOT_PLANNED)
            if planned == NOT_PLANNED:
                cells[str(year)] = NOT_PLANNED
            else:
                cells[str(year)] = {"realised": progress.get(f"{stage['number']}:{year}", NO_DATA),
                                    "planned": planned}
        out.append({
            "number": stage["number"], "name": stage["name"], "years": cells,
            "realised": number(round(sum(v for k, v in progress.items()
                                         if k.split(":")[0] == str(stage["number"])), 4)),
            "planned": number(round(sum(v for v in stage["planned"].values() if is_number(v)), 4)),
        })
    return out


# ---------------------------------------------------------------------------------------------- rule versions
def rule_versions(tx: Tx, indicator_code: str, *, strategy_id: str) -> list[dict[str, Any]]:
    """Every version of an indicator's rule, with when it was recorded and why (for auditors).
    `description` is a Message (Polish and English apart)."""
    rows = tx.execute(f"SELECT body, recorded_from, recorded_to, recorded_by FROM {STRATEGY_TABLE} "
                      "WHERE strategy_id = ? AND fact = 'rule' AND fact_key = ? ORDER BY notification_id",
                      (str(strategy_id), indicator_code))
    if not rows:
        raise indicator_not_found(indicator_code)
    out = []
    for r in rows:
        body = json.loads(r["body"])
        out.append({"version": body["version"], "rule": body["rule"], "description": describe(body["rule"]),
                    "reason": body["reason"], "recorded_from": r["recorded_from"], "recorded_to": r["recorded_to"],
                    "recorded_by": r["recorded_by"]})
    return out
