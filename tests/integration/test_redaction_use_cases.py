"""The DPO's redaction of a record's free text (uc.privacy.redact, issue 12): the key destroyed, the act audited,
the read models without the text — the same as rebuilt from the log —, the chain and every count unchanged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated, NotFound, ValidationFailed
from domain.policy import Forbidden
from domain.policy import Role
from domain.privacy import REDACTED_TEXT
from infra.container import bootstrap, build_container, scratch_runner
from infra.settings import Settings
from infra.verify import compare_read_models, verify_log
from tests.support.world import build_world

NAME = "Bożydar Kwiatkowski"
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path):
    container = build_container(Settings(data_dir=tmp_path / "var"))
    bootstrap(container)
    world = build_world(container, DEFAULT_NETWORK_ID)
    dpo = container.users.add(email="iod@example.org", password=PASSWORD, role="dpo",
                              municipality_id=DEFAULT_MUNICIPALITY_ID)
    yield container, world, dpo, tmp_path
    container.close()


def _records(container, world):
    coordinator = container.users.get_by_email("coordinator@example.org")
    uc = container.use_cases.records
    meeting = uc.record(coordinator, "meeting", {
        "occurred_on": date(2013, 3, 1), "title": f"Spotkanie z {NAME}", "kind": "network_meeting",
        "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [world.firm_a],
        "minutes": f"{NAME} przedstawił ofertę", "topic": "Targi",
        "follow_ups": [{"action": f"Wysłać {NAME} cennik", "due_on": date(2013, 4, 1), "institution_id": None}]}).id
    uc.correct(coordinator, meeting, expected_version=1, changes={"minutes": f"Poprawione: {NAME} był obecny"},
               reason=f"RODO – {NAME} poprosił o poprawkę")
    contact = uc.record(coordinator, "contact", {
        "occurred_on": date(2013, 4, 2), "institution_id": world.riph, "with_institution_id": world.citt,
        "channel": "phone", "summary": f"Rozmowa z {NAME}"}).id
    uc.retract(coordinator, contact, expected_version=1, reason=f"Dubel – {NAME}")
    keep = uc.record(coordinator, "contact", {
        "occurred_on": date(2013, 4, 3), "institution_id": world.riph, "with_institution_id": world.citt,
        "channel": "phone", "summary": "Rozmowa o targach, zostaje"}).id
    return coordinator, meeting, contact, keep


def _trail_text(container, coordinator) -> str:
    """Every row of the read models that copy a record's text, as one string."""
    with container.views.transaction() as tx:
        return json.dumps([tx.execute(f"SELECT * FROM {t}") for t in
                           ("audit_entries", "activity_records", "activity_versions")],
                          ensure_ascii=False)


def test_a_redaction_drops_the_text_everywhere_and_equals_a_rebuild(store):
    container, world, dpo, tmp_path = store
    coordinator, meeting, contact, keep = _records(container, world)
    report_before = container.use_cases.strategy.task_report(coordinator, "III.1.3")
    register_before = container.use_cases.records.register(coordinator, limit=100)[0]
    assert NAME in _trail_text(container, coordinator)  # the read models held the text: the check below means something

    candidate = container.use_cases.privacy.redaction_candidate(dpo, meeting)
    assert candidate.version == 2 and not candidate.redacted
    assert {path for path, _label, _text in candidate.texts} == {"title", "topic", "minutes", "follow_ups[0].action"}
    found = container.use_cases.privacy.find_records(dpo, "bożydar")  # any case
    assert {r["record_id"] for r in found} == {str(meeting), str(contact)}

    position = container.runner.log_position()
    saved = container.use_cases.privacy.redact(dpo, meeting, legal_ground="c")
    assert container.runner.log_position() == position + 1  # one event: the act
    container.use_cases.privacy.redact(dpo, contact, legal_ground="c")

    text = _trail_text(container, coordinator)
    assert "Bożydar" not in text and "Kwiatkowski" not in text and REDACTED_TEXT in text
    assert "zostaje" in text  # another record's text stays
    view = container.use_cases.records.view(coordinator, meeting)
    assert view.record.fields["minutes"] == REDACTED_TEXT and view.record.fields["kind"] == "network_meeting"
    assert view.record.fields["institution_ids"] == [world.citt] and view.record.fields["firm_ids"] == [world.firm_a]
    assert [v.version for v in view.history] == [1, 2]
    assert container.use_cases.privacy.redaction_candidate(dpo, meeting).texts == []
    assert container.use_cases.privacy.redaction_candidate(dpo, meeting).redacted

    register_after = container.use_cases.records.register(coordinator, limit=100)[0]
    assert [(r["record_id"], r["kind"], r["occurred_on"], r["status"], r["version"]) for r in register_after] == \
           [(r["record_id"], r["kind"], r["occurred_on"], r["status"], r["version"]) for r in register_before]
    assert container.use_cases.strategy.task_report(coordinator, "III.1.3") == report_before
    assert verify_log(container.app.recorder).ok

    acts = container.use_cases.privacy.acts(dpo)
    assert [a.event_type for a in acts][:2] == ["PersonalDataAct.RecordRedacted"] * 2
    assert acts[-1].record_id == str(meeting) and acts[-1].legal_ground.en.startswith("GDPR art. 17(1)(c)")
    assert saved.id != meeting

    scratch = scratch_runner(container, tmp_path / "rebuilt.sqlite3")
    try:
        check = compare_read_models(container.runner, scratch)
    finally:
        scratch.db.close()
    assert check.differing == 0, check.differences[:5]
    assert check.rows > 0


