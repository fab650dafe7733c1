"""Two municipalities in one store, each with its own network and its own copy of the Leszno strategy
(same task and indicator codes, different strategy ids): each strategy counts only its own network."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import NotFound
from domain.strategy.model import Strategy
from domain.values import Actor, stable_id, warsaw_today
from projections.audit_trail.reports import year_report
from projections.indicator_values.projection import IndicatorValuesProjection, stored_rows
from projections.indicator_values.queries import (
    indicator_events,
    list_publications,
    list_strategies,
    list_tasks,
    published_report,
    task_report,
)
from tests.support.strategy import SID, STAFF, build_network, start_strategy, totals

CONTACTS = "III.1.3.W2"
NETWORK_MEETINGS = "III.1.3.W3"
CLUSTER_FIRMS = "I.3.5.W3"
MUNICIPALITY_B = stable_id("test-municipality", "B")
NETWORK_B = stable_id("test-network", "B")
SID_B = str(stable_id("test-strategy", "B"))


@pytest.fixture
def two(container):
    """Network A (the default, with the bootstrapped strategy) and network B (a second municipality)."""
    app = container.app
    app.registry.register_municipality(name="Gmina B", teryt=None, actor=STAFF, id=MUNICIPALITY_B)
    app.registry.register_network(name="Sieć B", kind="institution_network", municipality_ids=[MUNICIPALITY_B],
                                  actor=STAFF, id=NETWORK_B)
    a = build_network(container, DEFAULT_NETWORK_ID)
    b = build_network(container, NETWORK_B, scope="B")
    # A: two contacts in 2011, one network meeting in 2012.
    a.contact(date(2011, 3, 1), "WPiR", "RIPH")
    a.contact(date(2011, 4, 1), "RIPH", "CITT")
    a.meeting(date(2012, 5, 5), "WPiR", "RIPH")
    # B: some records before its strategy exists (counted when the strategy arrives) ...
    b.contact(date(2011, 3, 1), "WPiR", "RIPH")
    b.meeting(date(2012, 5, 5), "WPiR", "RIPH")
    container.runner.catch_up()
    start_strategy(app, strategy_id=UUID(SID_B), network_id=NETWORK_B)
    container.runner.catch_up()
    # ... and some after (counted incrementally).
    b.meeting(date(2012, 6, 6), "RIPH", "CITT", "LCB")
    b.meeting(date(2012, 7, 7), "CITT", "WPiR")
    b.join_cluster("KS", 0, date(2011, 2, 1))
    container.runner.catch_up()
    return a, b


def test_each_strategy_is_listed_with_the_network_it_measures(container, two):
    with container.views.transaction() as tx:
        assert [(s["strategy_id"], s["network_id"]) for s in list_strategies(tx)] == [
            (SID, str(DEFAULT_NETWORK_ID)), (SID_B, str(NETWORK_B))]
        assert [s["strategy_id"] for s in list_strategies(tx, [str(NETWORK_B)])] == [SID_B]
        # the same codes in both strategies
        assert [t["code"] for t in list_tasks(tx, strategy_id=SID)] == [t["code"] for t in
                                                                         list_tasks(tx, strategy_id=SID_B)]


def test_each_report_counts_only_its_own_networks_records(container, two):
    with container.views.transaction() as tx:
        assert totals(tx, CONTACTS, strategy_id=SID)[2011] == 2
        assert totals(tx, CONTACTS, strategy_id=SID_B)[2011] == 1
        assert totals(tx, NETWORK_MEETINGS, strategy_id=SID)[2012] == 1
        assert totals(tx, NETWORK_MEETINGS, strategy_id=SID_B)[2012] == 3
        assert totals(tx, CLUSTER_FIRMS, strategy_id=SID)[2011] == 0
        assert totals(tx, CLUSTER_FIRMS, strategy_id=SID_B)[2011] == 1
        report_a = task_report(tx, "III.1.3", strategy_id=SID)
        report_b = task_report(tx, "III.1.3", strategy_id=SID_B)
        as_of_b = task_report(tx, "III.1.3", strategy_id=SID_B, as_of=warsaw_today())

    def actual(report, code, year):
        return next(i for i in report["indicators"] if i["code"] == code)["years"][str(year)]["actual"]

    assert (actual(report_a, CONTACTS, 2011), actual(report_b, CONTACTS, 2011)) == (2, 1)
    assert (actual(report_a, NETWORK_MEETINGS, 2012), actual(report_b, NETWORK_MEETINGS, 2012)) == (1, 3)
    assert actual(as_of_b, NETWORK_MEETINGS, 2012) == 3  # computed from the tables, not the stored values


def test_shared_codes_do_not_mix_institutions_or_evidence(container, two):
    a, b = two
    with container.views.transaction() as tx:
        rows_a = stored_rows(tx, strategy_id=SID)
        rows_b = stored_rows(tx, strategy_id=SID_B)
        evidence_b = indicator_events(tx, NETWORK_MEETINGS, 2012, strategy_id=SID_B)
        evidence_a = indicator_events(tx, NETWORK_MEETINGS, 2012, strategy_id=SID)
    ids_a, ids_b = {str(i) for i in a.ids.values()}, {str(i) for i in b.ids.values()}
    assert {r["institution_id"] for r in rows_a} - {""} <= ids_a
    assert {r["institution_id"] for r in rows_b} - {""} <= ids_b
    assert {r["institution_id"] for r in rows_b} & ids_a == set()
    assert len(evidence_a) == 1 and len(evidence_b) == 3
    assert {i["id"] for e in evidence_b for i in e["institutions"]} <= ids_b


def test_an_event_recomputes_only_the_strategies_of_its_network(container, two, monkeypatch):
    a, b = two
    recomputed: list[str] = []
    original = IndicatorValuesProjection.recompute

    def spy(self, tx, strategy_id, *args, **kwargs):
        recomputed.append(strategy_id)
        return original(self, tx, strategy_id, *args, **kwargs)

    monkeypatch.setattr(IndicatorValuesProjection, "recompute", spy)
    b.contact(date(2011, 9, 9), "PUP", "LCB")
    container.runner.catch_up()
    assert set(recomputed) == {SID_B}
    recomputed.clear()
    a.join_cluster("KB", 1, date(2011, 1, 5))
    container.app.registry.rename_institution(institution_id=a.ids["PUP"], name="Urząd Pracy", short_name="PUP2",
                                              actor=STAFF)
    container.runner.catch_up()
    assert set(recomputed) == {SID}
    with container.views.transaction() as tx:
        assert totals(tx, CONTACTS, strategy_id=SID_B)[2011] == 2
        assert totals(tx, CONTACTS, strategy_id=SID)[2011] == 2
        assert totals(tx, CLUSTER_FIRMS, strategy_id=SID)[2011] == 1
        assert totals(tx, CLUSTER_FIRMS, strategy_id=SID_B)[2011] == 1


def test_rebuild_gives_the_incremental_values_of_both_strategies(container, two):
    with container.views.transaction() as tx:
        before = {s: stored_rows(tx, strategy_id=s) for s in (SID, SID_B)}
    container.runner.rebuild()
    with container.views.transaction() as tx:
        after = {s: stored_rows(tx, strategy_id=s) for s in (SID, SID_B)}
    assert after == before and before[SID] and before[SID_B] and before[SID] != before[SID_B]


def test_publications_are_numbered_and_found_per_strategy(container, two):
    coordinator = Actor(user_id="coordinator@b")
    strategy = container.app.repository.get(UUID(SID_B))
    strategy.publish_report("III.1.3", "Sprawozdanie B", coordinator)
    container.app.save(strategy)
    container.runner.catch_up()
    number = strategy.version
    with container.views.transaction() as tx:
        assert list_publications(tx, strategy_id=SID) == []
        assert [p["number"] for p in list_publications(tx, "III.1.3", strategy_id=SID_B)] == [number]
        published = published_report(tx, number, strategy_id=SID_B)
        with pytest.raises(NotFound):
            published_report(tx, number, strategy_id=SID)
    assert published["publication"]["title"] == "Sprawozdanie B"
    meetings = next(i for i in published["indicators"] if i["code"] == NETWORK_MEETINGS)
    assert meetings["years"]["2012"]["actual"] == 3
    assert isinstance(strategy, Strategy)


def test_a_years_closing_report_uses_the_networks_own_strategy(container, two):
    with container.views.transaction() as tx:
        report_a = year_report(tx, network_id=str(DEFAULT_NETWORK_ID), year=2012, as_of=warsaw_today())
        report_b = year_report(tx, network_id=str(NETWORK_B), year=2012, as_of=warsaw_today())

    def meetings(report):
        task = report["tasks"]["III.1.3"]
        return next(i for i in task["indicators"] if i["code"] == NETWORK_MEETINGS)["years"]["2012"]["actual"]

    assert (meetings(report_a), meetings(report_b)) == (1, 3)
    assert len(report_a["records"]) == 1 and len(report_b["records"]) == 3
