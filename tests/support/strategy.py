"""A small network to compute indicators over: institutions with fixed ids, two clusters, firms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.strategy.use_cases import STRATEGY_ID
from domain.values import Actor, stable_id
from infra.container import Container
from tests.factories import valid_nip  # noqa: F401 - re-exported for the strategy tests

STAFF = Actor(user_id="staff@example.org")
SID = str(STRATEGY_ID)  # the default strategy, loaded into every test store by bootstrap
INSTITUTIONS = [("WPiR", "city_department"), ("RIPH", "chamber"), ("CITT", "innovation_centre"),
                ("LCB", "business_centre"), ("PUP", "labour_office")]
CLUSTERS = [("KS", "LCB"), ("KB", "WPiR")]  # food cluster run by LCB, construction cluster run by WPiR


@dataclass
class Network:
    container: Container
    network_id: UUID
    ids: dict[str, UUID] = field(default_factory=dict)
    firms: list[UUID] = field(default_factory=list)

    @property
    def app(self):
        return self.container.app

    def catch_up(self) -> None:
        self.container.runner.catch_up()

    # ------------------------------------------------------------------ records
    def meeting(self, day: date, organiser: str, *others: str, firms: int = 0, kind: str = "network_meeting"):
        return self.app.records.record("meeting", {
            "network_id": self.network_id, "occurred_on": day, "title": f"Spotkanie {day}", "kind": kind,
            "organiser_id": self.ids[organiser], "institution_ids": [self.ids[o] for o in others],
            "firm_ids": self.firms[:firms],
        }, STAFF)

    def contact(self, day: date, institution: str, with_institution: str):
        return self.app.records.record("contact", {
            "network_id": self.network_id, "occurred_on": day, "institution_id": self.ids[institution],
            "with_institution_id": self.ids[with_institution], "channel": "phone", "summary": f"Kontakt {day}",
        }, STAFF)

    def information(self, day: date, sender: str, firms: int = 1, institutions: tuple[str, ...] = ()):
        return self.app.records.record("information_exchange", {
            "network_id": self.network_id, "occurred_on": day, "from_institution_id": self.ids[sender],
            "to_institution_ids": [self.ids[i] for i in institutions], "to_firm_ids": self.firms[:firms],
            "subject": f"Informacja {day}", "channel": "email",
        }, STAFF)

    def conclusion(self, day: date, kind: str, *institutions: str):
        return self.app.records.record("conclusion", {
            "network_id": self.network_id, "occurred_on": day, "title": f"Wnioski {day}", "kind": kind,
            "institution_ids": [self.ids[i] for i in institutions],
        }, STAFF)

    def join_cluster(self, cluster: str, firm: int, day: date):
        return self.app.registry.join_cluster(cluster_id=self.ids[cluster], firm_id=self.firms[firm], joined_on=day,
                                              actor=STAFF)

    def leave_cluster(self, cluster: str, firm: int, day: date):
        return self.app.registry.leave_cluster(cluster_id=self.ids[cluster], firm_id=self.firms[firm], left_on=day,
                                               actor=STAFF)


def build_network(container: Container, network_id: UUID, *, firms: int = 4,
                  joined_on: date = date(2009, 1, 1), members: tuple[str, ...] | None = None,
                  scope: str = "") -> Network:
    """Institutions (fixed ids, so two stores can be compared), clusters and firms; the institutions
    in `members` (default all) join the network on `joined_on`. A second network in the same store
    gives a `scope` of its own (the ids are then distinct; the short names and NIPs are the same)."""
    app = container.app
    net = Network(container, network_id)

    def fixed_id(kind: str, name: str) -> UUID:
        return stable_id(kind, scope, name) if scope else stable_id(kind, name)

    for short, kind in INSTITUTIONS:
        net.ids[short] = fixed_id("test-institution", short)
        app.registry.register_institution(network_id=network_id, name=f"Instytucja {short}", short_name=short, kind=kind,
                                           actor=STAFF, id=net.ids[short])
    for short, runner in CLUSTERS:
        net.ids[short] = fixed_id("test-institution", short)
        app.registry.register_institution(network_id=network_id, name=f"Klaster {short}", short_name=short, kind="cluster",
                                          coordinator_id=net.ids[runner], actor=STAFF, id=net.ids[short])
    for short in members if members is not None else [s for s, _ in INSTITUTIONS]:
        app.registry.join_network(network_id=network_id, institution_id=net.ids[short], joined_on=joined_on, actor=STAFF)
    for n in range(firms):
        firm_id = fixed_id("test-firm", str(n))
        app.registry.register_firm(network_id=network_id, name=f"Firma {n}", nip=valid_nip(n), regon=None, actor=STAFF,
                                   id=firm_id)
        net.firms.append(firm_id)
    return net


def totals(tx: Any, indicator_code: str, *, strategy_id: str = SID) -> dict[int, Any]:
    """Network totals of one indicator by year, as the read model holds them."""
    from projections.indicator_values.projection import stored_rows

    return {r["year"]: r["actual"] for r in stored_rows(tx, strategy_id=strategy_id)
            if r["indicator_code"] == indicator_code and r["institution_id"] == "" and r["source"] == ""}


def start_strategy(app: Any, *, strategy_id: UUID, network_id: UUID, text: str | None = None) -> None:
    """Saves a Strategy aggregate of its own for `network_id`, from a strategy file's text (default: the
    shipped Leszno file), as a second municipality loading the same file would have it: same codes,
    another strategy."""
    from domain.strategy.model import Strategy
    from domain.strategy.use_cases import (
        normalise_goal,
        normalise_indicator,
        normalise_programme,
        normalise_stages,
        normalise_task,
        plan_of,
    )
    from infra.strategy_loader import default_strategy_text, parse_strategy

    document = parse_strategy(text if text is not None else default_strategy_text())
    strategy = Strategy.start(id=strategy_id, name=document["strategy"]["name"], network_id=network_id, actor=STAFF)
    for goal in document.get("goals", []):
        strategy.define_goal(normalise_goal(goal), STAFF)
    for programme in document.get("programmes", []):
        strategy.define_programme(normalise_programme(programme), STAFF)
    for task in document.get("tasks", []):
        normalised = normalise_task(task)
        strategy.define_task(normalised, STAFF)
        stages = normalise_stages(task.get("stages", []))
        if stages:
            strategy.plan_stages(normalised["code"], plan_of(stages), "plan", STAFF)
        for stage in stages:
            for year, realised in stage["realised"].items():
                strategy.report_stage_progress(normalised["code"], stage["number"], int(year), realised, "", STAFF)
        for indicator in task.get("indicators", []):
            definition, targets, rule = normalise_indicator({**indicator, "task_code": normalised["code"]})
            strategy.define_indicator(definition, STAFF)
            strategy.set_targets(definition["code"], targets, "cele", STAFF)
            strategy.change_rule(definition["code"], rule, "reguła", STAFF)
    app.save(strategy)


def value(container: Container, indicator_code: str, year: int) -> Any:
    container.runner.catch_up()
    with container.views.transaction() as tx:
        return totals(tx, indicator_code)[year]
