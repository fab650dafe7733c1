"""The audit trail scoped by network: a municipality's people read their own networks' entries (and
their municipality's own), an operator (no filter) reads everything."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.values import stable_id
from projections.audit_trail.queries import audit_entries, record_history
from tests.support.strategy import SID, STAFF, build_network, start_strategy

MUNICIPALITY_B = stable_id("test-municipality", "B")
NETWORK_B = stable_id("test-network", "B")
STRATEGY_B = stable_id("test-strategy", "B")


def entries(container, **filters):
    container.runner.catch_up()
    rows, cursor = [], None
    with container.views.transaction() as tx:
        while True:
            page, cursor = audit_entries(tx, cursor=cursor, limit=9, **filters)
            rows += page
            if cursor is None:
                return rows


@pytest.fixture
def two(container):
    app = container.app
    app.registry.register_municipality(name="Gmina B", teryt=None, actor=STAFF, id=MUNICIPALITY_B)
    app.registry.register_network(name="Sieć B", kind="institution_network", municipality_ids=[MUNICIPALITY_B],
                                  actor=STAFF, id=NETWORK_B)
    a = build_network(container, DEFAULT_NETWORK_ID, firms=2)
    b = build_network(container, NETWORK_B, firms=2, scope="B")
    start_strategy(app, strategy_id=STRATEGY_B, network_id=NETWORK_B)
    records = {"a": a.contact(date(2011, 3, 1), "WPiR", "RIPH"), "b": b.contact(date(2011, 3, 1), "WPiR", "RIPH")}
    # later events of an aggregate carry no network: the trail finds it from the creation event
    saved = records["b"]
    records["b"] = app.records.correct_record(record_id=saved.id, expected_version=saved.version, reason="Literówka",
                                              changes={"summary": "Kontakt B"}, actor=STAFF)
    app.registry.rename_institution(institution_id=b.ids["PUP"], name="Urząd Pracy B", short_name="PUP-B", actor=STAFF)
    b.join_cluster("KS", 0, date(2011, 2, 1))
    return a, b, records


def test_an_unfiltered_trail_shows_every_entry(container, two):
    rows = entries(container)
    assert [r["position"] for r in rows] == list(range(1, container.app.recorder.max_notification_id() + 1))


def test_filtered_by_network_only_that_networks_entries_are_shown(container, two):
    a, b, records = two
    everything = entries(container)
    only_b = entries(container, network_ids=[str(NETWORK_B)])
    only_a = entries(container, network_ids=[str(DEFAULT_NETWORK_ID)])
    ids_a = {str(i) for i in [*a.ids.values(), *a.firms, records["a"].id, DEFAULT_NETWORK_ID, UUID(SID)]}
    ids_b = {str(i) for i in [*b.ids.values(), *b.firms, records["b"].id, NETWORK_B, STRATEGY_B]}
    seen_b, seen_a = {r["record_id"] for r in only_b}, {r["record_id"] for r in only_a}
    assert ids_b <= seen_b and not seen_b & ids_a
    assert ids_a <= seen_a and not seen_a & ids_b
    assert {"network", "institution", "firm", "unique_key", "contact", "strategy"} <= {r["kind"] for r in only_b}
    assert {r["event_type"] for r in only_b} >= {"Record.Corrected", "Institution.Renamed",
                                                  "Institution.FirmJoinedCluster", "Network.InstitutionJoined"}
    # the municipalities' own entries belong to no network: only the unfiltered trail has them
    municipality_entries = [r for r in everything if r["kind"] == "municipality"]
    assert len(municipality_entries) == 2
    assert len(only_a) + len(only_b) + len(municipality_entries) == len(everything)


def test_a_municipalitys_own_entries_are_shown_to_those_who_ask_for_it(container, two):
    rows = entries(container, network_ids=[str(NETWORK_B)], municipality_ids=[str(MUNICIPALITY_B)])
    assert [r["record_id"] for r in rows if r["kind"] == "municipality"] == [str(MUNICIPALITY_B)]
    assert str(DEFAULT_MUNICIPALITY_ID) not in {r["record_id"] for r in rows}
    assert entries(container, network_ids=[]) == []
    assert [r["record_id"] for r in entries(container, network_ids=[], municipality_ids=[str(MUNICIPALITY_B)])] \
        == [str(MUNICIPALITY_B)]


def test_the_network_filter_combines_with_the_other_filters(container, two):
    a, b, records = two
    contacts_b = entries(container, network_ids=[str(NETWORK_B)], kind="contact")
    assert [(r["record_id"], r["version"]) for r in contacts_b] == [(str(records["b"].id), 1),
                                                                    (str(records["b"].id), 2)]
    assert entries(container, network_ids=[str(NETWORK_B)], record_id=str(records["a"].id)) == []


def test_a_record_history_outside_the_asked_networks_is_empty(container, two):
    a, b, records = two
    container.runner.catch_up()
    with container.views.transaction() as tx:
        mine = record_history(tx, str(records["b"].id), network_ids=[str(NETWORK_B)])
        other = record_history(tx, str(records["a"].id), network_ids=[str(NETWORK_B)])
        operator = record_history(tx, str(records["a"].id))
    assert [h["version"] for h in mine] == [1, 2] and mine[1]["changes"][0]["label"] == "Opis"
    assert other == [] and [h["version"] for h in operator] == [1]


def test_rebuilding_the_trail_keeps_each_entrys_network(container, two):
    before = entries(container, network_ids=[str(NETWORK_B)], municipality_ids=[str(MUNICIPALITY_B)])
    container.runner.rebuild()
    assert entries(container, network_ids=[str(NETWORK_B)], municipality_ids=[str(MUNICIPALITY_B)]) == before
