"""Use cases over the in-memory store: every record kind, corrections, retractions, invariants."""

from datetime import date

import pytest

from domain.errors import (
    InvalidBusinessDate,
    InvariantViolated,
    RecordRetracted,
    UnknownReference,
    ValidationFailed,
    VersionConflict,
)
from domain.records import Record
from domain.values import Actor


@pytest.fixture
def world(container, network_id, actor):
    app = container.app
    ids = {}
    for short, kind in [("WPiR", "city_department"), ("RIPH", "chamber"), ("CITT", "innovation_centre"),
                        ("PUP", "labour_office")]:
        ids[short] = app.registry.register_institution(network_id=network_id, name=f"Instytucja {short}",
                                                       short_name=short, kind=kind, actor=actor).id
    ids["KS"] = app.registry.register_institution(network_id=network_id, name="Klaster spożywczy", short_name="KS",
                                                  kind="cluster", actor=actor).id
    ids["firm"] = app.registry.register_firm(network_id=network_id, name="Firma A", nip="5260001246", regon=None,
                                             actor=actor).id
    for short in ("WPiR", "RIPH", "CITT"):
        app.registry.join_network(network_id=network_id, institution_id=ids[short], joined_on=date(2009, 1, 10), actor=actor)
    return ids


def record_fields(record_kind, ids, network_id, **overrides):
    base = {
        "contact": {"institution_id": ids["WPiR"], "with_institution_id": ids["RIPH"], "channel": "phone",
                    "summary": "Pierwszy kontakt"},
        "meeting": {"title": "Spotkanie sieci", "kind": "network_meeting", "organiser_id": ids["WPiR"],
                    "institution_ids": [ids["RIPH"], ids["CITT"]], "firm_ids": [ids["firm"]],
                    "topic": "Oferta", "minutes": "Ustalono...",
                    "follow_ups": [{"action": "Przygotować ofertę", "due_on": date(2010, 4, 1)}]},
        "information_exchange": {"from_institution_id": ids["CITT"], "to_institution_ids": [ids["RIPH"]],
                                 "to_firm_ids": [ids["firm"]], "subject": "Nabór", "channel": "email"},
        "conclusion": {"title": "Ekspertyza rynku", "kind": "expertise", "institution_ids": [ids["WPiR"], ids["RIPH"]]},
    }[record_kind]
    return {"network_id": network_id, "occurred_on": date(2010, 3, 15), **base, **overrides}


@pytest.mark.parametrize("kind", ["contact", "meeting", "information_exchange", "conclusion"])
def test_every_kind_round_trips_through_the_store(container, world, network_id, kind):
    actor = Actor("anna@wpir.example", world["WPiR"])
    fields = record_fields(kind, world, network_id)
    saved = container.app.records.record(kind, fields, actor)
    record = container.app.get_record(saved.id)
    assert record.kind == kind
    assert record.version == saved.version == 1
    assert saved.notification_id is not None
    for key, value in fields.items():
        if key == "follow_ups":
            value = [{**item, "institution_id": None} for item in value]
        assert record.fields[key] == value, key
    created = list(container.app.events.get(saved.id))[0]
    assert created.actor_user_id == "anna@wpir.example"
    assert created.actor_institution_id == world["WPiR"]


def test_correction_keeps_the_original_and_needs_a_reason(container, world, network_id, actor):
    app = container.app
    saved = app.records.record("contact", record_fields("contact", world, network_id), actor)
    with pytest.raises(ValidationFailed) as error:
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="  ", changes={"channel": "email"},
                                   actor=actor)
    assert error.value.field == "reason"
    app.records.correct_record(record_id=saved.id, expected_version=1, reason="Pomyłka w dacie",
                               changes={"occurred_on": date(2011, 1, 2)}, actor=actor)
    events = list(app.events.get(saved.id))
    assert [type(e).__name__ for e in events] == ["ContactEstablished", "Corrected"]
    assert events[0].fields["occurred_on"] == date(2010, 3, 15)  # the original stays
    assert events[1].changes == {"occurred_on": date(2011, 1, 2)}
    assert events[1].reason == "Pomyłka w dacie"
    assert app.get_record(saved.id).occurred_on == date(2011, 1, 2)


