"""Indicator values kept incrementally: what each record version adds to the rules that count records.

A count (`count`, `count_shared`) or `distinct_count` rule — alone, or a condition of a boolean or a
part of a ratio ("a leaf") — is kept as tallies per strategy × indicator × leaf × year × scope
(`""` the network, `i:<id>` an institution's own view, `s:<name>` a source) × key (`""` for a count;
for a distinct count the key counted, with how many matching records carry it). A new record version
adds its contribution, the version it replaces takes its contribution away: what one record version
contributes is the domain's own `evaluate` over that record alone, so the rules stay the domain's.
A value is then read from a handful of tally rows, whatever the size of the log; gauges and reported
values (memberships and a strategy's own entries, both small) are evaluated from their facts as
before, and booleans and ratios combined from their parts exactly as `domain.strategy.rules` does.

When what a contribution depends on changes (memberships for `min_network_institutions`, a rename of
an institution — sources go by short name —, the rule itself) the indicator's tallies are rebuilt from
the record versions current at the page's last position (`upto`), which is rare.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Iterable, Iterator

from domain.strategy.rules import (
    COUNT_KINDS,
    Evaluation,
    RecordFact,
    YearFacts,
    dependencies,
    evaluate,
    has_institution_view,
    matching_records,
)
from domain.strategy.values import NO_DATA, is_number, number
from projections.base import Tx

TALLY_TABLE = "indicator_tallies"
RECORD_LEAVES = (*COUNT_KINDS, "distinct_count")
ROOT = "r"
NETWORK, INSTITUTION, SOURCE = "", "i:", "s:"


def create_table(tx: Tx) -> None:
    tx.execute(f"CREATE TABLE IF NOT EXISTS {TALLY_TABLE} ("
               "strategy_id TEXT NOT NULL, indicator_code TEXT NOT NULL, leaf TEXT NOT NULL, year INTEGER NOT NULL, "
               "scope TEXT NOT NULL, tally_key TEXT NOT NULL, n INTEGER NOT NULL, "
               "PRIMARY KEY (strategy_id, indicator_code, year, leaf, scope, tally_key))"
               + (" WITHOUT ROWID" if tx.dialect == "sqlite" else ""))


def leaves(rule: dict[str, Any], path: str = ROOT) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, rule) of every record leaf of a rule."""
    kind = rule["kind"]
    if kind in RECORD_LEAVES:
        yield path, rule
    elif kind == "boolean":
        for i, condition in enumerate(rule["conditions"]):
            yield from leaves(condition["rule"], f"{path}.c{i}")
    elif kind == "ratio":
        yield from leaves(rule["numerator"], f"{path}.n")
        yield from leaves(rule["denominator"], f"{path}.d")


def non_record_needs(rule: dict[str, Any]) -> set[str]:
    """What the rule's other parts (gauges, reported values) read."""
    kind = rule["kind"]
    if kind in RECORD_LEAVES:
        return set()
    if kind == "boolean":
        return set().union(*(non_record_needs(c["rule"]) for c in rule["conditions"]))
    if kind == "ratio":
        return non_record_needs(rule["numerator"]) | non_record_needs(rule["denominator"])
    return dependencies(rule) - {"reported"}


# ---------------------------------------------------------------------------------------------- contributions
def contribution(leaf: dict[str, Any], record: RecordFact, base: YearFacts, sources: list[str],
                 result: Evaluation | None = None) -> list[tuple[str, str, int]]:
    """(scope, key, n) that one record version adds to a leaf in its year; [] when it does not count.
    `result`: the leaf's evaluation over that record alone, when the caller has it already."""
    if result is None:
        result = evaluate(leaf, replace(base, year=record.occurred_on.year, records=[record]), sources=sources)
    if leaf["kind"] in COUNT_KINDS:
        if not result.evidence:
            return []
        return ([(NETWORK, "", 1)] + [(INSTITUTION + i, "", v) for i, v in result.by_institution.items()]
                + [(SOURCE + s, "", v) for s, v in result.by_source.items() if v])
    if not result.evidence:  # distinct_count: no match, or a match without keys
        return []
    item = result.evidence[0]
    keys = sorted({base.firm_keys.get(f, f"id:{f}") for f in record.firm_ids} if leaf["key"] == "firm"
                  else set(record.institution_ids))
    scopes = [NETWORK, *(INSTITUTION + i for i in dict.fromkeys(item.institution_ids)),
              *(SOURCE + s for s in item.sources)]
    return [(scope, key, 1) for scope in scopes for key in keys]


