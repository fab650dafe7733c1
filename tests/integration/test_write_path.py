"""The write path's reads (issue 13): reference checks from the repository's cache, kept exact across
processes, and a write's scope check that does not wait for the projection of earlier records."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID, DEFAULT_NETWORK_ID, ReferenceCache
from domain.errors import InvariantViolated, UnknownReference
from domain.policy import Role, User
from domain.values import Actor
from infra.container import build_container, open_container
from tests.support.world import build_world

NET = DEFAULT_NETWORK_ID


def _contact(app, owner, other, n: int):
    return app.records.record("contact", {
        "network_id": NET, "occurred_on": date(2013, 1 + n % 12, 1 + n % 28), "institution_id": owner,
        "with_institution_id": other, "channel": "phone", "summary": f"Kontakt {n}"},
        Actor(user_id="staff", institution_id=owner))


def test_reference_checks_see_another_process_s_writes(sqlite_settings):
    """Two containers on one store stand for two server processes: each has its own cache."""
    first = open_container(sqlite_settings)
    try:
        world = build_world(first, NET)
        second = build_container(sqlite_settings)
        try:
            assert isinstance(first.app.repository.cache, ReferenceCache)
            _contact(first.app, world.riph, world.citt, 1)  # the institutions are in the first one's cache now
            assert first.app.repository.cache.get(world.citt).active
            second.app.registry.deactivate_institution(institution_id=world.riph, reason="Likwidacja",
                                                       actor=Actor(user_id="admin"))
            with pytest.raises(InvariantViolated, match="wyłączona"):
                _contact(first.app, world.riph, world.citt, 2)  # as a replay would say: deactivated
            late = second.app.registry.register_institution(network_id=NET, name="Nowa", short_name="NOWA",
                                                            kind="chamber", actor=Actor(user_id="admin")).id
            _contact(first.app, world.citt, late, 3)  # registered by the other process: found
        finally:
            second.close()
    finally:
        first.close()


def test_the_cache_holds_no_record(sqlite_settings):
    with open_container(sqlite_settings) as container:
        world = build_world(container, NET)
        record_id = _contact(container.app, world.riph, world.citt, 4).id
        container.app.get_record(record_id)
        with pytest.raises(KeyError):
            container.app.repository.cache.get(record_id)  # free text never stays in memory


def test_a_write_does_not_wait_for_the_projection_of_earlier_records(sqlite_settings, monkeypatch):
    with open_container(sqlite_settings) as container:
        world = build_world(container, NET)
        uc, runner = container.use_cases, container.runner
        staff = User(id=uuid4(), email="staff-1@example.org", role=Role.STAFF, institution_id=world.riph, active=True,
                     municipality_id=DEFAULT_MUNICIPALITY_ID)
        fields = {"occurred_on": date(2013, 3, 5), "institution_id": world.riph, "with_institution_id": world.citt,
                  "channel": "phone", "summary": "Kontakt"}
        uc.records.record(staff, "contact", fields)  # the read models are now behind the log
        catch_ups = []
        original = runner.catch_up
        monkeypatch.setattr(runner, "catch_up", lambda *a, **k: catch_ups.append(1) or original(*a, **k))
        for _ in range(3):
            uc.records.record(staff, "contact", fields)
        assert catch_ups == []
        assert runner.position() < runner.log_position()
        # A network event not yet projected: the scope must see it, so this write catches up first.
        other = container.app.registry.add_municipality(name="Inna", teryt=None, network_name="Sieć B",
                                                        actor=Actor(user_id="admin"))
        uc.records.record(staff, "contact", fields)
        assert catch_ups and runner.position() >= other.notification_id
        network_id = next(n.originator_id for n in container.app.recorder.select_notifications(
            start=other.notification_id - 3, limit=4) if n.topic == "splot:Network.Registered")
        with pytest.raises(UnknownReference):  # and still nothing outside the user's municipality
            uc.records.record(staff, "contact", {**fields, "network_id": network_id})
