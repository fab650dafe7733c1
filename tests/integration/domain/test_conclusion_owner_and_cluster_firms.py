"""A corrected conclusion's owner and credit follow its institutions, in the log and the read models alike;
a cluster takes firms of its own network only."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import UnknownReference
from domain.values import Actor
from projections.activity_register.queries import get_record_row
from projections.indicator_values.projection import stored_rows
from tests.support.strategy import SID, build_network
from tests.factories import valid_nip


def test_conclusion_corrected_to_leave_out_its_owner_is_no_longer_credited_to_it(container, network_id):
    net = build_network(container, network_id)
    wpir, riph = net.ids["WPiR"], net.ids["RIPH"]
    wpir_staff = Actor(user_id="anna@wpir", institution_id=wpir)
    saved = container.app.records.record("conclusion", {
        "network_id": network_id, "occurred_on": date(2013, 5, 5), "title": "Wnioski", "kind": "conclusion",
        "institution_ids": [wpir, riph]}, wpir_staff)
    assert container.app.get_record(saved.id).owner_institution_id == wpir
    container.app.records.correct_record(record_id=saved.id, expected_version=saved.version, reason="Tylko RIPH",
                                         changes={"institution_ids": [riph]}, actor=wpir_staff)

    record = container.app.get_record(saved.id)
    assert record.fields["institution_ids"] == [riph]
    assert record.owner_institution_id == riph  # the owner is one of the record's institutions
    net.catch_up()
    with container.views.transaction() as tx:
        assert get_record_row(tx, str(saved.id))["owner_institution_id"] == str(riph)
        rows = [r for r in stored_rows(tx, strategy_id=SID) if r["indicator_code"] == "III.1.3.W4" and r["year"] == 2013]
    by_institution = {r["institution_id"]: r["actual"] for r in rows if r["institution_id"]}
    by_source = {r["source"]: r["actual"] for r in rows if r["source"]}
    assert by_institution == {str(riph): 1}
    assert by_source == {"WPiR": 0}


def test_conclusion_correction_keeping_its_owner_keeps_the_owner(container, network_id):
    net = build_network(container, network_id)
    wpir, riph, citt = net.ids["WPiR"], net.ids["RIPH"], net.ids["CITT"]
    riph_staff = Actor(user_id="jan@riph", institution_id=riph)
    saved = container.app.records.record("conclusion", {
        "network_id": network_id, "occurred_on": date(2013, 5, 5), "title": "Wnioski", "kind": "conclusion",
        "institution_ids": [wpir, riph]}, riph_staff)
    container.app.records.correct_record(record_id=saved.id, expected_version=saved.version, reason="Także CITT",
                                         changes={"institution_ids": [wpir, riph, citt]},
                                         actor=Actor(user_id="anna@wpir", institution_id=wpir))
    assert container.app.get_record(saved.id).owner_institution_id == riph


def test_a_firm_of_another_network_cannot_join_a_cluster(container, network_id, actor):
    net = build_network(container, network_id)
    app = container.app
    other = app.registry.register_network(name="Sieć międzymiastowa", kind="inter_city_network",
                                          municipality_ids=[], actor=actor).id
    stranger = app.registry.register_firm(network_id=other, name="Obca firma", nip=valid_nip(77), regon=None, actor=actor).id
    position = app.recorder.max_notification_id()
    with pytest.raises(UnknownReference) as raised:
        app.registry.join_cluster(cluster_id=net.ids["KS"], firm_id=stranger, joined_on=date(2013, 1, 1), actor=actor)
    assert raised.value.field == "firm_id"
    assert app.recorder.max_notification_id() == position