def test_retracted_record_cannot_be_corrected(container, world, network_id, actor):
    app = container.app
    saved = app.records.record("meeting", record_fields("meeting", world, network_id), actor)
    with pytest.raises(ValidationFailed):
        app.records.retract_record(record_id=saved.id, expected_version=1, reason="", actor=actor)
    app.records.retract_record(record_id=saved.id, expected_version=1, reason="Duplikat", actor=actor)
    with pytest.raises(RecordRetracted):
        app.records.correct_record(record_id=saved.id, expected_version=2, reason="x", changes={"title": "Nowy"}, actor=actor)
    with pytest.raises(RecordRetracted):
        app.records.retract_record(record_id=saved.id, expected_version=2, reason="again", actor=actor)
    assert len(list(app.events.get(saved.id))) == 2


def test_stale_version_gives_a_concurrency_error(container, world, network_id, actor):
    app = container.app
    saved = app.records.record("contact", record_fields("contact", world, network_id), actor)
    app.records.correct_record(record_id=saved.id, expected_version=1, reason="r1", changes={"channel": "email"}, actor=actor)
    with pytest.raises(VersionConflict) as error:
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="r2", changes={"channel": "letter"},
                                   actor=actor)
    assert (error.value.expected, error.value.actual) == (1, 2)


def test_concurrent_writers_clash_in_the_store(container, world, network_id, actor):
    """Two writers load version 1; the second save hits the store's optimistic lock."""
    app = container.app
    saved = app.records.record("contact", record_fields("contact", world, network_id), actor)
    first, second = app.get_record(saved.id), app.get_record(saved.id)
    first.correct(changes={"channel": "email"}, reason="a", actor=actor)
    second.correct(changes={"channel": "letter"}, reason="b", actor=actor)
    app._save(first)
    with pytest.raises(VersionConflict):
        app._save(second)
    assert app.get_record(saved.id).fields["channel"] == "email"


def _event_count(container):
    return container.app.recorder.max_notification_id()


@pytest.mark.parametrize("mutate, error_type, field", [
    (lambda f, ids: f.update(institution_id="8d3c2a5e-0000-4000-8000-000000000000"), UnknownReference, "institution_id"),
    (lambda f, ids: f.update(occurred_on=date(2999, 1, 1)), InvalidBusinessDate, "occurred_on"),
    (lambda f, ids: f.update(occurred_on=date(1999, 12, 31)), InvalidBusinessDate, "occurred_on"),
    (lambda f, ids: f.update(occurred_on="2010-01-01"), InvalidBusinessDate, "occurred_on"),
    (lambda f, ids: f.update(channel="pigeon"), ValidationFailed, "channel"),
    (lambda f, ids: f.update(summary=""), ValidationFailed, "summary"),
    (lambda f, ids: f.update(with_institution_id=ids["firm"]), UnknownReference, "with_institution_id"),
    (lambda f, ids: f.update(with_institution_id=None, with_firm_id=None), ValidationFailed, "with_institution_id"),
])
def test_bad_input_gives_a_specific_error_and_stores_nothing(container, world, network_id, actor, mutate,
                                                             error_type, field):
    fields = record_fields("contact", world, network_id)
    mutate(fields, world)
    before = _event_count(container)
    with pytest.raises(error_type) as error:
        container.app.records.record("contact", fields, actor)
    assert error.value.field == field
    assert _event_count(container) == before


def test_malformed_nip_stores_nothing(container, network_id, actor):
    before = _event_count(container)
    with pytest.raises(ValidationFailed) as error:
        container.app.registry.register_firm(network_id=network_id, name="Zła firma", nip="1234567890", regon=None, actor=actor)
    assert error.value.field == "nip"
    assert _event_count(container) == before


def test_meeting_needs_two_parties(container, world, network_id, actor):
    fields = record_fields("meeting", world, network_id, institution_ids=[], firm_ids=[], kind="workshop")
    with pytest.raises(ValidationFailed, match="two parties"):
        container.app.records.record("meeting", fields, actor)


def test_institution_that_left_cannot_organise_a_network_meeting_after_leaving(container, world, network_id, actor):
    app = container.app
    app.registry.leave_network(network_id=network_id, institution_id=world["RIPH"], left_on=date(2011, 6, 30), actor=actor)
    before_leaving = record_fields("meeting", world, network_id, organiser_id=world["RIPH"],
                                   institution_ids=[world["WPiR"]], occurred_on=date(2011, 6, 30))
    assert app.records.record("meeting", before_leaving, actor).version == 1
    after_leaving = {**before_leaving, "occurred_on": date(2011, 7, 1)}
    with pytest.raises(InvariantViolated) as error:
        app.records.record("meeting", after_leaving, actor)
    assert error.value.field == "organiser_id"
    # Other kinds of meeting remain possible.
    assert app.records.record("meeting", {**after_leaving, "kind": "workshop"}, actor).version == 1


