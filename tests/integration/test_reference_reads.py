"""The write path's reference reads without copies (issue 13): a cached aggregate is never changed in place, so a
read-only check may hold it while another write moves it on, and every other caller still gets its own copy."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.container import open_container
from tests.support.world import build_world

NET = DEFAULT_NETWORK_ID
ADMIN = Actor(user_id="admin")


def test_a_read_only_get_shares_the_cached_aggregate_which_never_changes_in_place(sqlite_settings):
    with open_container(sqlite_settings) as container:
        world = build_world(container, NET)
        repository = container.app.repository
        held = repository.get(world.citt, readonly=True)
        assert repository.get(world.citt, readonly=True) is held  # no copy for a read
        name, version = held.name, held.version
        container.app.registry.rename_institution(institution_id=world.citt, name="Centrum Nowe", short_name="CN",
                                                  actor=ADMIN)
        assert (held.name, held.version) == (name, version)  # the object a check holds is left as it was
        fresh = repository.get(world.citt, readonly=True)
        assert (fresh.name, fresh.version) == ("Centrum Nowe", version + 1)  # the next read sees the log
        mine = repository.get(world.citt)
        assert mine is not fresh and mine.name == "Centrum Nowe"  # a command gets a copy of its own
        mine.name = "zmienione w pamięci"
        assert repository.get(world.citt, readonly=True).name == "Centrum Nowe"


def test_a_record_s_checks_read_without_copying(sqlite_settings, monkeypatch):
    """The network, the parties and the owner are read from the cache as they are: no deep copy per reference."""
    import domain.application as application
    import eventsourcing.application as library

    with open_container(sqlite_settings) as container:
        world = build_world(container, NET)
        fields = {"network_id": NET, "occurred_on": date(2012, 3, 5), "title": "Spotkanie", "kind": "network_meeting",
                  "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [world.firm_a]}
        container.app.records.prepare("meeting", dict(fields), ADMIN)  # every reference in the cache
        copies = []
        real = copy.deepcopy
        for module in (application, library):  # the library's repository copies with its own import
            monkeypatch.setattr(module, "deepcopy", lambda value: copies.append(type(value).__name__) or real(value),
                                raising=False)
        record = container.app.records.prepare("meeting", dict(fields), ADMIN)
        assert record.fields["organiser_id"] == world.riph
        assert copies == []


def test_a_record_s_checks_bring_their_cached_references_up_to_the_log_in_one_read(sqlite_settings, monkeypatch):
    """One read of every reference's newer events, not one per reference; and what it reads is the log's
    answer: an institution another process deactivated is refused."""
    from domain.errors import InvariantViolated
    from infra.container import build_container

    with open_container(sqlite_settings) as container:
        world = build_world(container, NET)
        fields = {"network_id": NET, "occurred_on": date(2012, 3, 5), "title": "Spotkanie", "kind": "network_meeting",
                  "organiser_id": world.riph, "institution_ids": [world.citt], "firm_ids": [world.firm_a]}
        app = container.app
        app.records.prepare("meeting", dict(fields), ADMIN)  # every reference in the cache
        recorder, reads = app.recorder, []
        for name in ("select_events", "select_newer_events"):
            real = getattr(recorder, name)
            def counted(*a, _real=real, _name=name, **k):
                reads.append((_name, a[0] if a else k.get("originator_id")))
                return _real(*a, **k)

            monkeypatch.setattr(recorder, name, counted)
        app.records.prepare("meeting", dict(fields), ADMIN)
        assert [name for name, _ in reads].count("select_newer_events") == 1
        one_by_one = {str(arg) for name, arg in reads if name == "select_events"}  # the year and its gate only
        assert not one_by_one & {str(NET), str(world.riph), str(world.citt), str(world.firm_a)}
        with build_container(sqlite_settings) as other:
            other.app.registry.deactivate_institution(institution_id=world.riph, reason="Likwidacja", actor=ADMIN)
        with pytest.raises(InvariantViolated, match="wyłączona"):
            app.records.prepare("meeting", dict(fields), ADMIN)
        assert app.repository.get(world.riph, readonly=True).active is False