def add(tx: Tx, deltas: dict[tuple[str, str, str, int, str, str], int]) -> None:
    """Adds (strategy, code, leaf, year, scope, key) -> n to the tallies; rows that reach 0 are removed."""
    rows = [(*k, n) for k, n in deltas.items() if n]
    if not rows:
        return
    tx.executemany(f"INSERT INTO {TALLY_TABLE} (strategy_id, indicator_code, leaf, year, scope, tally_key, n) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (strategy_id, indicator_code, year, leaf, scope, "
                   f"tally_key) DO UPDATE SET n = {TALLY_TABLE}.n + excluded.n", rows)
    emptied = [r[:6] for r in rows if r[6] < 0]
    if emptied:
        tx.executemany(f"DELETE FROM {TALLY_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND leaf = ? "
                       "AND year = ? AND scope = ? AND tally_key = ? AND n = 0", emptied)


def clear(tx: Tx, strategy_id: str, code: str, years: Iterable[int] | None = None) -> None:
    if years is None:
        tx.execute(f"DELETE FROM {TALLY_TABLE} WHERE strategy_id = ? AND indicator_code = ?", (strategy_id, code))
    else:
        tx.executemany(f"DELETE FROM {TALLY_TABLE} WHERE strategy_id = ? AND indicator_code = ? AND year = ?",
                       [(strategy_id, code, y) for y in years])


# ---------------------------------------------------------------------------------------------- record versions
def version_facts(tx: Tx, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, RecordFact]]:
    """(record id, version) -> (network id, RecordFact) of stored record versions."""
    wanted = set(keys)
    record_ids = sorted({r for r, _ in wanted})
    versions: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    for chunk in _chunks(record_ids, 400):
        marks = ", ".join("?" for _ in chunk)
        versions += tx.execute("SELECT record_id, version, kind, subkind, network_id, occurred_on, "
                               f"owner_institution_id, title FROM activity_versions WHERE record_id IN ({marks})",
                               chunk)
        parties += tx.execute("SELECT record_id, version, party_type, party_id, role FROM activity_parties "
                              f"WHERE record_id IN ({marks}) ORDER BY record_id, version, role DESC, party_id", chunk)
    return _facts([v for v in versions if (v["record_id"], v["version"]) in wanted], parties)


def current_facts(tx: Tx, network_id: str, year: int, kinds: list[str], upto: int,
                  bound: str | None = None) -> list[RecordFact]:
    """The record versions of a network's year current at log position `upto`; with `bound` (a recorded
    time), those of them known at `bound` (recorded before it, not closed before it)."""
    marks = ", ".join("?" for _ in kinds)
    where = (f"v.network_id = ? AND v.year = ? AND v.kind IN ({marks}) AND v.notification_id <= ? "
             "AND (v.closed_by IS NULL OR v.closed_by > ?")
    params: list[Any] = [network_id, year, *kinds, upto, upto]
    if bound is None:
        where += ")"
    else:
        where += " OR v.recorded_to >= ?) AND v.recorded_from < ?"
        params += [bound, bound]
    versions = tx.execute("SELECT v.record_id, v.version, v.kind, v.subkind, v.network_id, v.occurred_on, "
                          f"v.owner_institution_id, v.title FROM activity_versions v WHERE {where}", params)
    parties = tx.execute("SELECT p.record_id, p.version, p.party_type, p.party_id, p.role FROM activity_parties p "
                         "JOIN activity_versions v ON v.record_id = p.record_id AND v.version = p.version "
                         f"WHERE {where} ORDER BY p.record_id, p.version, p.role DESC, p.party_id", params)
    return [fact for _, fact in _facts(versions, parties).values()]


