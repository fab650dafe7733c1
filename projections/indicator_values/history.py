"""As-of tallies: the record tallies (tallies.py) as they stood at the end of every Warsaw recorded day.

An as-of report ("the values as they were known on day D") reads, for each indicator, the tally rows that
held at the end of D — one indexed query — instead of re-evaluating every record version known then.
`indicator_tally_days` keeps one row per strategy × indicator × year × leaf × scope × key × the Warsaw
day from which it held (`since`, ISO date) until the day it stopped holding (`until`, NULL while it holds):
a row holds at the end of D when `since <= D < until`. A day that changes a tally closes its row and opens
another; further changes the same day update that day's row, so the table grows with the days a tally
changed, not with the events.

What a record version contributes is computed as of the end of its recorded day: the strategy (rules,
indicators' sources, tasks' years) and the memberships and short names known then, exactly as the
recomputation `queries._report` did for that day. A change of what contributions depend on (a strategy
fact, a membership of the network, a rename) recomputes the strategy's tallies as of the end of that day
from the record versions known then (the bitemporal tables) and writes the rows that differ: rare.

It is a projection of its own (fed after the registry and the activity register, whose bitemporal tables
it reads), so that the indicator values' projection stays as it is. Days follow the events' timestamps;
a page's events are taken day by day, so a page may span days (a rebuild) and a day may span pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from domain.records import Record
from domain.registry import Institution, Network
from domain.strategy.model import Strategy
from domain.values import WARSAW
from projections.base import Tx, end_of_warsaw_day
from projections.indicator_values import tallies
from projections.indicator_values.compute import computable
from projections.indicator_values.facts import StrategyState, strategies_of_network, stored_versions, strategy_state, year_facts

HISTORY_TABLE = "indicator_tally_days"
_BASE_NEEDS = {"network_members", "cluster_members"}  # what a contribution reads beside the record
_CONTEXT_FACTS = (Strategy.Started, Strategy.TaskDefined, Strategy.IndicatorDefined, Strategy.RuleChanged)

Key = tuple[str, str, int, str, str, str]  # strategy, indicator, year, leaf, scope, tally key


def create_table(tx: Tx) -> None:
    tx.execute(f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} ("
               "strategy_id TEXT NOT NULL, indicator_code TEXT NOT NULL, year INTEGER NOT NULL, leaf TEXT NOT NULL, "
               "scope TEXT NOT NULL, tally_key TEXT NOT NULL, since TEXT NOT NULL, until TEXT, n INTEGER NOT NULL, "
               "PRIMARY KEY (strategy_id, indicator_code, year, leaf, scope, tally_key, since))"
               + (" WITHOUT ROWID" if tx.dialect == "sqlite" else ""))


def read_as_of(tx: Tx, strategy_id: str, codes: list[str], day: date) -> dict[str, dict[int, dict[str, dict[str, dict[str, int]]]]]:
    """indicator -> year -> leaf -> scope -> key -> n, as the tallies stood at the end of Warsaw day `day`."""
    out: dict[str, dict[int, dict[str, dict[str, dict[str, int]]]]] = {}
    if not codes:
        return out
    d = day.isoformat()
    marks = ", ".join("?" for _ in codes)
    for r in tx.execute(f"SELECT indicator_code, year, leaf, scope, tally_key, n FROM {HISTORY_TABLE} "
                        f"WHERE strategy_id = ? AND indicator_code IN ({marks}) AND since <= ? "
                        "AND (until IS NULL OR until > ?)", [str(strategy_id), *codes, d, d]):
        (out.setdefault(r["indicator_code"], {}).setdefault(r["year"], {}).setdefault(r["leaf"], {})
         .setdefault(r["scope"], {}))[r["tally_key"]] = r["n"]
    return out


def warsaw_day(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


class _Context:
    """What contributions read for one strategy as of the end of one day."""

    def __init__(self, tx: Tx, strategy_id: str, bound: str) -> None:
        self.state: StrategyState = strategy_state(tx, strategy_id, bound)
        self.leaves: dict[str, list[tuple[str, str, dict[str, Any], set[int], list[str]]]] = {}
        self.base = None
        if self.state.network_id is None:
            return
        for code in sorted(self.state.indicators):
            if not computable(self.state, code):
                continue
            indicator = self.state.indicators[code]
            years = set(self.state.tasks[indicator["task_code"]]["years"])
            for path, leaf in tallies.leaves(self.state.rules[code]["rule"]):
                self.leaves.setdefault(leaf["record_kind"], []).append(
                    (code, path, leaf, years, list(indicator["sources"])))
        self.base = year_facts(tx, self.state.network_id, 0, bound, needs=_BASE_NEEDS)


class _OpenRows:
    """The rows holding now (until IS NULL) of the cells touched, changed in memory and written at the end."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.rows: dict[Key, list[Any]] = {}  # key -> [n, since, in the table, changed]
        self.loaded_cells: set[tuple[str, str, int]] = set()
        self.loaded_strategies: set[str] = set()
        self.closes: list[tuple[str, int, Key, str]] = []  # (until, n, key, since) of stored rows
        self.inserts: list[tuple[Key, str, str | None, int]] = []
        self.deletes: list[tuple[Key, str]] = []

    def _take(self, rows: Iterable[dict[str, Any]]) -> None:
        for r in rows:
            key = (r["strategy_id"], r["indicator_code"], r["year"], r["leaf"], r["scope"], r["tally_key"])
            self.rows.setdefault(key, [r["n"], r["since"], True, False])

    def load_cells(self, cells: set[tuple[str, str, int]]) -> None:
        for cell in sorted(cells - self.loaded_cells):
            if cell[0] in self.loaded_strategies:
                continue
            self._take(self.tx.execute(
                "SELECT strategy_id, indicator_code, year, leaf, scope, tally_key, n, since FROM "
                f"{HISTORY_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ? AND until IS NULL", cell))
            self.loaded_cells.add(cell)

    def load_strategy(self, strategy_id: str) -> dict[Key, int]:
        if strategy_id not in self.loaded_strategies:
            self._take(self.tx.execute(
                "SELECT strategy_id, indicator_code, year, leaf, scope, tally_key, n, since FROM "
                f"{HISTORY_TABLE} WHERE strategy_id = ? AND until IS NULL", (strategy_id,)))
            self.loaded_strategies.add(strategy_id)
        return {k: v[0] for k, v in self.rows.items() if k[0] == strategy_id}

    def n(self, key: Key) -> int:
        row = self.rows.get(key)
        return row[0] if row else 0

    def set(self, key: Key, n: int, day: str) -> None:
        row = self.rows.get(key)
        if row is None:
            if n:
                self.rows[key] = [n, day, False, True]
            return
        if row[0] == n:
            return
        if row[1] >= day:  # the same day (or a clock gone back): the day's row changes in place
            if n:
                row[0], row[3] = n, True
            else:
                if row[2]:
                    self.deletes.append((key, row[1]))
                del self.rows[key]
            return
        if row[2]:  # its count may have changed earlier the same page: written with it
            self.closes.append((day, row[0], key, row[1]))
        else:
            self.inserts.append((key, row[1], day, row[0]))
        if n:
            self.rows[key] = [n, day, False, True]
        else:
            del self.rows[key]

    def write(self) -> None:
        tx = self.tx
        where = ("strategy_id = ? AND indicator_code = ? AND year = ? AND leaf = ? AND scope = ? AND tally_key = ? "
                 "AND since = ?")
        if self.deletes:
            tx.executemany(f"DELETE FROM {HISTORY_TABLE} WHERE {where}", [(*k, s) for k, s in self.deletes])
        if self.closes:
            tx.executemany(f"UPDATE {HISTORY_TABLE} SET until = ?, n = ? WHERE {where}",
                           [(u, n, *k, s) for u, n, k, s in self.closes])
        updates = [(row[0], *k, row[1]) for k, row in self.rows.items() if row[2] and row[3]]
        if updates:
            tx.executemany(f"UPDATE {HISTORY_TABLE} SET n = ? WHERE {where}", updates)
        inserts = self.inserts + [(k, row[1], None, row[0]) for k, row in self.rows.items() if not row[2] and row[3]]
        if inserts:
            tx.executemany(f"INSERT INTO {HISTORY_TABLE} (strategy_id, indicator_code, year, leaf, scope, tally_key, "
                           "since, until, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(*k, since, until, n) for k, since, until, n in inserts])


class IndicatorHistoryProjection:
    """Keeps `indicator_tally_days` (see the module's docstring); `handle` notes, `flush` writes per page."""

    name = "indicator_history"
    version = 1
    tables = (HISTORY_TABLE,)

    def __init__(self) -> None:
        self.discard()

    def discard(self) -> None:
        # (day, what): ("record", record id, event's version, version it brings or None) | ("strategy", id)
        # | ("network", id)
        self._notes: list[tuple[date, tuple[Any, ...]]] = []
        self._upto = 0  # the page's last position

    def create_tables(self, tx: Tx) -> None:
        create_table(tx)

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        self._upto = max(self._upto, notification_id)
        if isinstance(event, (Record.Created, Record.Corrected)):
            note: tuple[Any, ...] = ("record", str(event.originator_id), event.originator_version,
                                     event.originator_version)
        elif isinstance(event, Record.Retracted):
            note = ("record", str(event.originator_id), event.originator_version, None)
        elif isinstance(event, _CONTEXT_FACTS):
            note = ("strategy", str(event.originator_id))
        elif isinstance(event, (Network.InstitutionJoined, Network.InstitutionLeft)):
            note = ("network", str(event.originator_id))
        elif isinstance(event, Institution.Renamed):
            rows = tx.execute("SELECT network_id FROM registry_institutions WHERE id = ?", (str(event.originator_id),))
            if not rows:
                return
            note = ("network", rows[0]["network_id"])
        else:
            return
        self._notes.append((warsaw_day(event.timestamp), note))

    def flush(self, tx: Tx) -> None:
        notes = sorted(self._notes, key=lambda n: n[0])  # stable: the log's order within a day
        upto = self._upto
        self.discard()
        if not notes:
            return
        rows = _OpenRows(tx)
        versions = _replaced_versions(tx, [(k, n) for k, (_, n) in enumerate(notes) if n[0] == "record"])
        facts = tallies.version_facts(tx, {(r, v) for r, g, c in versions.values() for v in (g, c) if v is not None})
        i = 0
        while i < len(notes):
            day = notes[i][0]
            j = i
            while j < len(notes) and notes[j][0] == day:
                j += 1
            self._day(tx, rows, day, [(k, n) for k, (_, n) in enumerate(notes[i:j], start=i)], versions, facts, upto)
            i = j
        rows.write()

    def _day(self, tx: Tx, rows: _OpenRows, day: date, notes: list[tuple[int, tuple[Any, ...]]],
             versions: dict[int, tuple[str, int | None, int | None]], facts: dict[Any, tuple[str, Any]],
             upto: int) -> None:
        bound, d = end_of_warsaw_day(day), day.isoformat()
        contexts: dict[str, _Context] = {}
        measuring: dict[str, list[str]] = {}

        def context(strategy_id: str) -> _Context:
            if strategy_id not in contexts:
                contexts[strategy_id] = _Context(tx, strategy_id, bound)
            return contexts[strategy_id]

        def strategies(network_id: str) -> list[str]:
            if network_id not in measuring:
                measuring[network_id] = strategies_of_network(tx, network_id, bound)
            return measuring[network_id]

        recomputed: set[str] = set()
        for _, note in notes:
            if note[0] == "strategy":
                recomputed.add(note[1])
            elif note[0] == "network":
                recomputed.update(strategies(note[1]))
        for strategy_id in sorted(recomputed):
            ctx = context(strategy_id)
            now = rows.load_strategy(strategy_id)
            full = _full_tallies(tx, strategy_id, ctx, bound, upto)
            for key in sorted(set(now) | set(full)):
                rows.set(key, full.get(key, 0), d)
        deltas: dict[Key, int] = {}
        for index, note in notes:
            if note[0] != "record":
                continue
            record_id, gone, came = versions[index]
            for version, sign in ((gone, -1), (came, 1)):
                if version is None or (record_id, version) not in facts:
                    continue
                network_id, record = facts[(record_id, version)]
                year = record.occurred_on.year
                for strategy_id in strategies(network_id):
                    if strategy_id in recomputed:  # its tallies as of this day already count every version
                        continue
                    ctx = context(strategy_id)
                    for code, path, leaf, years, sources in ctx.leaves.get(record.kind, ()):
                        if year not in years:
                            continue
                        for scope, key, n in tallies.contribution(leaf, record, ctx.base, sources):
                            k = (strategy_id, code, year, path, scope, key)
                            deltas[k] = deltas.get(k, 0) + sign * n
        rows.load_cells({k[:3] for k in deltas})
        for key in sorted(deltas):
            if deltas[key]:
                rows.set(key, rows.n(key) + deltas[key], d)


def _replaced_versions(tx: Tx, notes: list[tuple[int, tuple[Any, ...]]]) -> dict[int, tuple[str, int | None, int | None]]:
    """For each record note (by its place among the page's notes): (record, the version it replaces or None,
    the version it brings or None) — the replaced one is the record's latest version before the event's (in
    this page, or stored), as the indicator values' projection finds it."""
    stored = stored_versions(tx, sorted({n[1] for _, n in notes}))
    latest: dict[str, int | None] = {}
    out: dict[int, tuple[str, int | None, int | None]] = {}
    for index, (_, record_id, event_version, came) in notes:
        if record_id not in latest:
            older = [v for v in stored.get(record_id, []) if v < event_version]
            latest[record_id] = max(older) if older else None
        out[index] = (record_id, latest[record_id], came)
        latest[record_id] = came
    return out


def _full_tallies(tx: Tx, strategy_id: str, ctx: _Context, bound: str, upto: int) -> dict[Key, int]:
    """Every tally of the strategy from the record versions known at `bound` (of the log up to `upto`: this
    read model may be behind the activity register, when only it is rebuilt), as of `bound`."""
    out: dict[Key, int] = {}
    if ctx.state.network_id is None or not ctx.leaves:
        return out
    years = sorted(set().union(*(y for entries in ctx.leaves.values() for _, _, _, y, _ in entries)))
    kinds = sorted(ctx.leaves)
    for year in years:
        for record in tallies.current_facts(tx, ctx.state.network_id, year, kinds, upto, bound):
            for code, path, leaf, task_years, sources in ctx.leaves.get(record.kind, ()):
                if year not in task_years:
                    continue
                for scope, key, n in tallies.contribution(leaf, record, ctx.base, sources):
                    k = (strategy_id, code, year, path, scope, key)
                    out[k] = out.get(k, 0) + n
    return {k: n for k, n in out.items() if n}