def test_firm_cannot_leave_a_cluster_it_never_joined(container, world, actor):
    app = container.app
    with pytest.raises(InvariantViolated, match="never joined"):
        app.registry.leave_cluster(cluster_id=world["KS"], firm_id=world["firm"], left_on=date(2012, 6, 1), actor=actor)
    app.registry.join_cluster(cluster_id=world["KS"], firm_id=world["firm"], joined_on=date(2011, 1, 1), actor=actor)
    with pytest.raises(InvariantViolated, match="before the firm joined"):
        app.registry.leave_cluster(cluster_id=world["KS"], firm_id=world["firm"], left_on=date(2010, 6, 1), actor=actor)
    app.registry.leave_cluster(cluster_id=world["KS"], firm_id=world["firm"], left_on=date(2012, 6, 1), actor=actor)
    with pytest.raises(InvariantViolated, match="already left"):
        app.registry.leave_cluster(cluster_id=world["KS"], firm_id=world["firm"], left_on=date(2012, 7, 1), actor=actor)


def test_only_clusters_take_firms(container, world, actor):
    with pytest.raises(InvariantViolated, match="not a cluster"):
        container.app.registry.join_cluster(cluster_id=world["RIPH"], firm_id=world["firm"], joined_on=date(2011, 1, 1),
                                            actor=actor)


def test_correction_is_checked_as_a_whole(container, world, network_id, actor):
    app = container.app
    saved = app.records.record("meeting", record_fields("meeting", world, network_id), actor)
    with pytest.raises(ValidationFailed, match="two parties"):
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="r",
                                   changes={"institution_ids": [], "firm_ids": []}, actor=actor)
    with pytest.raises(ValidationFailed, match="Unknown field"):
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="r", changes={"colour": "red"}, actor=actor)
    with pytest.raises(ValidationFailed, match="cannot be corrected"):
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="r",
                                   changes={"network_id": world["WPiR"]}, actor=actor)
    with pytest.raises(ValidationFailed, match="changes nothing"):
        app.records.correct_record(record_id=saved.id, expected_version=1, reason="r",
                                   changes={"title": "Spotkanie sieci"}, actor=actor)
    assert app.get_record(saved.id).version == 1


def test_deactivated_institution_records_nothing_new(container, world, network_id, actor):
    app = container.app
    app.registry.deactivate_institution(institution_id=world["PUP"], reason="Likwidacja", actor=actor)
    fields = record_fields("contact", world, network_id, institution_id=world["PUP"])
    with pytest.raises(InvariantViolated, match="deactivated"):
        app.records.record("contact", fields, actor)


def test_record_type_is_one_aggregate_with_creation_event_per_kind():
    assert set(Record.CREATION_EVENTS) == {"contact", "meeting", "information_exchange", "conclusion"}


def test_a_nip_and_a_short_name_are_registered_once_per_network(container, world, network_id, actor):
    app = container.app
    before = _event_count(container)
    with pytest.raises(InvariantViolated) as error:
        app.registry.register_firm(network_id=network_id, name="Firma B", nip="526-000-12-46", regon=None, actor=actor)
    assert error.value.field == "nip" and str(world["firm"]) in error.value.message
    with pytest.raises(InvariantViolated) as error:
        app.registry.register_institution(network_id=network_id, name="Inna izba", short_name="riph", kind="chamber",
                                          actor=actor)
    assert error.value.field == "short_name"
    assert _event_count(container) == before
    # Renaming keeps the old claim and takes the new one; the new name is then taken too.
    app.registry.rename_institution(institution_id=world["RIPH"], name="Izba", short_name="IPH", actor=actor)
    with pytest.raises(InvariantViolated):
        app.registry.register_institution(network_id=network_id, name="X", short_name="IPH", kind="chamber", actor=actor)
    with pytest.raises(InvariantViolated, match="taken"):
        app.registry.rename_institution(institution_id=world["CITT"], name="CITT", short_name="RIPH", actor=actor)
    # Case changes of one's own short name are not a new claim.
    app.registry.rename_institution(institution_id=world["WPiR"], name="Wydział", short_name="WPIR", actor=actor)


def test_a_firm_needs_a_nip_or_a_regon(container, network_id, actor):
    before = _event_count(container)
    with pytest.raises(ValidationFailed) as error:
        container.app.registry.register_firm(network_id=network_id, name="Bez numerów", nip=None, regon="", actor=actor)
    assert error.value.field == "nip"
    assert _event_count(container) == before
