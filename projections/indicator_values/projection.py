"""The indicator values read model.

- `strategy_versions`: bitemporal copy of every strategy in the store (goals, programmes, tasks,
  stage plans, stage progress, indicators, targets, rule versions, reported values): one row per
  version of each fact with `recorded_from`/`recorded_to`, so a report "as of D" uses the targets
  and the rule that were in force then (a published report keeps its old rule).
- `indicator_values`: the current values, one row per strategy × indicator × year × institution ×
  source (see compute.py), maintained incrementally: an event recomputes only the strategies that
  measure its network, only the indicators whose rule reads what it changed, and only the years it
  touches.
- `indicator_tallies` (tallies.py): the record counts the values are read from, and `indicator_evidence`
  (evidence.py): the record versions behind each count, what a drill-down page reads; both kept in the
  same steps.

Every row is keyed by `strategy_id` (the Strategy aggregate's id as text): several municipalities'
strategies live side by side, and two of them may use the same task and indicator codes.

It reads the registry and activity register tables, so it must be fed after them
(infra.container.all_projections keeps that order).
"""

from __future__ import annotations

import json
from typing import Any

from domain.records import Record
from domain.registry import Institution, Network
from domain.strategy.model import Strategy
from domain.strategy.rules import dependencies
from projections.base import Tx, recorded_at, to_json
from projections.indicator_values import evidence, tallies
from projections.indicator_values.compute import computable, evaluation_rows, with_cumulative
from projections.indicator_values.facts import (
    STRATEGY_TABLE,
    StrategyState,
    stored_versions,
    strategies_of_network,
    strategy_state,
    year_facts,
)

VALUES_TABLE = "indicator_values"
TALLY_TABLE = tallies.TALLY_TABLE
ALL_YEARS = None
_FAR = 2**62  # a log position past any: "every version current now"
# What a record version's contribution reads beside the record: memberships (min_network_institutions),
# the institutions' sources and the firms' keys (distinct counts of firms).
_BASE_NEEDS = {"network_members", "cluster_members"}


def _record_leaves(state: StrategyState) -> dict[str, list[tuple[str, str, dict[str, Any], set[int], list[str]]]]:
    """record kind -> (indicator, leaf path, leaf rule, task years, sources) of every record leaf of the strategy."""
    cached = getattr(state, "_record_leaves", None)
    if cached is not None:
        return cached
    out: dict[str, list[tuple[str, str, dict[str, Any], set[int], list[str]]]] = {}
    for code in sorted(state.indicators):
        if not computable(state, code):
            continue
        indicator = state.indicators[code]
        years = set(state.tasks[indicator["task_code"]]["years"])
        for path, leaf in tallies.leaves(state.rules[code]["rule"]):
            out.setdefault(leaf["record_kind"], []).append((code, path, leaf, years, list(indicator["sources"])))
    state._record_leaves = out  # type: ignore[attr-defined]
    return out


def strategy_fact(event: Any) -> tuple[str, str, dict[str, Any]] | None:
    """(fact, key, body) that a strategy event records, or None."""
    if isinstance(event, Strategy.Started):
        return "strategy", "", {"name": event.name, "network_id": str(event.network_id)}
    if isinstance(event, Strategy.GoalDefined):
        return "goal", event.goal["code"], dict(event.goal)
    if isinstance(event, Strategy.ProgrammeDefined):
        return "programme", event.programme["code"], dict(event.programme)
    if isinstance(event, Strategy.TaskDefined):
        return "task", event.task["code"], dict(event.task)
    if isinstance(event, Strategy.StagesPlanned):
        return "stages", event.task_code, list(event.stages)  # type: ignore[return-value]
    if isinstance(event, Strategy.StageProgressReported):
        return ("progress", f"{event.task_code}|{event.stage_number}:{event.year}",
                {"realised": event.realised, "note": event.note})
    if isinstance(event, Strategy.IndicatorDefined):
        return "indicator", event.indicator["code"], dict(event.indicator)
    if isinstance(event, Strategy.TargetsSet):
        return "targets", event.indicator_code, dict(event.targets)
    if isinstance(event, Strategy.RuleChanged):
        return "rule", event.indicator_code, {"rule": event.rule, "version": event.rule_version,
                                              "reason": event.reason}
    if isinstance(event, Strategy.ValueReported):
        return ("reported", f"{event.indicator_code}|{event.year}|{event.source}",
                {"year": event.year, "source": event.source, "value": event.value, "note": event.note})
    if isinstance(event, Strategy.ReportPublished):
        return ("publication", str(event.originator_version),
                {"number": event.originator_version, "task_code": event.task_code, "title": event.title,
                 "published_at": recorded_at(event.timestamp)})
    return None


