"""Reading what the rules need from the bitemporal tables, now or as known at a recorded time.

`bound` is None for "now" (rows whose `recorded_to` is NULL) or a recorded-time bound from
`projections.base.end_of_warsaw_day(as_of)`: the rows as known just before that instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.strategy.rules import MembershipFact, RecordFact, ReportedFact, YearFacts
from projections.base import Tx

STRATEGY_TABLE = "strategy_versions"


def visible(alias: str, bound: str | None) -> tuple[str, list[Any]]:
    """SQL condition (and its parameters) selecting the rows known at `bound` (None = now)."""
    prefix = f"{alias}." if alias else ""
    if bound is None:
        return f"{prefix}recorded_to IS NULL", []
    return (f"{prefix}recorded_from < ? AND ({prefix}recorded_to IS NULL OR {prefix}recorded_to >= ?)",
            [bound, bound])


# ---------------------------------------------------------------------------------------------- strategy
@dataclass
class StrategyState:
    """The strategy as known at one recorded time."""

    head: dict[str, Any] | None = None
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    stages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    progress: dict[str, dict[str, float]] = field(default_factory=dict)  # task -> "stage:year" -> realised
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {"rule", "version", "since"}
    reported: dict[str, list[ReportedFact]] = field(default_factory=dict)

    @property
    def network_id(self) -> str | None:
        return self.head["network_id"] if self.head else None

    def indicators_of(self, task_code: str) -> list[dict[str, Any]]:
        return sorted((i for i in self.indicators.values() if i["task_code"] == task_code),
                      key=lambda i: natural_key(i["code"]))


def natural_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else (p[0], int(p[1:])) if p[1:].isdigit() else p for p in code.split("."))


def strategy_state(tx: Tx, strategy_id: str, bound: str | None = None) -> StrategyState:
    """One strategy (the Strategy aggregate's id) as known at `bound` (None = now)."""
    condition, params = visible("", bound)
    rows = tx.execute(f"SELECT fact, fact_key, body, recorded_from, recorded_by FROM {STRATEGY_TABLE} "
                      f"WHERE strategy_id = ? AND {condition} ORDER BY notification_id", [str(strategy_id), *params])
    state = StrategyState()
    for row in rows:
        body = json.loads(row["body"])
        fact, key = row["fact"], row["fact_key"]
        if fact == "strategy":
            state.head = body
        elif fact == "goal":
            state.goals[key] = body
        elif fact == "programme":
            state.programmes[key] = body
        elif fact == "task":
            state.tasks[key] = body
        elif fact == "stages":
            state.stages[key] = body
        elif fact == "progress":
            task_code, stage_year = key.split("|", 1)
            state.progress.setdefault(task_code, {})[stage_year] = body["realised"]
        elif fact == "indicator":
            state.indicators[key] = body
        elif fact == "targets":
            state.targets[key] = body
        elif fact == "rule":
            state.rules[key] = {**body, "since": row["recorded_from"]}
        elif fact == "reported":
            code = key.split("|", 1)[0]
            state.reported.setdefault(code, []).append(ReportedFact(
                year=body["year"], source=body["source"], value=body["value"], note=body["note"],
                recorded_by=row["recorded_by"], recorded_from=row["recorded_from"]))
    return state


def strategy_heads(tx: Tx, bound: str | None = None) -> list[dict[str, Any]]:
    """Every strategy known at `bound`: {strategy_id, name, network_id}, in the order they were started."""
    condition, params = visible("", bound)
    rows = tx.execute(f"SELECT strategy_id, body FROM {STRATEGY_TABLE} WHERE fact = 'strategy' AND {condition} "
                      "ORDER BY notification_id", params)
    return [{"strategy_id": r["strategy_id"], **json.loads(r["body"])} for r in rows]


def strategies_of_network(tx: Tx, network_id: str, bound: str | None = None) -> list[str]:
    """The ids of the strategies that measure `network_id` (its records and memberships)."""
    return [h["strategy_id"] for h in strategy_heads(tx, bound) if h["network_id"] == str(network_id)]


# ---------------------------------------------------------------------------------------------- records
def year_facts(tx: Tx, network_id: str, year: int, bound: str | None = None, *,
               needs: set[str] | None = None, reported: dict[str, list[ReportedFact]] | None = None) -> YearFacts:
    """Everything the rules read for `year`. `needs` (see rules.dependencies) limits what is loaded."""
    needs = needs if needs is not None else {"record:*", "network_members", "cluster_members"}
    facts = YearFacts(year=year, reported=reported or {})
    record_kinds = sorted(n.split(":", 1)[1] for n in needs if n.startswith("record:"))
    if record_kinds:
        facts.records = _records(tx, network_id, year, bound, record_kinds)
    if "network_members" in needs:
        facts.network_members = _memberships(tx, "registry_network_members", "network_id", "institution_id",
                                             bound, "m.network_id = ?", [network_id])
    if "cluster_members" in needs:
        facts.cluster_members = _memberships(
            tx, "registry_cluster_members", "cluster_id", "firm_id", bound,
            "m.cluster_id IN (SELECT id FROM registry_institutions WHERE network_id = ?)", [network_id])
        facts.firm_keys = {r["id"]: r["firm_key"] for r in tx.execute(
            "SELECT id, firm_key FROM registry_firms WHERE network_id = ?", (network_id,))}
    facts.institution_sources = institution_sources(tx, network_id, bound)
    facts.coordinators = {r["id"]: r["coordinator_id"] for r in tx.execute(
        "SELECT id, coordinator_id FROM registry_institutions WHERE network_id = ? AND coordinator_id IS NOT NULL",
        (network_id,))}
    return facts


def _records(tx: Tx, network_id: str, year: int, bound: str | None, kinds: list[str]) -> list[RecordFact]:
    condition, params = visible("v", bound)
    kind_filter = "" if "*" in kinds else f" AND v.kind IN ({', '.join('?' for _ in kinds)})"
    kind_params = [] if "*" in kinds else kinds
    where = f"v.network_id = ? AND v.year = ?{kind_filter} AND {condition}"
    all_params = [network_id, year, *kind_params, *params]
    versions = tx.execute(
        "SELECT v.record_id, v.version, v.kind, v.subkind, v.occurred_on, v.owner_institution_id, v.title "
        f"FROM activity_versions v WHERE {where}", all_params)
    parties: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in tx.execute(
            "SELECT p.record_id, p.version, p.party_type, p.party_id, p.role FROM activity_parties p "
            "JOIN activity_versions v ON v.record_id = p.record_id AND v.version = p.version "
            f"WHERE {where} ORDER BY p.record_id, p.role DESC, p.party_id", all_params):
        parties.setdefault((row["record_id"], row["version"]), []).append(row)
    out = []
    for v in versions:
        mine = parties.get((v["record_id"], v["version"]), [])
        owner = v["owner_institution_id"]
        institutions = [owner] + [p["party_id"] for p in mine
                                  if p["party_type"] == "institution" and p["party_id"] != owner]
        out.append(RecordFact(
            record_id=v["record_id"], version=v["version"], kind=v["kind"], subkind=v["subkind"],
            occurred_on=date.fromisoformat(v["occurred_on"]), owner_institution_id=owner,
            institution_ids=tuple(institutions),
            firm_ids=tuple(p["party_id"] for p in mine if p["party_type"] == "firm"),
            title=v["title"],
        ))
    return out


def _memberships(tx: Tx, table: str, group: str, member: str, bound: str | None, where: str,
                 params: list[Any]) -> list[MembershipFact]:
    condition, bound_params = visible("m", bound)
    rows = tx.execute(f"SELECT m.{group} AS group_id, m.{member} AS member_id, m.joined_on, m.left_on "
                      f"FROM {table} m WHERE {where} AND {condition}", [*params, *bound_params])
    return [MembershipFact(r["group_id"], r["member_id"], date.fromisoformat(r["joined_on"]),
                           date.fromisoformat(r["left_on"]) if r["left_on"] else None) for r in rows]


def institution_sources(tx: Tx, network_id: str, bound: str | None = None) -> dict[str, frozenset[str]]:
    """Which data sources an institution reports for: its own short name and, for a cluster, the
    short name of the institution that runs it (the food cluster reports through LCB). Names as
    known at `bound` (None = now), so a rename leaves earlier as-of reports as they were."""
    rows = tx.execute("SELECT id, short_name, coordinator_id FROM registry_institutions WHERE network_id = ?",
                      (network_id,))
    if bound is not None:
        as_of = short_names_as_of(tx, bound)
        rows = [{**r, "short_name": as_of[r["id"]]} for r in rows if r["id"] in as_of]
    names = {r["id"]: r["short_name"].lower() for r in rows}
    return {r["id"]: frozenset({names[r["id"]], *([names[r["coordinator_id"]]]
                                                  if r["coordinator_id"] in names else [])}) for r in rows}


def institution_names(tx: Tx, bound: str | None = None) -> dict[str, str]:
    names = {r["id"]: r["short_name"] for r in tx.execute("SELECT id, short_name FROM registry_institutions")}
    return names if bound is None else {**names, **short_names_as_of(tx, bound)}


def short_names_as_of(tx: Tx, bound: str) -> dict[str, str]:
    condition, params = visible("", bound)
    return {r["id"]: r["short_name"] for r in tx.execute(
        f"SELECT id, short_name FROM registry_institution_names WHERE {condition}", params)}


def stored_versions(tx: Tx, record_ids: list[str]) -> dict[str, list[int]]:
    """Each record's versions the activity register holds (in chunks of 400 ids: SQLite's parameter limit)."""
    stored: dict[str, list[int]] = {}
    for i in range(0, len(record_ids), 400):
        chunk = record_ids[i:i + 400]
        for row in tx.execute("SELECT record_id, version FROM activity_versions "
                              f"WHERE record_id IN ({', '.join('?' for _ in chunk)})", chunk):
            stored.setdefault(row["record_id"], []).append(row["version"])
    return stored