def _facts(versions: list[dict[str, Any]], parties: list[dict[str, Any]]) -> dict[tuple[str, int], tuple[str, RecordFact]]:
    """RecordFacts built as `facts._records` builds them (the owner first, then the other institutions)."""
    by_version: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for p in parties:
        by_version.setdefault((p["record_id"], p["version"]), []).append(p)
    out = {}
    for v in versions:
        key = (v["record_id"], v["version"])
        mine = by_version.get(key, [])
        owner = v["owner_institution_id"]
        institutions = [owner] + [p["party_id"] for p in mine if p["party_type"] == "institution" and p["party_id"] != owner]
        out[key] = (v["network_id"], RecordFact(
            record_id=v["record_id"], version=v["version"], kind=v["kind"], subkind=v["subkind"],
            occurred_on=date.fromisoformat(v["occurred_on"]), owner_institution_id=owner,
            institution_ids=tuple(institutions),
            firm_ids=tuple(p["party_id"] for p in mine if p["party_type"] == "firm"), title=v["title"]))
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------------------------------------- values
def read(tx: Tx, strategy_id: str, code: str, year: int) -> dict[str, dict[str, dict[str, int]]]:
    """leaf -> scope -> key -> n (> 0) of one indicator's year."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in tx.execute(f"SELECT leaf, scope, tally_key, n FROM {TALLY_TABLE} WHERE strategy_id = ? "
                        "AND indicator_code = ? AND year = ? AND n > 0", (strategy_id, code, year)):
        out.setdefault(r["leaf"], {}).setdefault(r["scope"], {})[r["tally_key"]] = r["n"]
    return out


def leaf_evaluation(leaf: dict[str, Any], scopes: dict[str, dict[str, int]], sources: list[str]) -> Evaluation:
    """A leaf's value and breakdowns (no evidence) from its tallies — what `evaluate` gives over the year."""
    if leaf["kind"] in COUNT_KINDS:
        def size(keys: dict[str, int]) -> int:
            return keys.get("", 0)
    else:
        def size(keys: dict[str, int]) -> int:
            return len(keys)
    by_institution = {scope[len(INSTITUTION):]: size(keys) for scope, keys in scopes.items()
                      if scope.startswith(INSTITUTION) and size(keys)}
    return Evaluation(size(scopes.get(NETWORK, {})), dict(sorted(by_institution.items())),
                      {s: size(scopes.get(SOURCE + s, {})) for s in sources})


def assemble(rule: dict[str, Any], tallies: dict[str, dict[str, dict[str, int]]], facts: YearFacts,
             sources: list[str], *, indicator_code: str = "", path: str = ROOT) -> Evaluation:
    """The rule's evaluation (no evidence): record leaves from their tallies, gauges and reported values
    evaluated over `facts` (which hold no records), booleans and ratios combined as the domain's rules
    combine them (domain/strategy/rules.py `_boolean`, `_ratio`)."""
    kind = rule["kind"]
    if kind in RECORD_LEAVES:
        return leaf_evaluation(rule, tallies.get(path, {}), sources)
    if kind == "boolean":
        conditions = rule["conditions"]
        parts = [assemble(c["rule"], tallies, facts, sources, path=f"{path}.c{i}") for i, c in enumerate(conditions)]

        def holds(values: list[Any]) -> Any:
            if any(v is None for v in values):
                return None
            if not all(is_number(v) for v in values):
                return NO_DATA
            return 1 if all(v >= c["at_least"] for v, c in zip(values, conditions)) else 0

        by_institution: dict[str, Any] = {}
        if has_institution_view(rule):
            for institution_id in sorted(set().union(*(p.by_institution for p in parts))):
                by_institution[institution_id] = holds([p.by_institution.get(institution_id, 0) for p in parts])
        return Evaluation(holds([p.value for p in parts]), by_institution,
                          {s: holds([p.by_source.get(s) for p in parts]) for s in sources})
    if kind == "ratio":
        top = assemble(rule["numerator"], tallies, facts, sources, path=f"{path}.n")
        bottom = assemble(rule["denominator"], tallies, facts, sources, path=f"{path}.d")
        scale = 100 if rule["percent"] else 1

        def divide(a: Any, b: Any) -> Any:
            if not is_number(a) or not is_number(b) or b == 0:
                return NO_DATA
            return number(round(a / b * scale, 4))

        by_institution = {i: v for i, d in bottom.by_institution.items()
                          if is_number(v := divide(top.by_institution.get(i, 0), d))}
        return Evaluation(divide(top.value, bottom.value), by_institution,
                          {s: divide(top.by_source.get(s, 0), bottom.by_source.get(s, 0)) for s in sources})
    return evaluate(rule, facts, indicator_code=indicator_code, sources=sources)