class IndicatorValuesProjection:
    """Values are kept once per page of events, not once per event: `handle` notes what changed (per
    strategy) and which record versions came and went, `flush` (called by the runner at the end of the
    page, after the activity register's, in the same transaction) adds the record versions'
    contributions to the tallies (tallies.py) and rewrites only the (indicator, year) cells they touch,
    whose rows are read from the tallies: the cost of a page does not grow with the log. Other changes
    (memberships, renames, the strategy) recompute what they can change, as noted."""

    name = "indicator_values"
    version = 5  # v2: every table keyed by strategy_id (many strategies in one store); v3: own views of gauges
    # include the clusters an institution runs, booleans have per-institution and per-source values;
    # v4: record counts kept as tallies (tallies.py), only the cells a page touches rewritten;
    # v5: the record leaves' current evidence kept for the drill-down (evidence.py)
    tables = (STRATEGY_TABLE, VALUES_TABLE, TALLY_TABLE, evidence.EVIDENCE_TABLE)

    def __init__(self) -> None:
        # strategy id -> (what changed or None for anything, indicator codes or None for all) -> years or None
        self._pending: dict[str, dict[tuple[frozenset[str] | None, frozenset[str] | None], set[int] | None]] = {}
        self._measuring: dict[str, list[str]] = {}  # network id -> strategy ids, cached until a strategy starts
        self.discard()

    def discard(self) -> None:
        """Forgets what a page noted (the runner calls it before every page)."""
        self._pending = {}
        self._measuring = {}
        self._record_events: list[tuple[str, int, int | None]] = []  # (record, event's version, version it brings)
        self._position = 0

    def _strategies_of(self, tx: Tx, network_id: str) -> list[str]:
        if network_id not in self._measuring:
            self._measuring[network_id] = strategies_of_network(tx, network_id)
        return self._measuring[network_id]

    def create_tables(self, tx: Tx) -> None:
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {STRATEGY_TABLE} ("
            "strategy_id TEXT NOT NULL, fact TEXT NOT NULL, fact_key TEXT NOT NULL, body TEXT NOT NULL, "
            "recorded_from TEXT NOT NULL, recorded_to TEXT, recorded_by TEXT NOT NULL, "
            "notification_id BIGINT NOT NULL, PRIMARY KEY (strategy_id, fact, fact_key, notification_id))")
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {VALUES_TABLE} ("
            "strategy_id TEXT NOT NULL, indicator_code TEXT NOT NULL, task_code TEXT NOT NULL, "
            "year INTEGER NOT NULL, institution_id TEXT NOT NULL, source TEXT NOT NULL, target_json TEXT, "
            "actual_json TEXT NOT NULL, percent_json TEXT NOT NULL, cumulative_json TEXT NOT NULL, "
            "rule_version INTEGER NOT NULL, "
            "PRIMARY KEY (strategy_id, indicator_code, year, institution_id, source))")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {VALUES_TABLE}_by_task ON {VALUES_TABLE} "
                   "(strategy_id, task_code, year)")
        tallies.create_table(tx)
        evidence.create_table(tx)

    # ------------------------------------------------------------------------------------------ events
    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        self._position = max(self._position, notification_id)
        fact = strategy_fact(event)
        if fact is not None:
            strategy_id = str(event.originator_id)
            self._record_fact(tx, strategy_id, event, notification_id, *fact)
            if isinstance(event, Strategy.Started):
                self._measuring.clear()
            self._after_strategy_change(tx, strategy_id, event)
        elif isinstance(event, (Record.Created, Record.Corrected)):  # a new version of the record's content
            self._record_events.append((str(event.originator_id), event.originator_version, event.originator_version))
        elif isinstance(event, Record.Retracted):  # no version left that counts
            self._record_events.append((str(event.originator_id), event.originator_version, None))
        elif isinstance(event, (Network.InstitutionJoined, Network.InstitutionLeft)):
            self._note_network(tx, str(event.originator_id), {"network_members"}, ALL_YEARS)
        elif isinstance(event, (Institution.FirmJoinedCluster, Institution.FirmLeftCluster)):
            self._note_network(tx, _institution_network(tx, event.originator_id), {"cluster_members"}, ALL_YEARS)
        elif isinstance(event, Institution.Renamed):  # source attribution goes by short name
            self._note_network(tx, _institution_network(tx, event.originator_id), None, ALL_YEARS)

    def _note_network(self, tx: Tx, network_id: str | None, changed: set[str] | None,
                      years: set[int] | None) -> None:
        """Notes a change for every strategy that measures `network_id` (and for no other)."""
        if network_id is None:
            return
        for strategy_id in self._strategies_of(tx, network_id):
            self._note(strategy_id, changed, years)

    def _note(self, strategy_id: str, changed: set[str] | None, years: set[int] | None,
              codes: set[str] | None = None) -> None:
        pending = self._pending.setdefault(strategy_id, {})
        key = (None if changed is None else frozenset(changed), None if codes is None else frozenset(codes))
        if key in pending and (pending[key] is None or years is None):
            pending[key] = None
        else:
            pending[key] = None if years is None else pending.get(key, set()) | years

    def flush(self, tx: Tx) -> None:
        """Adds the page's record versions to the tallies, recomputes what else was noted, and rewrites the
        cells either touched, strategy by strategy."""
        pending, record_events, upto = self._pending, self._record_events, self._position
        self.discard()  # a page that rolls back may have started a strategy: ask again next page
        states: dict[str, StrategyState] = {}

        def state_of(strategy_id: str) -> StrategyState:
            if strategy_id not in states:
                states[strategy_id] = strategy_state(tx, strategy_id)
            return states[strategy_id]

        touched = self._add_record_versions(tx, record_events, state_of) if record_events else {}
        for strategy_id in sorted(set(pending) | set(touched)):
            state = state_of(strategy_id)
            for (changed, codes), years in pending.get(strategy_id, {}).items():
                self.recompute(tx, strategy_id, None if changed is None else set(changed), years,
                               codes=None if codes is None else set(codes), state=state, upto=upto)
            by_kind = touched.get(strategy_id)
            if by_kind:
                cells = set().union(*by_kind.values())
                self.recompute(tx, strategy_id, {f"record:{k}" for k in by_kind}, {y for _, y in cells},
                               codes={c for c, _ in cells}, state=state, upto=upto, cells=cells)

    def _add_record_versions(self, tx: Tx, record_events: list[tuple[str, int, int | None]],
                             state_of: Any) -> dict[str, dict[str, set[tuple[str, int]]]]:
        """Adds what the page's record versions contribute (and takes away what the versions they replace
        did); returns strategy -> record kind -> the (indicator, year) cells touched."""
        # The version an event replaces: the record's latest version before it (in this page, or stored).
        stored = stored_versions(tx, sorted({r for r, _, _ in record_events}))
        latest: dict[str, int | None] = {}
        changes: list[tuple[str, int | None, int | None]] = []
        for record_id, event_version, came in record_events:
            if record_id not in latest:
                older = [v for v in stored.get(record_id, []) if v < event_version]
                latest[record_id] = max(older) if older else None
            changes.append((record_id, latest[record_id], came))
            latest[record_id] = came
        facts = tallies.version_facts(tx, {(r, v) for r, g, c in changes for v in (g, c) if v is not None})
        deltas: dict[tuple[str, str, str, int, str, str], int] = {}
        shown = evidence.Changes()
        touched: dict[str, dict[str, set[tuple[str, int]]]] = {}
        bases: dict[str, Any] = {}
        for record_id, gone, came in changes:
            for version, sign in ((gone, -1), (came, 1)):
                if version is None or (record_id, version) not in facts:
                    continue
                network_id, record = facts[(record_id, version)]
                for strategy_id in self._strategies_of(tx, network_id):
                    state = state_of(strategy_id)
                    for code, path, leaf, years, sources in _record_leaves(state).get(record.kind, ()):
                        year = record.occurred_on.year
                        if year not in years:
                            continue
                        if network_id not in bases:
                            bases[network_id] = year_facts(tx, network_id, 0, needs=_BASE_NEEDS)
                        result = evidence.single(leaf, record, bases[network_id], sources)
                        for scope, key, n in tallies.contribution(leaf, record, bases[network_id], sources, result):
                            k = (strategy_id, code, path, year, scope, key)
                            deltas[k] = deltas.get(k, 0) + sign * n
                        shown.note(strategy_id, code, path, year, record, result, sign)
                        touched.setdefault(strategy_id, {}).setdefault(record.kind, set()).add((code, year))
        tallies.add(tx, deltas)
        shown.write(tx)
        return touched

    def _record_fact(self, tx: Tx, strategy_id: str, event: Any, notification_id: int, fact: str, key: str,
                     body: Any) -> None:
        at = recorded_at(event.timestamp)
        tx.execute(f"UPDATE {STRATEGY_TABLE} SET recorded_to = ? WHERE strategy_id = ? AND fact = ? "
                   "AND fact_key = ? AND recorded_to IS NULL", (at, strategy_id, fact, key))
        tx.execute(f"INSERT INTO {STRATEGY_TABLE} (strategy_id, fact, fact_key, body, recorded_from, recorded_to, "
                   "recorded_by, notification_id) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                   (strategy_id, fact, key, to_json(body), at, event.actor_user_id, notification_id))

    def _after_strategy_change(self, tx: Tx, strategy_id: str, event: Any) -> None:
        if isinstance(event, Strategy.TaskDefined):
            codes = {i["code"] for i in strategy_state(tx, strategy_id).indicators_of(event.task["code"])}
            self._note(strategy_id, None, ALL_YEARS, codes)
        elif isinstance(event, (Strategy.IndicatorDefined, Strategy.TargetsSet, Strategy.RuleChanged,
                                Strategy.ValueReported)):
            code = event.indicator["code"] if isinstance(event, Strategy.IndicatorDefined) else event.indicator_code
            self._note(strategy_id, None, ALL_YEARS, {code})

    # ------------------------------------------------------------------------------------------ values
    def recompute(self, tx: Tx, strategy_id: str, changed: set[str] | None, years: set[int] | None, *,
                  codes: set[str] | None = None, state: StrategyState | None = None, upto: int | None = None,
                  cells: set[tuple[str, int]] | None = None) -> None:
        """Recomputes the strategy's indicators that read `changed` (None = any), in `years` (None = all).

        With `cells` the tallies are current (the page's record versions were just added) and only those
        (indicator, year) cells are rewritten; otherwise the tallies of every record leaf that reads what
        changed are first rebuilt from the record versions current at position `upto` (None = now)."""
        state = state or strategy_state(tx, strategy_id)
        if state.network_id is None:
            return
        selected = []
        for code in sorted(codes if codes is not None else state.indicators):
            if not computable(state, code):
                continue
            if changed is not None and not (dependencies(state.rules[code]["rule"]) & changed):
                continue
            selected.append(code)
        if not selected:
            return
        facts_cache: dict[tuple[int, frozenset[str]], Any] = {}
        for code in selected:
            rule = state.rules[code]["rule"]
            indicator = state.indicators[code]
            task_years = state.tasks[indicator["task_code"]]["years"]
            chosen = [y for y in (task_years if years is None else sorted(set(task_years) & years))
                      if cells is None or (code, y) in cells]
            if cells is None:
                self._rebuild_tallies(tx, strategy_id, state, code, changed, chosen, upto)
            needs = frozenset(tallies.non_record_needs(rule))
            for year in chosen:
                if (year, needs) not in facts_cache:
                    facts_cache[(year, needs)] = year_facts(tx, state.network_id, year, needs=set(needs),
                                                            reported=state.reported)
                result = tallies.assemble(rule, tallies.read(tx, strategy_id, code, year), facts_cache[(year, needs)],
                                          list(indicator["sources"]), indicator_code=code)
                tx.execute(f"DELETE FROM {VALUES_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ?",
                           (strategy_id, code, year))
                self._insert(tx, strategy_id, evaluation_rows(state, code, year, result))
            tx.execute(f"DELETE FROM {VALUES_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year NOT IN "
                       f"({', '.join('?' for _ in task_years)})", (strategy_id, code, *task_years))
            self._refresh_cumulative(tx, strategy_id, state, code)

    def _rebuild_tallies(self, tx: Tx, strategy_id: str, state: StrategyState, code: str,
                         changed: set[str] | None, years: list[int], upto: int | None) -> None:
        """Tallies of the indicator's record leaves that read what changed, from the current record versions."""
        rule = state.rules[code]["rule"]
        sources = list(state.indicators[code]["sources"])
        rebuilt = [(path, leaf) for path, leaf in tallies.leaves(rule)
                   if changed is None or dependencies(leaf) & changed]
        if not rebuilt:
            return
        if len(rebuilt) == len(list(tallies.leaves(rule))):
            every_year = len(years) == len(state.tasks[state.indicators[code]["task_code"]]["years"])
            tallies.clear(tx, strategy_id, code, None if every_year else years)
            evidence.clear(tx, strategy_id, code, None if every_year else years)
        else:
            tx.executemany(f"DELETE FROM {TALLY_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND leaf = ? "
                           "AND year = ?", [(strategy_id, code, path, y) for path, _ in rebuilt for y in years])
            evidence.clear(tx, strategy_id, code, years, [path for path, _ in rebuilt])
        base = year_facts(tx, state.network_id, 0, needs=_BASE_NEEDS)
        position = upto if upto is not None else _FAR
        deltas: dict[tuple[str, str, str, int, str, str], int] = {}
        shown = evidence.Changes()
        for year in years:
            kinds = sorted({leaf["record_kind"] for _, leaf in rebuilt})
            for record in tallies.current_facts(tx, state.network_id, year, kinds, position):
                for path, leaf in rebuilt:
                    if leaf["record_kind"] != record.kind:
                        continue
                    result = evidence.single(leaf, record, base, sources)
                    for scope, key, n in tallies.contribution(leaf, record, base, sources, result):
                        k = (strategy_id, code, path, year, scope, key)
                        deltas[k] = deltas.get(k, 0) + n
                    shown.note(strategy_id, code, path, year, record, result, 1)
        tallies.add(tx, deltas)
        shown.write(tx)

    @staticmethod
    def _insert(tx: Tx, strategy_id: str, rows: list[dict[str, Any]]) -> None:
        tx.executemany(
            f"INSERT INTO {VALUES_TABLE} (strategy_id, indicator_code, task_code, year, institution_id, source, "
            "target_json, actual_json, percent_json, cumulative_json, rule_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(strategy_id, r["indicator_code"], r["task_code"], r["year"], r["institution_id"], r["source"],
              None if r["target"] is None else json.dumps(r["target"]), json.dumps(r["actual"]),
              json.dumps(r["percent"]), json.dumps(r["cumulative"]), r["rule_version"]) for r in rows])

    @staticmethod
    def _refresh_cumulative(tx: Tx, strategy_id: str, state: StrategyState, code: str) -> None:
        rows = [{**r, "actual": json.loads(r["actual_json"])} for r in tx.execute(
            f"SELECT indicator_code, year, institution_id, source, actual_json FROM {VALUES_TABLE} "
            "WHERE strategy_id = ? AND indicator_code = ?", (strategy_id, code))]
        tx.executemany(
            f"UPDATE {VALUES_TABLE} SET cumulative_json = ? WHERE strategy_id = ? AND indicator_code = ? "
            "AND year = ? AND institution_id = ? AND source = ?",
            [(json.dumps(r["cumulative"]), strategy_id, code, r["year"], r["institution_id"], r["source"])
             for r in with_cumulative(state, code, rows)])


def _institution_network(tx: Tx, institution_id: Any) -> str | None:
    rows = tx.execute("SELECT network_id FROM registry_institutions WHERE id = ?", (str(institution_id),))
    return rows[0]["network_id"] if rows else None


def stored_rows(tx: Tx, task_code: str | None = None, *, strategy_id: str) -> list[dict[str, Any]]:
    """One strategy's stored values, decoded (what the read model holds now)."""
    sql = f"SELECT * FROM {VALUES_TABLE} WHERE strategy_id = ?"
    params: list[Any] = [str(strategy_id)]
    if task_code is not None:
        sql += " AND task_code = ?"
        params.append(task_code)
    out = []
    for r in tx.execute(sql + " ORDER BY indicator_code, year, institution_id, source", params):
        out.append({"indicator_code": r["indicator_code"], "task_code": r["task_code"], "year": r["year"],
                    "institution_id": r["institution_id"], "source": r["source"],
                    "target": None if r["target_json"] is None else json.loads(r["target_json"]),
                    "actual": json.loads(r["actual_json"]), "percent": json.loads(r["percent_json"]),
                    "cumulative": json.loads(r["cumulative_json"]), "rule_version": r["rule_version"]})
    return out