def test_a_correction_after_the_redaction_keeps_its_new_text(store):
    container, world, dpo, tmp_path = store
    coordinator, meeting, _contact, _keep = _records(container, world)
    container.use_cases.privacy.redact(dpo, meeting, legal_ground="a")
    container.use_cases.records.correct(coordinator, meeting, expected_version=2, changes={"topic": "Nowy temat"},
                                        reason="uzupełnienie")
    record = container.use_cases.records.view(coordinator, meeting).record
    assert record.fields["topic"] == "Nowy temat" and record.fields["minutes"] == REDACTED_TEXT
    candidate = container.use_cases.privacy.redaction_candidate(dpo, meeting)
    assert not candidate.redacted and [p for p, _l, _t in candidate.texts] == ["topic"]
    scratch = scratch_runner(container, tmp_path / "rebuilt.sqlite3")
    try:
        assert compare_read_models(container.runner, scratch).differing == 0
    finally:
        scratch.db.close()


def test_only_the_dpo_may_redact_and_a_refused_or_bad_redaction_changes_nothing(store):
    container, world, dpo, _tmp = store
    coordinator, meeting, _contact, _keep = _records(container, world)
    position = container.runner.log_position()
    for role in Role:
        if role is Role.DPO:
            continue
        users = [u for u in container.users.list() if u.role is role]
        for user in users:
            with pytest.raises(Forbidden):
                container.use_cases.privacy.redact(user, meeting, legal_ground="a")
            with pytest.raises(Forbidden):
                container.use_cases.privacy.redaction_candidate(user, meeting)
    with pytest.raises(ValidationFailed, match="podstawę prawną"):
        container.use_cases.privacy.redact(dpo, meeting, legal_ground="z")
    with pytest.raises(NotFound):
        container.use_cases.privacy.redact(dpo, world.riph, legal_ground="a")  # an institution, not a record
    assert container.runner.log_position() == position
    assert not container.app.mapper.keys.is_redacted(meeting)
    assert container.use_cases.records.view(coordinator, meeting).record.fields["topic"] == "Targi"
    container.use_cases.privacy.redact(dpo, meeting, legal_ground="a")
    with pytest.raises(InvariantViolated, match="już usunięta"):
        container.use_cases.privacy.redact(dpo, meeting, legal_ground="a")


def test_a_dpo_of_another_municipality_does_not_find_the_record(store):
    container, world, _dpo, _tmp = store
    _coordinator, meeting, _contact, _keep = _records(container, world)
    admin = container.users.get_by_email("admin@example.org")
    municipality_id = container.use_cases.registry.add_municipality(admin, name="Gmina Inna", teryt=None,
                                                                    network_name="Sieć Inna").id
    stranger = container.users.add(email="iod@inna.example", password=PASSWORD, role="dpo",
                                   municipality_id=municipality_id)
    with pytest.raises(NotFound):
        container.use_cases.privacy.redact(stranger, meeting, legal_ground="a")
    with pytest.raises(NotFound):
        container.use_cases.privacy.redaction_candidate(stranger, meeting)


def test_on_postgresql_the_text_is_sealed_and_a_redaction_destroys_it(postgres_settings):
    """The key store and the redaction over PostgreSQL (keys in the same database as the events, another table)."""
    container = build_container(postgres_settings)
    try:
        bootstrap(container)
        world = build_world(container, DEFAULT_NETWORK_ID)
        dpo = container.users.add(email="iod@example.org", password=PASSWORD, role="dpo",
                                  municipality_id=DEFAULT_MUNICIPALITY_ID)
        coordinator, meeting, contact, _keep = _records(container, world)
        for stored in container.app.events.recorder.select_events(meeting):
            assert "Kwiatkowski".encode() not in bytes(stored.state)
        assert "Kwiatkowski" in container.use_cases.records.view(coordinator, meeting).record.fields["minutes"]
        container.use_cases.privacy.redact(dpo, meeting, legal_ground="d")
        record = container.use_cases.records.view(coordinator, meeting).record
        assert record.fields["minutes"] == REDACTED_TEXT and record.fields["kind"] == "network_meeting"
        assert container.app.repository.get(meeting).fields["title"] == REDACTED_TEXT
        assert "Kwiatkowski" in container.use_cases.records.view(coordinator, contact).record.retraction_reason
    finally:
        container.close()
