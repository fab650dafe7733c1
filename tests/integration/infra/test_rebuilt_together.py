"""Read models that read another's tables as of their own position are rebuilt with it (a projection's
`rebuilt_with`): the audit trail takes a record's previous fields from the activity register, so a new version
of either rebuilds both — otherwise the trail, replayed from the start over a register already at the log's
end, would diff every correction against the record's latest fields."""

from __future__ import annotations

from datetime import date

from domain.application import DEFAULT_NETWORK_ID
from infra.container import bootstrap, build_container, scratch_runner
from infra.projection_runner import TRACKING_TABLE
from infra.verify import compare_read_models
from projections.base import unpack_changes
from tests.support.world import build_world


def _store(settings) -> None:
    with build_container(settings) as c:
        bootstrap(c)
        world = build_world(c, DEFAULT_NETWORK_ID)
        coordinator = c.users.get_by_email("coordinator@example.org")
        uc = c.use_cases.records
        meeting = uc.record(coordinator, "meeting", {
            "occurred_on": date(2013, 3, 1), "title": "Spotkanie", "kind": "network_meeting",
            "organiser_id": world.riph, "institution_ids": [world.citt], "topic": "Targi", "minutes": "Pierwsze"}).id
        uc.correct(coordinator, meeting, expected_version=1, changes={"minutes": "Drugie"}, reason="Literówka")
        uc.correct(coordinator, meeting, expected_version=2, changes={"minutes": "Trzecie"}, reason="Jeszcze raz")
        c.runner.catch_up()


def _stale(settings, name: str) -> None:
    """As if `name` had been written by an older version of its projection."""
    with build_container(settings) as c:
        with c.views.transaction(write=True) as tx:
            tx.execute(f"UPDATE {TRACKING_TABLE} SET version = version - 1 WHERE name = ?", (name,))


def test_a_new_audit_trail_version_rebuilds_the_register_with_it(sqlite_settings, tmp_path, caplog):
    _store(sqlite_settings)
    _stale(sqlite_settings, "audit_trail")
    with build_container(sqlite_settings) as c:
        assert c.runner.positions()["activity_register"] == 0  # reset with the trail
        c.runner.catch_up()
        with c.views.transaction() as tx:
            changes = [r["changes_json"] for r in tx.execute(
                "SELECT changes_json FROM audit_entries WHERE event_type = 'Record.Corrected' ORDER BY position")]
        assert [unpack_changes(c) for c in changes] == [[{"field": "minutes", "old": "Pierwsze", "new": "Drugie"}],
                                                       [{"field": "minutes", "old": "Drugie", "new": "Trzecie"}]]
        scratch = scratch_runner(c, tmp_path / "scratch.sqlite3")
        try:
            assert compare_read_models(c.runner, scratch).ok
        finally:
            scratch.db.close()


def test_a_new_register_version_rebuilds_the_trail_and_nothing_else(sqlite_settings):
    _store(sqlite_settings)
    _stale(sqlite_settings, "activity_register")
    with build_container(sqlite_settings) as c:
        positions = c.runner.positions()
        assert positions["activity_register"] == positions["audit_trail"] == 0
        assert positions["registry"] > 0  # the others keep their rows
